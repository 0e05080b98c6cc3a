"""Derived reads cached until the data they come from change (issue 12 item 11).

The start page's proposals, the monthly red streaks and matrix, and the contract follow-up's results
are computed from data that change only through an import, a snapshot refresh or a user's saved
change. `cached(name, compute, user=…, parts=…)` keeps such a result in Django's cache under a key
that holds the **data version**: one query reading

- the newest audit-log entry (every create/change/delete of an audited model writes one, in the
  same transaction as the change, and so do logins and imports' events),
- the key-figure snapshots' count and newest `computed_at` (a refresh after an import rewrites
  them; they are not audited), and
- the finished imports' count and newest `finished_at` (a finished import declares a month).

The version is read once per request (and again after this thread saves or deletes a row). Any such
write makes a new version, so the next read recomputes; nothing has to be invalidated by
hand, in any process. Writes that bypass the audit log (queryset.update, bulk_create – not used by
services on audited models, see audit/registry.py) are bounded by FOLJSAM_DATA_CACHE_SECONDS
(default 300 s; 0 turns the cache off). Keys also hold the user (what a user may see depends on
role, provider and units – a change of those is an audited write), the active language (the
results hold translated text) and today's date (proposals depend on it).
"""

from __future__ import annotations

import hashlib
import threading

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

_SENTINEL = object()
_memo = threading.local()  # the version, read once per request (a page asks for several cached reads)


def forget(**_kwargs) -> None:
    """Read the version again next time: a new request began, or this thread saved or deleted a row."""
    _memo.version = None


request_started.connect(forget, dispatch_uid="datacache-request")
post_save.connect(forget, dispatch_uid="datacache-save")
post_delete.connect(forget, dispatch_uid="datacache-delete")
m2m_changed.connect(forget, dispatch_uid="datacache-m2m")


def version() -> str:
    """The data version of this request: see _read_version."""
    current = getattr(_memo, "version", None)
    if current is None:
        current = _memo.version = _read_version()
    return current


def _read_version() -> str:
    """The data version: changes with every audited write, snapshot refresh and finished import."""
    from foljsam.audit.models import AuditEntry
    from foljsam.monthly.models import ImportRun, KpiSnapshot

    audit, snap, run = (m._meta.db_table for m in (AuditEntry, KpiSnapshot, ImportRun))
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {qn(audit)}), (SELECT COUNT(*) FROM {qn(snap)}), "
            f"(SELECT MAX(computed_at) FROM {qn(snap)}), (SELECT COUNT(*) FROM {qn(run)} WHERE status = %s), "
            f"(SELECT MAX(finished_at) FROM {qn(run)})", [ImportRun.Status.DONE])
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode()).hexdigest()[:16]


def cached(name: str, compute, *, user=None, parts: tuple = ()):
    """compute() once per data version (and user, language, day, parts); the stored value otherwise."""
    seconds = settings.FOLJSAM_DATA_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    who = "-" if user is None else f"{user.pk}" if user.is_authenticated else "anon"
    # Parts may hold what a user typed (a search): hashed, so a key stays short and plain for any backend.
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:20]
    key = ":".join(("data", name, version(), who, translation.get_language() or "",
                    timezone.localdate().isoformat(), digest))
    value = cache.get(key, _SENTINEL)
    if value is _SENTINEL:
        value = compute()
        cache.set(key, value, seconds)
    return value


def template_keys() -> dict:
    """For a template's `{% cache data_cache_seconds name data_version … %}` around a large table."""
    return {"data_version": version(), "data_cache_seconds": settings.FOLJSAM_DATA_CACHE_SECONDS}
