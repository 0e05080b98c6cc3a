"""Reads of the monthly follow-up: matrices, series, flags. Access through accounts.selectors."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from foljsam import datacache
from foljsam.accounts.selectors import visible
from foljsam.lib.dates import month_bounds
from foljsam.registry.models import Area, Contract, ContractForm, Ownership, Provider

from .engine.kpis import BY_KEY, CATALOGUE
from .models import FollowUpScope, ImportRun, KpiSnapshot, Threshold, default_contract_forms, default_ownerships

RED_STREAK_MONTHS = 3
ONE_DECIMAL = {"median_visit_minutes", "continuity_mean", "continuity_median"}


class Limits:
    """Thresholds in force: per tender document, else the default row, else the catalogue's."""

    def __init__(self):
        self._rows = None  # read on first use: a view whose matrix and streaks come from the cache needs none

    def _load(self):
        self._rows = {(t.key, t.tender_id): (t.yellow, t.red) for t in Threshold.objects.all()}
        self._tender_of = {}
        today = timezone.localdate()
        contracts = (
            Contract.objects.filter(area__monthly_followup=True, start__lte=today)
            .filter(Q(end__isnull=True) | Q(end__gte=today))
            .values_list("provider_id", "tender_id")
        )
        for provider_id, tender_id in contracts:
            self._tender_of.setdefault(provider_id, tender_id)

    def get(self, key: str, provider_id: int | None = None) -> tuple[float | None, float | None]:
        if self._rows is None:
            self._load()
        tender_id = self._tender_of.get(provider_id)
        if tender_id and (key, tender_id) in self._rows:
            return self._rows[(key, tender_id)]
        if (key, None) in self._rows:
            return self._rows[(key, None)]
        kpi = BY_KEY[key]
        return kpi.default_yellow, kpi.default_red

    def status(self, key: str, value, provider_id: int | None = None) -> str | None:
        yellow, red = self.get(key, provider_id)
        return BY_KEY[key].status(value, yellow, red)


@dataclass(frozen=True)
class Cell:
    key: str
    value: object
    status: str | None  # green | yellow | red | None (no threshold); "grey" = no data this month


NO_DATA = "grey"


@dataclass(frozen=True)
class Scope:
    area: object
    contract_forms: list[str]
    ownerships: list[str]

    def describe(self) -> str:
        forms = dict(ContractForm.choices)
        owners = {Ownership.PRIVATE: gettext("privata utförare"), Ownership.MUNICIPAL: gettext("egen regi")}
        return gettext("%(area)s: %(forms)s; %(owners)s") % {
            "area": self.area.name, "forms": ", ".join(str(forms.get(f, f)) for f in self.contract_forms) or "–",
            "owners": ", ".join(str(owners.get(o, o)) for o in self.ownerships) or "–"}


def scopes() -> list[Scope]:
    """Who is followed monthly, per area with monthly follow-up (default: private LOV providers)."""
    rows = {s.area_id: s for s in FollowUpScope.objects.all()}
    out = []
    for area in Area.objects.filter(monthly_followup=True):
        row = rows.get(area.pk)
        out.append(Scope(area, row.contract_forms if row else default_contract_forms(),
                         row.ownerships if row else default_ownerships()))
    return out


def followed_providers(*, period: str, user=None):
    """Providers followed in `period`: a contract in force some day of the month in an area with
    monthly follow-up, of a contract form and ownership the area's scope names."""
    first, last = month_bounds(period)
    q = Q(pk__in=[])
    for scope in scopes():
        q |= Q(area=scope.area, form__in=scope.contract_forms, provider__ownership__in=scope.ownerships)
    contracts = Contract.objects.filter(q, start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))
    providers = Provider.objects.filter(pk__in=contracts.values("provider_id"))
    return visible(providers, user) if user is not None else providers


def format_value(key: str, value) -> str:
    """Swedish number format: shares as percent with one decimal, rates likewise."""
    if value is None:
        return "–"
    kind = BY_KEY[key].kind
    if kind in ("share", "rate"):
        return f"{value * 100:.1f} %".replace(".", ",")
    if key in ONE_DECIMAL and isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{round(value):,}".replace(",", "\u00a0")


def snapshots(*, user, period: str | None = None):
    qs = visible(KpiSnapshot.objects.select_related("provider"), user)
    return qs.filter(period=period) if period else qs


def periods(*, user) -> list[str]:
    """Months with figures: those an import declared (a provider without rows sees "ingen data")."""
    return datacache.cached("monthly.periods", lambda: _periods(user), user=user)


def _periods(user) -> list[str]:
    declared = ImportRun.objects.filter(status=ImportRun.Status.DONE).exclude(period="").values_list(
        "period", flat=True)
    return sorted(set(declared) | set(snapshots(user=user).values_list("period", flat=True)))


def matrix(*, user, period: str, limits: Limits | None = None) -> list[tuple]:
    """[(provider, [Cell …])] for the period, providers by name: every provider followed that month;
    one without rows in the month has grey "no data" cells, never a colour. Cached per data version."""
    return datacache.cached("monthly.matrix", lambda: _matrix(user, period, limits), user=user, parts=(period,))


def _matrix(user, period: str, limits: Limits | None) -> list[tuple]:
    limits = limits or Limits()
    snaps = {s.provider_id: s for s in snapshots(user=user, period=period)}
    rows = []
    for provider in followed_providers(period=period, user=user).order_by("name"):
        snap = snaps.get(provider.pk)
        if snap is None:
            cells = [Cell(k.key, None, NO_DATA) for k in CATALOGUE]
        else:
            cells = [Cell(k.key, snap.values.get(k.key), limits.status(k.key, snap.values.get(k.key), provider.pk))
                     for k in CATALOGUE]
        rows.append((provider, cells))
    return rows


def series(*, user, provider) -> list[tuple[str, dict]]:
    """[(period, values)] of one provider, oldest first."""
    return [(s.period, s.values) for s in snapshots(user=user).filter(provider=provider).order_by("period")]


def _months_back(period: str, n: int) -> list[str]:
    year, month = (int(x) for x in period.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out


@dataclass(frozen=True)
class Streak:
    provider: object
    labels: list[str]
    first: str  # oldest month of the streak
    last: str


def red_streaks(*, user, months: int = RED_STREAK_MONTHS, limits: Limits | None = None) -> list[Streak]:
    """Providers with a figure red in each of the last `months` calendar months that have data:
    proposed for an in-depth follow-up (seed 000: recurring substantial deviations). Cached per data
    version: the start page, the matrix and every provider page ask."""
    return datacache.cached("monthly.red_streaks", lambda: _red_streaks(user, months, limits), user=user,
                            parts=(months,))


def _red_streaks(user, months: int, limits: Limits | None) -> list[Streak]:
    all_periods = periods(user=user)
    if not all_periods:
        return []
    window = _months_back(all_periods[-1], months)
    limits = limits or Limits()
    by_provider: dict = {}
    followed = followed_providers(period=all_periods[-1])
    for snap in snapshots(user=user).filter(period__in=window, provider__in=followed):
        by_provider.setdefault(snap.provider, {})[snap.period] = snap.values
    result = []
    for provider, values_by_period in by_provider.items():
        if len(values_by_period) < months:
            continue
        keys = [
            k.key for k in CATALOGUE
            if all(limits.status(k.key, values_by_period[p].get(k.key), provider.pk) == "red" for p in window)
        ]
        if keys:
            labels = [gettext(BY_KEY[k].label_sv) for k in keys]
            result.append(Streak(provider, labels, first=window[-1], last=window[0]))
    return sorted(result, key=lambda r: r.provider.name)
