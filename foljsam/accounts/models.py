from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class Role(models.TextChoices):
    ADMIN = "admin", _("Administratör")
    OFFICER = "officer", _("Uppföljare")
    READER = "reader", _("Läsare (ledning, nämnd)")
    PROVIDER = "provider", _("Utförare")


class User(AbstractUser):
    role = models.CharField(_("roll"), max_length=16, choices=Role.choices, default=Role.READER)
    # A provider user is bound to exactly one provider and sees only that organisation.
    provider = models.ForeignKey(
        "registry.Provider", verbose_name=_("utförare"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    # A provider user may be bound to some of the provider's units (a unit manager, issue 11): they
    # then see and answer only those units' contract follow-ups. No units: the whole provider.
    units = models.ManyToManyField(
        "registry.Unit", verbose_name=_("enheter"), blank=True, related_name="managers",
        help_text=_("Bara för utförarens användare: lämna tomt för hela utföraren, eller välj de enheter "
                    "användaren svarar för."),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def clean(self):
        super().clean()
        if self.role == Role.PROVIDER and not self.provider_id:
            raise ValidationError({"provider": _("En utförares användare måste kopplas till en utförare.")})
        if self.role != Role.PROVIDER and self.provider_id:
            raise ValidationError({"provider": _("Bara utförarens användare kopplas till en utförare.")})


audit(User)


class LoginAttempt(models.Model):
    username = models.CharField(_("användarnamn"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("adress"), null=True, blank=True)
    at = models.DateTimeField(_("tid"), auto_now_add=True, db_index=True)
    success = models.BooleanField(_("lyckad"), default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("inloggningsförsök")
        verbose_name_plural = _("inloggningsförsök")

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.success else 'fel'}"


class LoginThrottle(models.Model):
    """One counter of failed password checks per key: an address ("a:IP") or an account at an
    address ("u:name|IP"). Updated only by conditional UPDATEs (accounts.services.login_reserve),
    so parallel attempts can never get more password checks than the limit."""

    key = models.CharField(_("nyckel"), max_length=250, unique=True)
    failures = models.PositiveIntegerField(_("misslyckade försök"), default=0)
    reset_at = models.DateTimeField(_("nollställs"), null=True, blank=True)

    class Meta:
        verbose_name = _("inloggningsspärr")
        verbose_name_plural = _("inloggningsspärrar")

    def __str__(self):
        return f"{self.key} {self.failures}"
