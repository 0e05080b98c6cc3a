"""The audit log as people read it: Swedish model and field names, names instead of ids,
choices by their label, and no password material at all."""

from datetime import datetime

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .registry import PASSWORD_CHANGED

HIDDEN = {"password"}


def _model(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def model_name(label: str) -> str:
    model = _model(label)
    return str(model._meta.verbose_name).capitalize() if model else label


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 – a field that no longer exists is shown by its name
        return None


def changes_table(entries) -> dict[int, list[tuple[str, str, str]]]:
    """entry id → [(field label, before, after)], related objects looked up once per model."""
    wanted: dict[type, set] = {}
    for e in entries:
        model = _model(e.model)
        for name, pair in (e.changes or {}).items():
            field = _field(model, name) if model else None
            if field is not None and field.many_to_one and isinstance(pair, list):
                wanted.setdefault(field.related_model, set()).update(v for v in pair if v not in (None, ""))
    names = {
        related: {str(o.pk): str(o) for o in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }

    def show(field, value):
        if value in (None, ""):
            return "–"
        if field is None:
            return str(value)
        if field.many_to_one:
            return names.get(field.related_model, {}).get(str(value), "#{} ({})".format(value, _("borttagen")))
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Ja") if value else _("Nej")
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:  # stored as ISO in UTC; shown in local time to the second
                return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
            except (ValueError, TypeError):
                return value
        return str(value)

    table = {}
    for e in entries:
        model = _model(e.model)
        rows = []
        for name, pair in (e.changes or {}).items():
            field = _field(model, name) if model else None
            label = str(field.verbose_name).capitalize() if field is not None else name
            if name in HIDDEN:
                rows.append((label, "", PASSWORD_CHANGED))
                continue
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            shown_before = "" if e.action == "create" else show(field, before)
            rows.append((label, shown_before, show(field, after)))
        table[e.pk] = rows
    return table
