"""The one place that says, for every provider, why an in-depth follow-up is proposed (seeds 000, 001).

Each reason has its kind, the day it applies from, its evidence and a link. The rules of other apps
are reused, not copied: the six-month clock is `registry.selectors.indepth_due`, three red months
is `monthly.selectors.red_streaks`, many red requirements `followups.selectors.indepth_candidates`.
A reason is handled once a case for the provider was opened on or after the day it applies from.
A pattern (the same theme at several providers) proposes a quality study instead of a case.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from foljsam import datacache
from foljsam.accounts.selectors import visible
from foljsam.registry.models import EventKind, ProviderEvent
from foljsam.registry.selectors import INDEPTH_AFTER_FIRST_CLIENT_MONTHS, indepth_due

from .models import Case, Signal, SignalRule, SignalSeverity, TriggerKind

ORGANISATION_EVENTS = (EventKind.MANAGER_CHANGE, EventKind.NEW_PREMISES, EventKind.ACQUISITION)
ORGANISATION_DAYS = 180
CONTRACT_FOLLOWUP_DAYS = 365
PATTERN_PROVIDERS = 3
PATTERN_DAYS = 90


@dataclass(frozen=True)
class Reason:
    kind: str
    since: date
    evidence: str
    url: str = ""

    @property
    def label(self):
        return TriggerKind(self.kind).label


@dataclass
class Proposal:
    provider: object
    reasons: list[Reason] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"provider_id": self.provider.code,
                "reasons": [{"kind": r.kind, "since": r.since.isoformat(), "evidence": r.evidence}
                            for r in self.reasons]}


@dataclass(frozen=True)
class QualityStudyProposal:
    area: object
    theme: object
    providers: list
    since: date


def _new_providers(user, today):
    for due in indepth_due(user=user, today=today):
        evidence = _("Första brukaren %(first)s; sex månader %(due)s.") % {
            "first": due.first_client.isoformat(), "due": due.due.isoformat()}
        yield due.provider, Reason(TriggerKind.NEW_PROVIDER, due.first_client, evidence,
                                   due.provider.get_absolute_url())


def _red_figures(user):
    from foljsam.monthly.selectors import RED_STREAK_MONTHS, red_streaks

    for streak in red_streaks(user=user):
        year, month = (int(x) for x in streak.first.split("-"))
        evidence = _("Röd %(n)s månader i rad (%(first)s–%(last)s): %(labels)s.") % {
            "n": RED_STREAK_MONTHS, "first": streak.first, "last": streak.last, "labels": ", ".join(streak.labels)}
        yield streak.provider, Reason(TriggerKind.RED_FIGURES, date(year, month, 1), evidence,
                                      reverse("monthly:provider", args=[streak.provider.pk]))


def _contract_followup(user, today):
    """An area rated 3, or many red requirements (the contract follow-up's own rule,
    `followups.selectors.indepth_candidates`), in an assessment finalised in the last year."""
    from foljsam.followups.models import AreaRating, Status
    from foljsam.followups.selectors import indepth_candidates

    recent = today - timedelta(days=CONTRACT_FOLLOWUP_DAYS)
    ratings = visible(AreaRating.objects.filter(
        Q(override=3) | Q(override__isnull=True, rule_value=3),
        assessment__status=Status.FINAL, assessment__finalised_at__date__gte=recent,
    ), user).select_related("area", "assessment__unit__provider", "assessment__campaign")
    evidence = defaultdict(list)
    assessments = {}
    for rating in ratings:
        assessments[rating.assessment_id] = rating.assessment
        evidence[rating.assessment_id].append(rating.area.name)
    many_reds = {a.pk: a for a in indepth_candidates(user=user).filter(finalised_at__date__gte=recent)}
    assessments.update(many_reds)
    for pk, assessment in assessments.items():
        parts = []
        if evidence[pk]:
            parts.append(_("värdering 3 (med avvikelse) i %(areas)s") % {"areas": ", ".join(evidence[pk])})
        if pk in many_reds:
            parts.append(_("%(n)s röda krav") % {"n": many_reds[pk].reds})
        text = _("Avtalsuppföljningen %(year)s, %(unit)s: %(parts)s.") % {
            "year": assessment.campaign.year, "unit": assessment.unit.name, "parts": "; ".join(parts)}
        yield assessment.unit.provider, Reason(TriggerKind.CONTRACT_FOLLOWUP, assessment.finalised_at.date(), text,
                                               assessment.get_absolute_url())


def _organisation(user, today):
    events = visible(ProviderEvent.objects.filter(
        kind__in=ORGANISATION_EVENTS, date__gte=today - timedelta(days=ORGANISATION_DAYS), date__lte=today,
    ), user).select_related("provider")
    for event in events:
        evidence = f"{event.get_kind_display()} {event.date.isoformat()}" + (f": {event.note}" if event.note else "")
        yield event.provider, Reason(TriggerKind.ORGANISATION, event.date, evidence,
                                     event.provider.get_absolute_url() + "#historik")


def rule_matches(rule: SignalRule, signal: Signal) -> bool:
    return ((rule.area_id is None or rule.area_id == signal.area_id)
            and (not rule.source or rule.source == signal.source)
            and signal.severity >= rule.min_severity)


def _signals(user, today):
    rules = list(SignalRule.objects.all())
    if not rules:
        return
    longest = max(r.days for r in rules)
    signals = list(visible(Signal.objects.filter(received_on__gte=today - timedelta(days=longest),
                                                 received_on__lte=today), user).select_related("provider", "theme"))
    by_provider = defaultdict(list)
    for s in signals:
        by_provider[s.provider].append(s)
    for provider, own in by_provider.items():
        for rule in rules:
            start = today - timedelta(days=rule.days)
            hits = sorted((s for s in own if rule_matches(rule, s) and s.received_on >= start),
                          key=lambda s: s.received_on)
            if len(hits) >= rule.count:
                what = rule.get_source_display() if rule.source else _("signaler")
                severity = (_(" med allvarlighet minst ”%(s)s”") % {"s": SignalSeverity(rule.min_severity).label}
                            if rule.min_severity > SignalSeverity.LOW else "")
                evidence = _("%(n)s × %(what)s%(sev)s de senaste %(days)s dagarna (tröskel %(count)s): %(themes)s.") % {
                    "n": len(hits), "what": what, "sev": severity, "days": rule.days, "count": rule.count,
                    "themes": ", ".join(sorted({s.theme.name for s in hits}))}
                yield provider, Reason(TriggerKind.SIGNALS, hits[0].received_on, evidence,
                                       reverse("indepth:signals") + f"?utforare={provider.pk}")
                break  # one signals reason per provider: the first rule that fires


def proposals(*, user, today: date | None = None) -> list[Proposal]:
    """Every provider with at least one unhandled reason, by name (today's cached per data version:
    the start page and every provider page ask)."""
    if today is None:
        return datacache.cached("indepth.proposals", lambda: _proposals(user, timezone.localdate()), user=user)
    return _proposals(user, today)


def _proposals(user, today: date) -> list[Proposal]:
    found: dict = {}
    sources = (_new_providers(user, today), _red_figures(user), _contract_followup(user, today),
               _organisation(user, today), _signals(user, today))
    for source in sources:
        for provider, reason in source:
            found.setdefault(provider.pk, Proposal(provider)).reasons.append(reason)
    if not found:
        return []
    last_opened = {}
    for provider_id, opened_on in Case.objects.filter(provider_id__in=found).values_list("provider_id", "opened_on"):
        last_opened[provider_id] = max(opened_on, last_opened.get(provider_id, opened_on))
    result = []
    for provider_id, proposal in found.items():
        opened = last_opened.get(provider_id)
        proposal.reasons = sorted((r for r in proposal.reasons if opened is None or opened < r.since),
                                  key=lambda r: r.since)
        if proposal.reasons:
            result.append(proposal)
    return sorted(result, key=lambda p: p.provider.name)


def reasons_for(*, user, provider, today: date | None = None) -> list[Reason]:
    for proposal in proposals(user=user, today=today):
        if proposal.provider.pk == provider.pk:
            return proposal.reasons
    return []


def quality_study_proposals(*, user, today: date | None = None) -> list[QualityStudyProposal]:
    """Signals with the same theme at ≥ 3 providers of one area in 90 days: a pattern in the area."""
    if today is None:
        return datacache.cached("indepth.studies", lambda: _quality_study_proposals(user, timezone.localdate()),
                                user=user)
    return _quality_study_proposals(user, today)


def _quality_study_proposals(user, today: date) -> list[QualityStudyProposal]:
    signals = visible(Signal.objects.filter(received_on__gte=today - timedelta(days=PATTERN_DAYS),
                                            received_on__lte=today), user).select_related("provider", "theme", "area")
    groups = defaultdict(list)
    for s in signals:
        groups[(s.area, s.theme)].append(s)
    result = []
    for (area, theme), group in groups.items():
        providers = sorted({s.provider for s in group}, key=lambda p: p.name)
        if len(providers) >= PATTERN_PROVIDERS:
            result.append(QualityStudyProposal(area, theme, providers, min(s.received_on for s in group)))
    return sorted(result, key=lambda q: (str(q.area), str(q.theme)))


__all__ = ["INDEPTH_AFTER_FIRST_CLIENT_MONTHS", "Proposal", "Reason", "proposals", "quality_study_proposals"]
