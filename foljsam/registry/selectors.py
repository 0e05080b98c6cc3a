"""Reads of the registry. Access goes through foljsam.accounts.selectors.visible."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from foljsam.accounts.selectors import visible
from foljsam.lib.dates import add_months

from .models import Area, Contract, EventKind, Ownership, Procurement, Provider, ProviderEvent, Sector, Unit

INDEPTH_AFTER_FIRST_CLIENT_MONTHS = 6


def provider_list(*, user, query: str = "", area: Area | None = None, ownership: str = "") -> QuerySet:
    qs = visible(Provider.objects.all(), user)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(org_number__icontains=query))
    if area:
        qs = qs.filter(contracts__area=area).distinct()
    if ownership:
        qs = qs.filter(ownership=ownership)
    return qs


def unit_list(*, user) -> QuerySet:
    return visible(Unit.objects.select_related("provider", "area"), user)


def active_contracts(*, on: date) -> QuerySet:
    return Contract.objects.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on)


@dataclass(frozen=True)
class ProvidersTableRow:
    area: Area
    jan_private: int
    jan_own: int
    dec_private: int
    dec_own: int


@dataclass(frozen=True)
class ProvidersTable:
    year: int
    sections: list[tuple[str, list[ProvidersTableRow]]]


def _counts(on: date) -> dict[tuple[int, str], int]:
    rows = (
        active_contracts(on=on)
        .values("area", "provider__ownership")
        .annotate(n=Count("provider", distinct=True))
    )
    return {(r["area"], r["provider__ownership"]): r["n"] for r in rows}


def providers_table(*, year: int, board=None) -> ProvidersTable:
    """Seed 000's table: providers per LOV area on 1 January and 31 December, private / own.

    A provider counts on a day when one of its contracts in the area is in force that day
    (start ≤ day ≤ end, open end = in force). Own units with missions of their own are
    providers of their own in the registry, as in the seed (daglig verksamhet: 17 own).
    """
    jan, dec = _counts(date(year, 1, 1)), _counts(date(year, 12, 31))
    areas = Area.objects.filter(procurement=Procurement.LOV)
    if board is not None:
        areas = areas.filter(board=board)
    sections = []
    for sector, label in Sector.choices:
        rows = []
        for area in areas.filter(sector=sector):
            row = ProvidersTableRow(
                area,
                jan.get((area.pk, Ownership.PRIVATE), 0),
                jan.get((area.pk, Ownership.MUNICIPAL), 0),
                dec.get((area.pk, Ownership.PRIVATE), 0),
                dec.get((area.pk, Ownership.MUNICIPAL), 0),
            )
            if row.jan_private or row.jan_own or row.dec_private or row.dec_own:
                rows.append(row)
        if rows:
            sections.append((str(label), rows))
    return ProvidersTable(year, sections)


@dataclass(frozen=True)
class IndepthDue:
    provider: Provider
    first_client: date
    due: date


def indepth_due(*, user, today: date | None = None, horizon_days: int = 45) -> list[IndepthDue]:
    """New providers whose six-month in-depth follow-up is due (seed 001), not yet done."""
    today = today or timezone.localdate()
    result = []
    firsts = visible(ProviderEvent.objects.filter(kind=EventKind.FIRST_CLIENT), user).select_related("provider")
    done = set(
        visible(ProviderEvent.objects.filter(kind=EventKind.INDEPTH_DONE), user).values_list("provider_id", "date")
    )
    for event in firsts.order_by("date"):
        due = add_months(event.date, INDEPTH_AFTER_FIRST_CLIENT_MONTHS)
        if due > today + timedelta(days=horizon_days):
            continue
        if any(pid == event.provider_id and day >= event.date for pid, day in done):
            continue
        result.append(IndepthDue(event.provider, event.date, due))
    return result
