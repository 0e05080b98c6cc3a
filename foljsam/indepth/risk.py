"""The risk view: every provider with a contract in force, ranked by a transparent score.

The score is the sum of its parts, each shown with what it counts and a link:
signals (by severity, fading with age), red key figures in the latest month, the latest contract
follow-up's area ratings, open and overdue action plans, months since the last follow-up of any kind,
and newness. Weights are settings (`RiskWeight` rows; a missing row means the default below).
Likely under-reporting is flagged, not scored: many clients and no lex Sarah or internal-deviation
report in twelve months (seed 003: one lex Sarah report from all private providers in a year)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foljsam.accounts.selectors import visible
from foljsam.actions.selectors import action_plan_list
from foljsam.registry.models import EventKind, Provider, ProviderEvent
from foljsam.registry.selectors import active_contracts

from .models import Case, RiskWeight, Signal, SignalSeverity, SignalSource

# key: (default, label)
WEIGHTS = {
    "signal_low": (Decimal("1"), gettext_lazy("Signal, låg allvarlighet")),
    "signal_medium": (Decimal("2"), gettext_lazy("Signal, medel")),
    "signal_high": (Decimal("4"), gettext_lazy("Signal, hög (risk för missförhållande)")),
    "signal_serious": (Decimal("8"), gettext_lazy("Signal, allvarlig (missförhållande)")),
    "signal_age_90": (Decimal("1"), gettext_lazy("Faktor för signaler 0–90 dagar gamla")),
    "signal_age_180": (Decimal("0.5"), gettext_lazy("Faktor för signaler 91–180 dagar gamla")),
    "signal_age_365": (Decimal("0.25"), gettext_lazy("Faktor för signaler 181–365 dagar gamla")),
    "red_figure": (Decimal("2"), gettext_lazy("Rött nyckeltal senaste månaden (per nyckeltal)")),
    "rating_3": (Decimal("3"), gettext_lazy("Kravområde värderat 3 i senaste avtalsuppföljningen")),
    "rating_2": (Decimal("1"), gettext_lazy("Kravområde värderat 2 i senaste avtalsuppföljningen")),
    "open_plan": (Decimal("1"), gettext_lazy("Öppen åtgärdsplan")),
    "overdue_plan": (Decimal("3"), gettext_lazy("Försenad åtgärdsplan")),
    "month_since_followup": (Decimal("0.25"), gettext_lazy("Per månad sedan senaste uppföljningen (högst 24)")),
    "new_provider": (Decimal("3"), gettext_lazy("Ny utförare (första brukaren eller avtalsstart inom ett år)")),
    "underreport_min_clients": (Decimal("30"), gettext_lazy("Underrapportering: minsta antal brukare")),
}
SEVERITY_KEYS = {SignalSeverity.LOW: "signal_low", SignalSeverity.MEDIUM: "signal_medium",
                 SignalSeverity.HIGH: "signal_high", SignalSeverity.SERIOUS: "signal_serious"}
MAX_MONTHS = 24


def weights() -> dict[str, Decimal]:
    values = {key: default for key, (default, _label) in WEIGHTS.items()}
    values.update({w.key: w.value for w in RiskWeight.objects.filter(key__in=list(WEIGHTS))})
    return values


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    points: Decimal
    detail: str
    url: str = ""


@dataclass
class Row:
    provider: Provider
    parts: list[Part] = field(default_factory=list)
    underreporting: bool = False
    underreporting_detail: str = ""

    @property
    def score(self) -> Decimal:
        return sum((p.points for p in self.parts), Decimal("0"))


def _age_factor(w, age_days: int) -> Decimal:
    if age_days <= 90:
        return w["signal_age_90"]
    if age_days <= 180:
        return w["signal_age_180"]
    return w["signal_age_365"]


def _months_between(earlier: date, later: date) -> int:
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month)


def _red_figures(user):
    """{provider id: (period, [labels])} of the latest month with data per provider."""
    from foljsam.monthly.engine.kpis import BY_KEY, CATALOGUE
    from foljsam.monthly.selectors import Limits, snapshots

    latest = {}
    for snap in snapshots(user=user).order_by("period"):
        latest[snap.provider_id] = snap
    if not latest:
        return {}, {}
    limits = Limits()
    red, periods = {}, {}
    for pid, snap in latest.items():
        keys = [k.key for k in CATALOGUE if limits.status(k.key, snap.values.get(k.key), pid) == "red"]
        red[pid] = (snap.period, [_(BY_KEY[k].label_sv) for k in keys])
        periods[pid] = snap.period
    return red, periods


def _ratings(user):
    """{provider id: (assessment, n rated 3, n rated 2, finalised day)} of the latest final assessment."""
    from foljsam.followups.models import AreaRating, Assessment, Status

    latest = {}
    for a in visible(Assessment.objects.filter(status=Status.FINAL, finalised_at__isnull=False), user).select_related(
            "unit", "campaign").order_by("finalised_at"):
        latest[a.unit.provider_id] = a
    counts = defaultdict(lambda: [0, 0])
    for r in AreaRating.objects.filter(assessment__in=list(latest.values())).select_related("assessment__unit"):
        if r.value == 3:
            counts[r.assessment.unit.provider_id][0] += 1
        elif r.value == 2:
            counts[r.assessment.unit.provider_id][1] += 1
    return {pid: (a, *counts[pid], a.finalised_at.date()) for pid, a in latest.items()}


def risk_rows(*, user, today: date | None = None) -> list[Row]:
    today = today or timezone.localdate()
    w = weights()
    provider_ids = set(active_contracts(on=today).values_list("provider_id", flat=True))
    providers = list(visible(Provider.objects.filter(pk__in=provider_ids), user))
    year_ago = today - timedelta(days=365)

    signals = defaultdict(list)
    for s in visible(Signal.objects.filter(received_on__gt=year_ago, received_on__lte=today), user):
        signals[s.provider_id].append(s)
    red, monthly_periods = _red_figures(user)
    ratings = _ratings(user)
    plans = defaultdict(lambda: [0, 0])
    for plan in action_plan_list(user=user).exclude(status="verified"):
        plans[plan.provider_id][0] += 1
        if plan.overdue_since(today):
            plans[plan.provider_id][1] += 1
    last_indepth = {}
    for pid, day in visible(ProviderEvent.objects.filter(kind=EventKind.INDEPTH_DONE, date__lte=today),
                            user).values_list("provider_id", "date"):
        last_indepth[pid] = max(day, last_indepth.get(pid, day))
    for pid, day in visible(Case.objects.filter(visited_on__isnull=False), user).values_list("provider_id",
                                                                                              "visited_on"):
        last_indepth[pid] = max(day, last_indepth.get(pid, day))
    first_client = {}
    for pid, day in visible(ProviderEvent.objects.filter(kind=EventKind.FIRST_CLIENT), user).values_list(
            "provider_id", "date"):
        first_client[pid] = min(day, first_client.get(pid, day))
    first_contract = {}
    for pid, day in active_contracts(on=today).filter(provider_id__in=provider_ids).values_list("provider_id",
                                                                                                 "start"):
        first_contract[pid] = min(day, first_contract.get(pid, day))

    rows = []
    for provider in providers:
        pid, row = provider.pk, Row(provider)
        own = signals.get(pid, [])
        if own:
            points = sum((w[SEVERITY_KEYS[s.severity]] * _age_factor(w, (today - s.received_on).days) for s in own),
                         Decimal("0"))
            by_sev = defaultdict(int)
            for s in own:
                by_sev[SignalSeverity(s.severity).label] += 1
            detail = _("%(n)s signaler senaste året (%(parts)s)") % {
                "n": len(own), "parts": ", ".join(f"{k.lower()}: {v}" for k, v in by_sev.items())}
            row.parts.append(Part("signals", _("Signaler"), points, detail,
                                  reverse("indepth:signals") + f"?utforare={pid}"))
        if pid in red and red[pid][1]:
            period, labels = red[pid]
            row.parts.append(Part("red_figures", _("Röda nyckeltal"), w["red_figure"] * len(labels),
                                  f"{period}: {', '.join(labels)}", reverse("monthly:provider", args=[pid])))
        if pid in ratings and (ratings[pid][1] or ratings[pid][2]):
            assessment, threes, twos, _day = ratings[pid]
            row.parts.append(Part(
                "ratings", _("Avtalsuppföljning"), w["rating_3"] * threes + w["rating_2"] * twos,
                _("%(year)s: %(t)s områden värderade 3, %(two)s värderade 2") % {
                    "year": assessment.campaign.year, "t": threes,
                    "two": twos},
                assessment.get_absolute_url()))
        if plans[pid][0]:
            open_n, overdue_n = plans[pid]
            row.parts.append(Part(
                "plans", _("Åtgärdsplaner"), w["open_plan"] * open_n + w["overdue_plan"] * overdue_n,
                _("%(o)s öppna, varav %(d)s försenade") % {"o": open_n, "d": overdue_n},
                reverse("registry:provider", args=[pid]) + "#avvikelser"))
        followups = [d for d in (last_indepth.get(pid), ratings[pid][3] if pid in ratings else None) if d]
        if pid in monthly_periods:
            year, month = (int(x) for x in monthly_periods[pid].split("-"))
            followups.append(date(year, month, 1))
        if followups:
            last = max(followups)
            months = min(_months_between(last, today), MAX_MONTHS)
            detail = _("senaste uppföljningen %(d)s (%(m)s månader sedan)") % {"d": last.isoformat(), "m": months}
        else:
            months, detail = MAX_MONTHS, _("ingen uppföljning registrerad")
        if months:
            row.parts.append(Part("since_followup", _("Tid sedan uppföljning"), w["month_since_followup"] * months,
                                  detail, reverse("registry:provider", args=[pid]) + "#historik"))
        start = first_client.get(pid) or first_contract.get(pid)
        if start and start > year_ago:
            row.parts.append(Part("new", _("Ny utförare"), w["new_provider"],
                                  _("sedan %(d)s") % {"d": start.isoformat()},
                                  reverse("registry:provider", args=[pid]) + "#historik"))
        reports = [s for s in own if s.source in (SignalSource.LEX_SARAH, SignalSource.INTERNAL)]
        if provider.clients is not None and provider.clients >= w["underreport_min_clients"] and not reports:
            row.underreporting = True
            row.underreporting_detail = _("%(n)s brukare, ingen lex Sarah-rapport eller intern avvikelse på "
                                          "tolv månader") % {"n": provider.clients}
        rows.append(row)
    return sorted(rows, key=lambda r: (-r.score, r.provider.name))
