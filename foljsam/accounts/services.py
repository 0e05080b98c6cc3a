from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginAttempt, Role

# Shared by every app whose writes are for follow-up officers only.
NOT_OFFICER = _("Bara uppföljare får göra det här.")
LOCKED_OUT = _(
    "För många misslyckade inloggningar. Kontot är låst i %(minutes)s minuter; försök igen senare "
    "eller kontakta administratören."
)


def login_is_locked(*, username: str) -> bool:
    """True when the last LOGIN_MAX_FAILURES attempts inside the window all failed."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = list(
        LoginAttempt.objects.filter(username__iexact=username, at__gte=since)
        .order_by("-at")
        .values_list("success", flat=True)[: settings.LOGIN_MAX_FAILURES]
    )
    return len(recent) >= settings.LOGIN_MAX_FAILURES and not any(recent)


@transaction.atomic
def login_attempt_record(*, username: str, ip: str | None, success: bool) -> LoginAttempt:
    return LoginAttempt.objects.create(username=username[:150], ip=ip, success=success)


NOT_ADMIN = _("Bara administratörer hanterar användare.")
UNITS_ONLY_FOR_PROVIDER_USERS = _("Bara utförarens användare kan kopplas till enheter.")
UNIT_OF_OTHER_PROVIDER = _("Enheten %(unit)s hör inte till användarens utförare.")


@transaction.atomic
def user_save(*, user, by, password: str = "", units=None):
    """Create or change a user account; a new password is validated by Django's validators.
    `units` binds a provider user to some of its provider's units; None keeps the
    units still of the user's provider."""
    from django.contrib.auth.password_validation import validate_password

    from . import policy

    policy.ensure(by, "users.manage", message=NOT_ADMIN)
    user.full_clean(exclude=["password"])
    if units is not None:
        units = list(units)
        if units and user.role != Role.PROVIDER:
            raise ValidationError({"units": ValidationError(UNITS_ONLY_FOR_PROVIDER_USERS, code="units_not_provider")})
        for unit in units:
            if unit.provider_id != user.provider_id:
                raise ValidationError({"units": ValidationError(UNIT_OF_OTHER_PROVIDER, code="unit_of_other_provider",
                                                                  params={"unit": unit})})
    elif user.pk:  # a role or provider change ends the binding to the old provider's units
        units = list(user.units.filter(provider_id=user.provider_id)) if user.role == Role.PROVIDER else []
    if password:
        validate_password(password, user)
        user.set_password(password)
    elif not user.pk:
        user.set_unusable_password()
    user.save()
    if units is not None:
        user.units.set(units)
    user.__dict__.pop("_policy_unit_ids", None)
    return user
