"""The two calls views and services make to log what is not a model change.

`log_event` writes one audit entry (logins, imports, sends, downloads …); `log_access` writes
one access-log entry for row-level data of a provider and the matching audit entry. Both take
the acting user explicitly (None for the system) and never fail the caller's request because
of the log: a log write happens in the caller's transaction, like the model-signal entries.
"""

from .models import AccessEntry, AuditEntry

Action = AuditEntry.Action


def _who(user):
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_username()
    return None, "system"


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a proxy the entry the proxy appended
    (the rightmost of FOLJSAM_CLIENT_IP_HEADER, e.g. X-Forwarded-For)."""
    from django.conf import settings

    if request is None:
        return None
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def log_event(*, user, action: str, obj=None, detail: str = "", username: str = "", ip: str | None = None):
    who, name = _who(user)
    return AuditEntry.objects.create(
        user=who, username=(username or name)[:150], action=action,
        model=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        detail=detail, ip=ip,
    )


def log_access(*, user, provider, what: str, period: str = "", kind: str = AccessEntry.Kind.VIEW,
               rows: int | None = None, request=None):
    """One view or export of `provider`'s row-level data by `user`: an access-log entry and an audit entry."""
    who, name = _who(user)
    full_name = who.get_full_name() if who else ""
    entry = AccessEntry.objects.create(
        user=who, username=name[:150], user_name=full_name[:300], provider=provider,
        provider_name=str(provider)[:300] if provider is not None else "", kind=kind, period=period[:16],
        what=what[:300], rows=rows, path=request.get_full_path()[:500] if request is not None else "",
    )
    action = Action.EXPORT if kind == AccessEntry.Kind.EXPORT else Action.VIEW
    log_event(user=user, action=action, obj=provider, detail=f"{what} {period}".strip(),
              ip=client_ip(request))
    return entry
