from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Skapad")
        UPDATE = "update", _("Ändrad")
        DELETE = "delete", _("Borttagen")
        LOGIN = "login", _("Inloggning")
        LOGIN_FAILED = "login_failed", _("Misslyckad inloggning")
        LOCK = "lock", _("Inloggning spärrad")
        LOGOUT = "logout", _("Utloggning")
        OTP_ENROL = "otp_enrol", _("Tvåstegsverifiering aktiverad")
        OTP_RESET = "otp_reset", _("Tvåstegsverifiering borttagen")
        IMPORT = "import", _("Import")
        SEND = "send", _("Utskick")
        REMINDER = "reminder", _("Påminnelse")
        LINK = "link", _("Koppling")
        DOWNLOAD = "download", _("Nedladdning")
        VIEW = "view", _("Visning av radnivådata")
        EXPORT = "export", _("Export av radnivådata")
        RETENTION = "retention", _("Gallring")

    at = models.DateTimeField(_("tid"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept as text too: the entry must outlive the user account.
    username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    action = models.CharField(_("händelse"), max_length=16, choices=Action.choices, db_index=True)
    model = models.CharField(_("typ"), max_length=100, db_index=True, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, db_index=True, blank=True)
    object_repr = models.CharField(_("objekt"), max_length=300, blank=True)
    changes = models.JSONField(_("ändringar"), default=dict, blank=True)
    detail = models.TextField(_("beskrivning"), blank=True)
    ip = models.GenericIPAddressField(_("adress"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("loggpost")
        verbose_name_plural = _("ändringslogg")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_repr}"


class AccessEntry(models.Model):
    """Who looked at or exported which provider's row-level (pseudonymised) data: social services
    must be able to follow up access to personal data, so this log is kept apart from the audit log."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Visning")
        EXPORT = "export", _("Export")

    at = models.DateTimeField(_("tid"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("användare"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    user_name = models.CharField(_("namn"), max_length=300, blank=True)
    provider = models.ForeignKey(
        "registry.Provider", verbose_name=_("utförare"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    provider_name = models.CharField(_("utförarens namn"), max_length=300, blank=True)
    kind = models.CharField(_("åtkomst"), max_length=8, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=16, blank=True, help_text=_("Månad eller kvartal i datat."))
    what = models.CharField(_("uppgifter"), max_length=300)
    rows = models.PositiveIntegerField(_("antal rader"), null=True, blank=True)
    path = models.CharField(_("sida"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("åtkomstloggpost")
        verbose_name_plural = _("åtkomstlogg")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.provider_name} {self.what}"
