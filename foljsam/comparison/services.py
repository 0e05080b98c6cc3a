"""Writes of the comparison app: Kolada import and the publication of public figures."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.lib.dates import add_months, month_bounds

from .models import COUNTRY, KoladaValue, ProviderProfile, Publication

# Figures from fewer clients than this are never published (nor any row-level data).
MIN_CLIENTS = 10
KOLADA_API = "https://api.kolada.se/v3"
MAX_PAGES = 200

ERR_JSON = _("Filen är inte Kolada-data i JSON (API v3): %(detail)s")
ERR_NO_VALUES = _("Filen innehåller inga Kolada-värden.")
ERR_PERIOD = _("Perioden ska vara ett år (ÅÅÅÅ) eller ett kvartal (ÅÅÅÅ-Qn).")
ERR_NOTHING = _("Det finns inga nyckeltal för %(area)s under %(period)s att publicera.")
ERR_WITHDRAWN = _("Publiceringen är redan tillbakadragen.")
ERR_FETCH = _("Kolada svarade inte: %(detail)s")

PROFILE_FACTS = ("area_served", "languages", "specialisations", "website")
_KPI_RE = re.compile(r"^[A-Z]\d{5}$")
_PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


def parse_kolada(payload) -> list[dict]:
    """The values of one Kolada API response: [{kpi, municipality, ou, year, gender, value, count, status}]."""
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), list):
        raise ValidationError(ERR_JSON, code="kolada_format", params={"detail": "values saknas"})
    rows = []
    for item in payload["values"]:
        try:
            kpi = str(item["kpi"])
            year = int(item["period"])
            inner = item["values"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(ERR_JSON, code="kolada_format", params={"detail": str(exc)}) from exc
        if not _KPI_RE.fullmatch(kpi) or not 1990 <= year <= 2100 or not isinstance(inner, list):
            raise ValidationError(ERR_JSON, code="kolada_format", params={"detail": f"{kpi} {year}"})
        for v in inner:
            value = v.get("value")
            rows.append({
                "kpi": kpi,
                "municipality": str(item.get("municipality") or "")[:4],
                "ou": str(item.get("ou") or "")[:40],
                "year": year,
                "gender": str(v.get("gender") or "T")[:1],
                "value": float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None,
                "count": v.get("count") if isinstance(v.get("count"), int) else None,
                "status": str(v.get("status") or "")[:20],
            })
    return rows


@transaction.atomic
def kolada_import(*, rows: list[dict]) -> int:
    """Store Kolada values; a value already stored for the same key is replaced. All or nothing."""
    if not rows:
        raise ValidationError(ERR_NO_VALUES, code="kolada_empty")
    for r in rows:
        KoladaValue.objects.update_or_create(
            kpi=r["kpi"], municipality=r["municipality"], ou=r["ou"], year=r["year"], gender=r["gender"],
            defaults={"value": r["value"], "count": r["count"], "status": r["status"]},
        )
    return len(rows)


def kolada_import_file(*, data: bytes) -> int:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(ERR_JSON, code="kolada_format", params={"detail": str(exc)[:200]}) from exc
    return kolada_import(rows=parse_kolada(payload))


def kolada_url(*, kpi: str, municipality: str | None = None, ou: str | None = None, year: int) -> str:
    if not _KPI_RE.fullmatch(kpi):
        raise ValidationError(_("Okänt nyckeltal: %(kpi)s"), code="kolada_kpi", params={"kpi": kpi})
    where = f"ou/{urllib.parse.quote(ou)}" if ou else f"municipality/{urllib.parse.quote(municipality or '')}"
    return f"{KOLADA_API}/data/kpi/{kpi}/{where}/year/{int(year)}"


def kolada_fetch(*, kpi: str, municipality: str | None = None, ou: str | None = None, year: int,
                 opener=None) -> list[dict]:
    """All pages of one query to Kolada's API (`opener` defaults to urllib's urlopen)."""
    opener = opener or urllib.request.urlopen
    url, rows = kolada_url(kpi=kpi, municipality=municipality, ou=ou, year=year), []
    for _page in range(MAX_PAGES):
        try:
            with opener(url, timeout=30) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationError(ERR_FETCH, code="kolada_fetch", params={"detail": str(exc)[:200]}) from exc
        rows.extend(parse_kolada(payload))
        url = payload.get("next_url") or payload.get("next_page") or payload.get("next")
        if not url:
            break
    return rows


# --- publication ---------------------------------------------------------------------------

def period_months(period: str) -> list[str]:
    match = _PERIOD_RE.fullmatch(period or "")
    if not match:
        raise ValidationError(ERR_PERIOD, code="period")
    year, quarter = int(match.group(1)), match.group(2)
    first = date(year, (int(quarter) - 1) * 3 + 1, 1) if quarter else date(year, 1, 1)
    count = 3 if quarter else 12
    return [add_months(first, i).strftime("%Y-%m") for i in range(count)]


def suppress(value, base):
    """The value when at least MIN_CLIENTS clients stand behind it, else None (shown as "–")."""
    if value is None or base is None or base < MIN_CLIENTS:
        return None
    return value


def _monthly_figures(provider, months) -> dict:
    from foljsam.monthly.models import KpiSnapshot

    snaps = [s.values for s in KpiSnapshot.objects.filter(provider=provider, period__in=months)]
    clients = max((v.get("clients") or 0 for v in snaps), default=0)
    executed = sum(v.get("executed_minutes") or 0 for v in snaps)
    granted = sum(v.get("granted_minutes") or 0 for v in snaps)
    cont = [(v["continuity_mean"], v.get("continuity_clients") or 0) for v in snaps
            if v.get("continuity_mean") is not None and v.get("continuity_clients")]
    cont_n = sum(n for _v, n in cont)
    # Distinct clients over several months are at least the largest month's: a conservative base.
    cont_base = max((n for _v, n in cont), default=0)
    return {
        "clients": suppress(clients, clients),
        "execution_rate": suppress(round(executed / granted, 4) if granted else None, clients),
        "continuity_mean": suppress(round(sum(v * n for v, n in cont) / cont_n, 2) if cont_n else None, cont_base),
    }


def _requirements_met(provider, area, year) -> float | None:
    from foljsam.followups.models import Answer, Rating, Status

    answers = Answer.objects.filter(assessment__unit__provider=provider, assessment__campaign__area=area,
                                    assessment__campaign__year=year, assessment__status=Status.FINAL)
    green = answers.filter(rating=Rating.GREEN).count()
    rated = answers.filter(rating__in=[Rating.GREEN, Rating.YELLOW, Rating.RED]).count()
    return round(green / rated, 4) if rated else None


def _kolada(kpi, year, **where):
    row = KoladaValue.objects.filter(kpi=kpi, year=year, gender="T", **where).first()
    return row.value if row else None


@transaction.atomic
def publication_create(*, area, period: str, by) -> Publication:
    """Freeze the public figures of an area and period; only suppressed, aggregated values go in."""
    from foljsam.registry.models import Provider

    months = period_months(period)
    year = int(period[:4])
    survey_kpi = settings.FOLJSAM_PUBLIC_SURVEY_KPI
    first, last = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    # One filter() call, so that start and end are of the same contract: active some day in the period.
    providers = Provider.objects.filter(
        Q(contracts__end__isnull=True) | Q(contracts__end__gte=first), contracts__area=area, contracts__start__lte=last,
    ).distinct().order_by("name")
    rows = []
    for provider in providers:
        profile = ProviderProfile.objects.filter(provider=provider).first()
        if profile and not profile.published:
            continue
        figures = _monthly_figures(provider, months) if area.monthly_followup else {}
        figures["requirements_met"] = _requirements_met(provider, area, year)
        satisfaction = _kolada(survey_kpi, year, ou=profile.kolada_ou) if profile and profile.kolada_ou else None
        figures["satisfaction"] = satisfaction
        rows.append({
            "code": provider.code, "name": provider.name, "ownership": provider.get_ownership_display(),
            "phone": provider.phone, "email": provider.contact_email, "address": provider.address,
            **{f: getattr(profile, f) if profile else "" for f in PROFILE_FACTS},
            "figures": figures,
        })
    if not rows or not any(v is not None for r in rows for v in r["figures"].values()):
        raise ValidationError(ERR_NOTHING, code="nothing_to_publish", params={"area": area.name, "period": period})
    municipality = settings.FOLJSAM_MUNICIPALITY_CODE
    nation = {
        "continuity_municipality": _kolada("U21401", year, municipality=municipality, ou="") if municipality else None,
        "continuity_country": _kolada("U21401", year, municipality=COUNTRY, ou=""),
        "year": year,
    }
    return Publication.objects.create(area=area, period=period, by=by,
                                      content={"providers": rows, "nation": nation, "months": months})


@transaction.atomic
def publication_withdraw(*, publication: Publication, by) -> Publication:
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.withdrawn_at:
        raise ValidationError(ERR_WITHDRAWN, code="withdrawn")
    publication.withdrawn_at = timezone.now()
    publication.save(update_fields=["withdrawn_at"])
    return publication


@transaction.atomic
def profile_save(*, provider, data: dict, by) -> ProviderProfile:
    profile, _created = ProviderProfile.objects.get_or_create(provider=provider)
    for field, value in data.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    return profile
