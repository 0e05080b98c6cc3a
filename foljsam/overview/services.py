"""Writes of the provider overview: quality reports requested and handed in, survey and ickeval imports."""

import io
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.accounts import policy
from foljsam.accounts.services import NOT_OFFICER
from foljsam.lib import csvfiles
from foljsam.ops import mail
from foljsam.registry.models import Ownership, Provider, Unit

from .models import NARRATIVE_HEADINGS, ChoiceShare, QualityNarrative, SurveyResult

log = logging.getLogger(__name__)

NOT_YOURS = _("Kvalitetsberättelsen hör inte till din organisation.")
ALREADY_SUBMITTED = _("Kvalitetsberättelsen är redan inlämnad.")
EMPTY_NARRATIVE = _("Skriv under minst en rubrik innan du lämnar in.")
UNKNOWN_HEADING = _("Okänd rubrik i kvalitetsberättelsen.")
NOTHING_TO_REQUEST = _("Alla utförare inom området har redan fått begäran för året.")
BAD_FILE = _("Filen kan inte läsas. Använd Excel (.xlsx) eller CSV.")
MISSING_COLUMNS = _("Kolumnerna %(columns)s saknas i filen.")
BAD_SHARE = _("Rad %(line)s: ”%(value)s” är inte en andel mellan 0 och 100.")
UNKNOWN_UNIT = _("Rad %(line)s: enheten ”%(value)s” finns inte i registret.")
AMBIGUOUS_UNIT = _("Rad %(line)s: det finns flera enheter som heter ”%(value)s”.")
UNKNOWN_PROVIDER = _("Rad %(line)s: utförar-id ”%(value)s” finns inte i registret.")
NO_ROWS = _("Filen innehåller inga rader.")
EMPTY_QUESTION = _("Rad %(line)s: frågan saknas.")

SURVEY_COLUMNS = ("Enhet", "Fråga", "Andel positiva")
CHOICE_COLUMNS = ("Utförar-id", "Andel ickeval")


def _ensure(by, capability):
    policy.ensure(by, capability, message=NOT_OFFICER)


# --- Quality reports (kvalitetsberättelser) --------------------------------------------------

@transaction.atomic
def narrative_request(*, by, area, year: int, notify: bool = True) -> list[QualityNarrative]:
    """Ask every private provider with a contract in the area during `year` for its quality report."""

    _ensure(by, "overview.edit")
    from .selectors import providers_in

    providers = providers_in(area, year).filter(ownership=Ownership.PRIVATE)
    created = [QualityNarrative.objects.create(provider=p, year=year, requested_by=by)
               for p in providers if not QualityNarrative.objects.filter(provider=p, year=year).exists()]
    if not created:
        raise ValidationError(NOTHING_TO_REQUEST, code="nothing_to_request")
    for narrative in created if notify else ():
        _mail_request(narrative)
    return created


def _mail_request(narrative: QualityNarrative) -> None:
    """Tell the provider's users (and its contact address) once the request is committed; a failing
    mail server is logged and does not undo the request, which the provider also sees on its start page."""
    to = sorted({u.email for u in policy.users_acting_for("overview.narrative", narrative) if u.email}
                | ({narrative.provider.contact_email} if narrative.provider.contact_email else set()))
    if not to:
        return
    body = render_to_string("overview/email/narrative_request.txt", {
        "narrative": narrative, "url": settings.SITE_ROOT.rstrip("/") + reverse("overview:narrative",
                                                                                args=[narrative.pk])})
    mail.send_on_commit(subject=_("Begäran om kvalitetsberättelse %(year)s") % {"year": narrative.year}, body=body,
                        to=to)


@transaction.atomic
def narrative_save(*, narrative: QualityNarrative, by, content: dict, submit: bool = False) -> QualityNarrative:
    """The provider's own users write it (officers may register it for them); submitted is final."""
    policy.ensure(by, "overview.narrative", narrative, message=NOT_YOURS)
    if narrative.submitted_at:
        raise ValidationError(ALREADY_SUBMITTED, code="already_submitted")
    keys = {k for k, _label in NARRATIVE_HEADINGS}
    if set(content) - keys:
        raise ValidationError(UNKNOWN_HEADING, code="unknown_heading")
    narrative.content = {k: (content.get(k) or "").strip() for k in keys}
    if submit:
        if not any(narrative.content.values()):
            raise ValidationError(EMPTY_NARRATIVE, code="empty")
        narrative.submitted_at = timezone.now()
        narrative.submitted_by = by
    narrative.save()
    return narrative


