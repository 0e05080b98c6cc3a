"""Audit every create, change and delete of registered models via model signals.

Signals catch the admin-free paths too (services, imports, the demo loader), so no write
can bypass the log. Bulk operations (queryset.update/bulk_create) bypass signals, so the
services of audited models do not use them.
"""

import datetime
import decimal
import hashlib

from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

from .context import current_user
from .models import AuditEntry

_registered: set[type] = set()


SKIPPED = {"last_login"}  # noise, not a change anybody made


def _value(obj, field):
    value = getattr(obj, field.attname)
    if field.name == "password":
        # Never the hash itself: a short digest of it shows that it changed, nothing more.
        return hashlib.sha256(value.encode()).hexdigest()[:8] if value else ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if isinstance(value, FieldFile):  # uploads: log the stored name, not the file object
        return value.name
    return value


def _snapshot(obj) -> dict:
    return {f.name: _value(obj, f) for f in obj._meta.concrete_fields if not f.primary_key and f.name not in SKIPPED}


PASSWORD_CHANGED = "(ändrat)"


def _write(action, instance, changes):
    if "password" in changes:  # the log says that it changed, never anything derived from the hash
        changes = {**changes, "password": [None, PASSWORD_CHANGED if action != AuditEntry.Action.DELETE else None]}
    user = current_user()
    AuditEntry.objects.create(
        user=user,
        username=user.get_username() if user else "system",
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        _write(AuditEntry.Action.CREATE, instance, {k: [None, v] for k, v in after.items() if v not in (None, "")})
        return
    diff = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if diff:
        _write(AuditEntry.Action.UPDATE, instance, diff)


def _post_delete(sender, instance, **kwargs):
    _write(AuditEntry.Action.DELETE, instance, {k: [v, None] for k, v in _snapshot(instance).items()})


def audit(model):
    """Class decorator / call: put `model` under the audit log."""
    if model not in _registered:
        _registered.add(model)
        pre_save.connect(_pre_save, sender=model, dispatch_uid=f"audit-pre-{model._meta.label}")
        post_save.connect(_post_save, sender=model, dispatch_uid=f"audit-post-{model._meta.label}")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label}")
    return model


def audited_models() -> set[type]:
    return set(_registered)
