from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Skapad")
        UPDATE = "update", _("Ändrad")
        DELETE = "delete", _("Borttagen")

    at = models.DateTimeField(_("tid"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept as text too: the entry must outlive the user account.
    username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    action = models.CharField(_("händelse"), max_length=8, choices=Action.choices)
    model = models.CharField(_("typ"), max_length=100, db_index=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("objekt"), max_length=300)
    changes = models.JSONField(_("ändringar"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("loggpost")
        verbose_name_plural = _("ändringslogg")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_repr}"