# --- Imports ---------------------------------------------------------------------------------

def _rows(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 – any broken workbook is the user's file, not our error
            raise ValidationError(BAD_FILE, code="bad_file") from exc
        values = list(wb.worksheets[0].iter_rows(values_only=True))
        if not values:
            raise ValidationError(NO_ROWS, code="no_rows")
        header = [str(h or "").strip() for h in values[0]]
        rows = [(i + 2, {h: ("" if v is None else str(v)).strip() for h, v in zip(header, row, strict=False)})
                for i, row in enumerate(values[1:]) if any(v not in (None, "") for v in row)]
        return header, rows
    try:
        return csvfiles.read_rows(data)
    except csvfiles.CsvError as exc:
        raise ValidationError(str(exc), code="bad_file") from exc


def _need(header, columns):
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValidationError(MISSING_COLUMNS, code="missing_columns", params={"columns": ", ".join(missing)})


def parse_share(value: str) -> float | None:
    """'86', '86,5', '86 %' → percent; None when not a number in 0–100."""
    text = re.sub(r"\s|%", "", value).replace(",", ".")
    try:
        share = float(text)
    except ValueError:
        return None
    return share if 0 <= share <= 100 else None


@transaction.atomic
def survey_import(*, by, data: bytes, filename: str, year: int) -> int:
    """All rows or none: every unit must be known and every share a percentage. Re-importing a year
    replaces that year's figures of the units in the file."""
    _ensure(by, "overview.edit")
    header, rows = _rows(data, filename)
    _need(header, SURVEY_COLUMNS)
    if not rows:
        raise ValidationError(NO_ROWS, code="no_rows")
    units: dict[str, list[Unit]] = {}
    for unit in Unit.objects.all():
        units.setdefault(unit.name.casefold(), []).append(unit)
    parsed = []
    for line, row in rows:
        name, question = row.get("Enhet", ""), row.get("Fråga", "")
        found = units.get(name.casefold(), [])
        if not found:
            raise ValidationError(UNKNOWN_UNIT, code="unknown_unit", params={"line": line, "value": name})
        if len(found) > 1:
            raise ValidationError(AMBIGUOUS_UNIT, code="ambiguous_unit", params={"line": line, "value": name})
        if not question:
            raise ValidationError(EMPTY_QUESTION, code="empty_question", params={"line": line})
        share = parse_share(row.get("Andel positiva", ""))
        if share is None:
            raise ValidationError(BAD_SHARE, code="bad_share",
                                  params={"line": line, "value": row.get("Andel positiva")})
        parsed.append((found[0], question[:300], share))
    SurveyResult.objects.filter(year=year, unit__in={u for u, _q, _s in parsed}).delete()
    for unit, question, share in parsed:
        SurveyResult.objects.update_or_create(unit=unit, year=year, question=question,
                                              defaults={"share_positive": share})
    return len(parsed)


@transaction.atomic
def choice_import(*, by, data: bytes, filename: str, year: int, area) -> int:
    _ensure(by, "overview.edit")
    header, rows = _rows(data, filename)
    _need(header, CHOICE_COLUMNS)
    if not rows:
        raise ValidationError(NO_ROWS, code="no_rows")
    providers = {p.code.casefold(): p for p in Provider.objects.all()}
    parsed = []
    for line, row in rows:
        code = row.get("Utförar-id", "")
        provider = providers.get(code.casefold())
        if provider is None:
            raise ValidationError(UNKNOWN_PROVIDER, code="unknown_provider", params={"line": line, "value": code})
        share = parse_share(row.get("Andel ickeval", ""))
        if share is None:
            raise ValidationError(BAD_SHARE, code="bad_share",
                                  params={"line": line, "value": row.get("Andel ickeval")})
        parsed.append((provider, share))
    for provider, share in parsed:
        ChoiceShare.objects.update_or_create(provider=provider, area=area, year=year, defaults={"share": share})
    return len(parsed)

