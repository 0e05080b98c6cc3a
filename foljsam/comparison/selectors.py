"""Reads of the comparison app."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from foljsam.accounts.policy import can
from foljsam.accounts.selectors import visible
from foljsam.registry.models import Area, Provider

from .models import COUNTRY, KoladaValue, Publication

CONTINUITY_KPIS = ("U21401", "U21402")


def public_areas():
    """Areas with a current publication, each with its newest one."""
    latest = {}
    for pub in Publication.objects.filter(withdrawn_at__isnull=True).select_related("area"):
        latest.setdefault(pub.area_id, pub)  # newest first (Meta.ordering)
    return sorted(latest.values(), key=lambda p: (p.area.sort_order, p.area.name))


def public_publication(*, area_code: str) -> Publication | None:
    return (Publication.objects.filter(area__code=area_code, withdrawn_at__isnull=True)
            .select_related("area").first())


def publications(*, user):
    if not can(user, "comparison.view"):
        return Publication.objects.none()
    return Publication.objects.select_related("area", "by")


def provider_years(provider) -> dict[int, dict]:
    """{year: {"continuity_mean", "continuity_median"}} of a provider from the monthly snapshots:
    the means of the months weighted by their eligible clients (the national definition is per month)."""
    from foljsam.monthly.models import KpiSnapshot

    return _years(KpiSnapshot.objects.filter(provider=provider).values_list("period", "values"))


def _years(snapshots) -> dict[int, dict]:
    by_year: dict[int, list] = {}
    for period, values in snapshots:
        by_year.setdefault(int(period[:4]), []).append(values)
    out = {}
    for year, values in by_year.items():
        out[year] = {}
        for key in ("continuity_mean", "continuity_median"):
            pairs = [(v[key], v.get("continuity_clients") or 0) for v in values if v.get(key) is not None]
            n = sum(w for _v, w in pairs)
            out[year][key] = round(sum(v * w for v, w in pairs) / n, 2) if n else None
    return out


def nation_table(*, user, area: Area) -> dict:
    """Each provider's continuity per year beside its own municipality, similar municipalities and the
    country (Kolada U21401 mean / U21402 median) – for officers and readers."""
    municipality = settings.FOLJSAM_MUNICIPALITY_CODE
    similar = settings.FOLJSAM_SIMILAR_MUNICIPALITIES
    values = KoladaValue.objects.filter(kpi__in=CONTINUITY_KPIS, gender="T", ou="")
    years = sorted(set(values.values_list("year", flat=True)))

    rows_by = {}  # one query for every reference series, not one per KPI and year
    for kpi, year, code, value in values.values_list("kpi", "year", "municipality", "value"):
        if value is not None:
            rows_by.setdefault((kpi, year), []).append((code, value))

    def series(kpi, codes):
        out = {}
        for year in years:
            vals = [v for code, v in rows_by.get((kpi, year), []) if code in codes]
            out[year] = round(sum(vals) / len(vals), 2) if vals else None
        return out

    reference = {
        "municipality": series("U21401", [municipality]) if municipality else {},
        "similar": series("U21401", similar) if similar else {},
        "country": series("U21401", [COUNTRY]),
        "municipality_median": series("U21402", [municipality]) if municipality else {},
        "country_median": series("U21402", [COUNTRY]),
    }
    providers = list(visible(Provider.objects.filter(Q(contracts__area=area)).distinct().order_by("name"), user))
    from foljsam.monthly.models import KpiSnapshot

    snapshots: dict[int, list] = {}  # one query for every provider's snapshots, not one per provider
    for provider_id, period, snap in KpiSnapshot.objects.filter(provider_id__in=[p.pk for p in providers]).values_list(
            "provider_id", "period", "values"):
        snapshots.setdefault(provider_id, []).append((period, snap))
    rows = []
    for provider in providers:
        own = _years(snapshots.get(provider.pk, []))
        years_all = sorted(set(years) | set(own))
        rows.append({"provider": provider, "years": {y: own.get(y, {}) for y in years_all}})
    all_years = sorted(set(years) | {y for r in rows for y in r["years"]})
    return {"years": all_years, "reference": reference, "rows": rows,
            "municipality": municipality, "similar": similar}
