"""Writes of the reports: the officer's prose per section of a report (the yearly report, the quality
report), kept in versions."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from foljsam.accounts import policy
from foljsam.accounts.services import NOT_OFFICER

from .models import SectionText

UNKNOWN_SECTION = _("Okänt avsnitt i rapporten.")
UNCHANGED = _("Texten är oförändrad; ingen ny version sparades.")
STALE = _("Någon annan har sparat en ny version under tiden. Läs den och spara igen.")


def report_sections(report: str) -> dict:
    """The sections with prose of a report ({} for an unknown report)."""
    from . import quality, yearly

    return {"yearly": yearly.SECTIONS, "quality": quality.SECTIONS}.get(report, {})


@transaction.atomic
def section_text_save(*, year: int, section: str, text: str, by, based_on: int | None = None,
                      report: str = "yearly") -> SectionText:
    """A new version of a section's prose. `based_on` is the version the officer edited; if another
    version was saved since, nothing is saved (no silent overwrite)."""
    policy.ensure(by, "reports.edit", message=NOT_OFFICER)
    if section not in report_sections(report):
        raise ValidationError(UNKNOWN_SECTION, code="unknown_section")
    texts = SectionText.objects.filter(report=report, year=year, section=section)
    latest = texts.aggregate(v=Max("version"))["v"] or 0
    if based_on is not None and based_on != latest:
        raise ValidationError(STALE, code="stale")
    current = texts.filter(version=latest).first()
    text = text.replace("\r\n", "\n").strip()
    if current is not None and current.text == text:
        raise ValidationError(UNCHANGED, code="unchanged")
    try:
        with transaction.atomic():
            return SectionText.objects.create(report=report, year=year, section=section, version=latest + 1,
                                              text=text, by=by)
    except IntegrityError:  # a simultaneous save took this version number
        raise ValidationError(STALE, code="stale") from None
