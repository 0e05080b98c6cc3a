"""The provider overview per area and year (seed 004). Provider users get only their own row; the
area's aggregates (median clients, own vs external split) are shown to everyone who may see the page."""

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.apps import apps
from django.db.models import Q

from foljsam.accounts.selectors import visible
from foljsam.registry.models import Ownership, Permit, PermitKind, Provider

from .models import ChoiceShare, QualityNarrative, SurveyResult


@dataclass
class Row:
    provider: Provider
    clients: int | None = None
    clients_period: str = ""
    execution_rate: float | None = None
    continuity: float | None = None
    manual_share: dict = field(default_factory=dict)  # year -> percent
    ivo: str = ""
    credit: str = ""
    narrative: QualityNarrative | None = None
    ickeval: float | None = None
    satisfaction: float | None = None


@dataclass
class Overview:
    area: object
    year: int
    years: list[int]
    rows: list[Row]
    median_clients: float | None
    split: dict  # "clients"/"granted"/"executed" -> {"own": n, "external": n}
    manual_by_ownership: dict  # year -> {"own": pct, "external": pct}
    survey: list  # (unit, [(question, share)])


def providers_in(area, year):
    """Providers with a contract in the area in force some day of the year (one contract meets all
    conditions: a filter() call joins one contract)."""
    return (Provider.objects.filter(Q(contracts__area=area), Q(contracts__start__lte=date(year, 12, 31)),
                                    Q(contracts__end__isnull=True) | Q(contracts__end__gte=date(year, 1, 1)))
            .distinct().order_by("name"))


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def provider_overview(*, user, area, year: int) -> Overview:
    providers = list(providers_in(area, year))
    years = [year - 3, year - 2, year - 1, year]
    snapshots: dict[int, list] = {}
    if apps.is_installed("foljsam.monthly") and area.monthly_followup:
        from foljsam.monthly.models import KpiSnapshot

        for s in KpiSnapshot.objects.filter(provider__in=providers, period__gte=f"{years[0]}-01",
                                            period__lte=f"{year}-12").order_by("period"):
            snapshots.setdefault(s.provider_id, []).append(s)
    permits = {(p.provider_id, p.kind): p.get_status_display()
               for p in Permit.objects.filter(provider__in=providers, kind__in=[PermitKind.IVO,
                                                                                 PermitKind.CREDIT_RATING])}
    narratives = {n.provider_id: n for n in QualityNarrative.objects.filter(provider__in=providers, year=year)}
    ickeval = {c.provider_id: c.share for c in ChoiceShare.objects.filter(area=area, year=year)}
    survey_rows = list(SurveyResult.objects.filter(year=year, unit__area=area).select_related("unit__provider"))
    satisfaction: dict[int, list] = {}
    for r in survey_rows:
        satisfaction.setdefault(r.unit.provider_id, []).append(r.share_positive)

    rows, split = [], {k: {"own": 0.0, "external": 0.0} for k in ("clients", "granted", "executed")}
    manual: dict[int, dict] = {y: {"own": [], "external": []} for y in years}
    for p in providers:
        own = "own" if p.ownership == Ownership.MUNICIPAL else "external"
        snaps = snapshots.get(p.pk, [])
        in_year = [s for s in snaps if s.period.startswith(str(year))]
        row = Row(p, ivo=permits.get((p.pk, PermitKind.IVO), ""),
                  credit=permits.get((p.pk, PermitKind.CREDIT_RATING), ""),
                  narrative=narratives.get(p.pk), ickeval=ickeval.get(p.pk),
                  satisfaction=_mean(satisfaction.get(p.pk, [])))
        if in_year:
            last = in_year[-1]
            row.clients, row.clients_period = last.values.get("clients"), last.period
            row.execution_rate = _mean([s.values.get("execution_rate") for s in in_year])
            row.continuity = _mean([s.values.get("continuity_mean") for s in in_year])
            split["clients"][own] += row.clients or 0
            split["granted"][own] += sum(s.values.get("granted_minutes") or 0 for s in in_year)
            split["executed"][own] += sum(s.values.get("executed_minutes") or 0 for s in in_year)
        for y in years:
            share = _mean([s.values.get("manual_share") for s in snaps if s.period.startswith(str(y))])
            if share is not None:
                row.manual_share[y] = 100 * share
                manual[y][own].append(100 * share)
        rows.append(row)
    external = [r.clients for r in rows if r.clients is not None and r.provider.ownership == Ownership.PRIVATE]
    visible_ids = set(visible(Provider.objects.filter(pk__in=[p.pk for p in providers]), user, "overview.view")
                      .values_list("pk", flat=True))
    by_unit: dict = {}
    for r in survey_rows:
        if r.unit.provider_id in visible_ids:
            by_unit.setdefault(r.unit, []).append((r.question, r.share_positive))
    return Overview(
        area=area, year=year, years=years,
        rows=[r for r in rows if r.provider.pk in visible_ids],
        median_clients=median(external) if external else None,
        split=split,
        manual_by_ownership={y: {k: _mean(v) for k, v in manual[y].items()} for y in years},
        survey=sorted(by_unit.items(), key=lambda kv: str(kv[0])),
    )


def narratives_for(*, user, year: int | None = None):
    qs = visible(QualityNarrative.objects.select_related("provider"), user, "overview.view")
    return qs.filter(year=year) if year else qs
