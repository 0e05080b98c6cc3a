import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginAttempt, LoginThrottle, Role

# Shared by every app whose writes are for follow-up officers only.
NOT_OFFICER = _("Bara uppföljare får göra det här.")
LOCKED_OUT = _(
    "För många misslyckade inloggningar. Kontot är låst i %(minutes)s minuter; försök igen senare "
    "eller kontakta administratören."
)


class _Refused(Exception):
    pass


def _address_block(ip: str | None) -> str:
    """The unit an address is throttled by: an IPv4 address, or the /64 of an IPv6 address (one
    subscriber usually holds a whole /64, so single IPv6 addresses would be free to rotate)."""
    if not ip:
        return "-"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _throttle_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    """The counters an attempt must pass: its address (any account) and the account at that address.
    No counter spans addresses, so failures from one address never lock the real user out elsewhere."""
    address = _address_block(ip)
    return [
        (f"a:{address}", settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
        (f"u:{username.strip().lower()[:150]}|{address}", settings.LOGIN_MAX_FAILURES),
    ]


def login_reserve(*, username: str, ip: str | None) -> dict | None:
    """Take one password check from every counter of this attempt, or None when one is used up.

    Each counter is raised by one conditional UPDATE (`failures < limit`), which the database runs
    one at a time per row, so of any number of parallel attempts at most `limit` get a check. A
    reservation counts as a failure until `login_settle` says the password was right."""
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    expired = Q(reset_at__isnull=True) | Q(reset_at__lt=now)
    counts = {}
    try:
        with transaction.atomic():
            for key, limit in _throttle_keys(username, ip):
                for _attempt in range(2):  # again if the nightly clean-up removed the row in between
                    LoginThrottle.objects.get_or_create(key=key)
                    taken = LoginThrottle.objects.filter(Q(key=key) & (Q(failures__lt=limit) | expired)).update(
                        failures=Case(When(expired, then=Value(1)), default=F("failures") + 1),
                        reset_at=now + window,
                    )
                    if taken or LoginThrottle.objects.filter(key=key).exists():
                        break
                if not taken:
                    raise _Refused
                counts[key] = (LoginThrottle.objects.values_list("failures", flat=True).get(key=key), limit)
    except _Refused:
        return None
    return counts


@transaction.atomic
def login_settle(*, reservation: dict, success: bool) -> list[str]:
    """After the password check: a success gives the address its check back and clears the account's
    counter at that address; a failure keeps it. Returns the keys this failure locked."""
    if success:
        for key in reservation:
            qs = LoginThrottle.objects.filter(key=key)
            if key.startswith("u:"):
                qs.update(failures=0, reset_at=None)
            else:
                qs.filter(failures__gt=0).update(failures=F("failures") - 1)
        return []
    return [key for key, (count, limit) in reservation.items() if count >= limit]


def login_is_locked(*, username: str, ip: str | None) -> bool:
    """True when this account cannot try a password from this address now (no counter is changed)."""
    now = timezone.now()
    for key, limit in _throttle_keys(username, ip):
        row = LoginThrottle.objects.filter(key=key).first()
        if row and row.failures >= limit and row.reset_at and row.reset_at >= now:
            return True
    return False


@transaction.atomic
def login_attempt_record(*, username: str, ip: str | None, success: bool) -> LoginAttempt:
    return LoginAttempt.objects.create(username=username[:150], ip=ip, success=success)


WRONG_CODE = _("Koden stämmer inte. Skriv de sex siffrorna som appen visar just nu.")


@transaction.atomic
def totp_verify(*, user, token: str):
    """Check a code from the user's authenticator; a code right for a device being set up confirms it.
    Wrong codes slow further tries down (django-otp's throttling). Returns the device or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("id").first()
              or TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first())
    if device is None or not device.verify_token((token or "").strip().replace(" ", "")):
        return None
    if not device.confirmed:
        device.confirmed = True
        device.save()
    return device


@transaction.atomic
def totp_reset(*, user, by) -> int:
    """An administrator removes a user's authenticators (a lost phone); the user sets up a new one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from . import policy

    policy.ensure(by, "users.manage", message=NOT_ADMIN)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    return removed


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
