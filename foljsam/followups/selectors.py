"""Reads of the contract follow-up. Everything a provider user may reach goes through `visible`."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from foljsam.accounts.selectors import get_visible, visible
from foljsam.actions.models import Deviation, Source
from foljsam.registry.models import Unit

from .models import STATUS_ORDER, Answer, Assessment, Campaign, Document, Rating, Status
from .services import INDEPTH_RED_THRESHOLD


def candidate_units(*, area, on) -> QuerySet:
    """Units to include: active units of the area whose provider has a contract there in force on
    the opening day (LOV: all of them every year; LOU: the framework's providers in its year)."""
    return (
        Unit.objects.filter(area=area, active=True)
        .filter(Q(provider__contracts__area=area, provider__contracts__start__lte=on)
                & (Q(provider__contracts__end__isnull=True) | Q(provider__contracts__end__gte=on)))
        .select_related("provider").distinct().order_by("provider__name", "name")
    )


def assessment_get(*, user, pk) -> Assessment:
    return get_visible(Assessment.objects.select_related("campaign__area", "campaign__catalogue", "unit__provider",
                                                         "action_plan"), user, pk=pk)


def portal_assessments(*, user) -> QuerySet:
    return visible(Assessment.objects.filter(sent_at__isnull=False), user).select_related(
        "campaign__area", "unit__provider", "action_plan").order_by("-campaign__year", "unit__name")


def answer_get(*, user, pk) -> Answer:
    return get_visible(Answer.objects.select_related("assessment__unit__provider", "assessment__campaign",
                                                     "requirement"), user, pk=pk)


def document_get(*, user, pk) -> Document:
    return get_visible(Document.objects.select_related("answer__assessment"), user, pk=pk)


def answers_by_area(assessment: Assessment) -> list[tuple]:
    """[(requirement area, [answers])] in catalogue order, with documents prefetched."""
    groups: dict = {}
    answers = assessment.answers.select_related("requirement__area").prefetch_related("documents", "changes__by")
    for answer in answers:
        groups.setdefault(answer.requirement.area, []).append(answer)
    return list(groups.items())


PROGRESS_STEPS = [
    (Status.SENT, "sent"), (Status.OPENED, "opened"), (Status.SUBMITTED, "submitted"),
    (Status.ASSESSED, "assessed"), (Status.FACTCHECKED, "factchecked"), (Status.FINAL, "final"),
]


def progress(campaign: Campaign) -> dict:
    """How many assessments reached each step: sent, opened, submitted, assessed, fact-checked, final."""
    statuses = list(campaign.assessments.values_list("status", flat=True))
    counts = {"total": len(statuses)}
    for status, key in PROGRESS_STEPS:
        floor = STATUS_ORDER.index(status)
        counts[key] = sum(1 for s in statuses if STATUS_ORDER.index(s) >= floor)
    return counts


def officer_queue(*, user) -> QuerySet:
    """Assessments waiting on the officer: submitted, answered completions, returned fact-checks."""
    return visible(Assessment.objects, user).filter(
        Q(status=Status.SUBMITTED) | Q(status=Status.FACTCHECKED)
        | Q(status=Status.ASSESSED, answers__completion_replied_at__isnull=False,
            answers__completion_requested_at__isnull=False)
    ).select_related("campaign__area", "unit__provider").distinct()


def provider_queue(*, user) -> QuerySet:
    """What the provider must do: answer, complete, fact-check."""
    return portal_assessments(user=user).filter(
        Q(status__in=[Status.SENT, Status.OPENED, Status.FACTCHECK])
        | Q(answers__completion_requested_at__isnull=False, answers__completion_replied_at__isnull=True)
    ).distinct()


def indepth_candidates(*, user) -> QuerySet:
    """Final assessments with many red requirements: proposed for an in-depth follow-up (seed 001)."""
    return visible(Assessment.objects.filter(status=Status.FINAL), user).annotate(
        reds=Count("answers", filter=Q(answers__rating=Rating.RED))
    ).filter(reds__gte=INDEPTH_RED_THRESHOLD).select_related("campaign__area", "unit__provider").order_by(
        "-campaign__year", "-reds")


# --- Results ----------------------------------------------------------------------------------

@dataclass
class MatrixArea:
    area: object
    rows: list = field(default_factory=list)       # [(requirement, [answer or None per assessment])]
    area_ratings: list = field(default_factory=list)  # [AreaRating or None per assessment]


def _assessments(campaign):
    return list(campaign.assessments.select_related("unit__provider").order_by("unit__provider__ownership",
                                                                               "unit__provider__name", "unit__name"))


def matrix(campaign: Campaign, assessments=None) -> tuple[list, list[MatrixArea]]:
    """Requirement × unit per requirement area, as seed 002's figures 1–7."""
    assessments = assessments if assessments is not None else _assessments(campaign)
    index = {a.pk: i for i, a in enumerate(assessments)}
    cells: dict = {}
    for answer in Answer.objects.filter(assessment__in=assessments).select_related("requirement"):
        cells.setdefault(answer.requirement_id, [None] * len(assessments))[index[answer.assessment_id]] = answer
    ratings: dict = {}
    from .models import AreaRating

    for ar in AreaRating.objects.filter(assessment__in=assessments):
        ratings.setdefault(ar.area_id, [None] * len(assessments))[index[ar.assessment_id]] = ar
    result = []
    for area in campaign.catalogue.areas.prefetch_related("requirements"):
        ma = MatrixArea(area=area, area_ratings=ratings.get(area.pk, [None] * len(assessments)))
        for req in area.requirements.all():
            ma.rows.append((req, cells.get(req.pk, [None] * len(assessments))))
        result.append(ma)
    return assessments, result


def share_met(assessment_ids) -> dict[int, dict]:
    """Per assessment: green, yellow, red, rated (not counting "not applicable") and share met in %."""
    rows = (Answer.objects.filter(assessment_id__in=assessment_ids).values("assessment_id")
            .annotate(green=Count("id", filter=Q(rating=Rating.GREEN)),
                      yellow=Count("id", filter=Q(rating=Rating.YELLOW)),
                      red=Count("id", filter=Q(rating=Rating.RED))))
    result = {}
    for r in rows:
        rated = r["green"] + r["yellow"] + r["red"]
        r["rated"] = rated
        r["share"] = round(100 * r["green"] / rated) if rated else None
        result[r["assessment_id"]] = r
    return result


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return (Campaign.objects.filter(area=campaign.area, year__lt=campaign.year, sent_at__isnull=False)
            .order_by("-year").first())


def share_table(campaign: Campaign) -> dict:
    """Diagram 4 (share of requirements met per unit), this year and the previous year side by side."""
    assessments = _assessments(campaign)
    prev = previous_campaign(campaign)
    now = share_met([a.pk for a in assessments])
    before = {}
    if prev:
        prev_by_unit = dict(prev.assessments.values_list("unit_id", "pk"))
        prev_share = share_met(list(prev_by_unit.values()))
        before = {unit_id: prev_share.get(pk) for unit_id, pk in prev_by_unit.items()}
    rows = []
    for a in assessments:
        n, b = now.get(a.pk), before.get(a.unit_id)
        delta = n["share"] - b["share"] if n and b and n["share"] is not None and b["share"] is not None else None
        rows.append({"assessment": a, "now": n, "before": b, "delta": delta})
    return {"rows": rows, "previous": prev}


def summary(campaign: Campaign) -> dict:
    """For the yearly report (seed 000): providers followed up, action plans, deviations by theme."""
    assessments = campaign.assessments.all()
    finals = assessments.filter(status=Status.FINAL)
    refs = [f"followup:{pk}:" for pk in assessments.values_list("pk", flat=True)]
    deviation_q = Q()
    for ref in refs:
        deviation_q |= Q(source_ref__startswith=ref)
    deviations = Deviation.objects.filter(source=Source.CONTRACT_FOLLOWUP).filter(deviation_q) if refs else \
        Deviation.objects.none()
    themes: dict[str, dict] = {}
    for requirement, severity in deviations.values_list("requirement", "severity"):
        theme = requirement.split(":", 1)[0]
        t = themes.setdefault(theme, {"theme": theme, "deviation": 0, "note": 0})
        t["deviation" if severity != "note" else "note"] += 1
    area_order = {a.name: i for i, a in enumerate(campaign.catalogue.areas.all())}
    return {
        "providers": assessments.values("unit__provider").distinct().count(),
        "private": assessments.filter(unit__provider__ownership="private").values("unit__provider").distinct().count(),
        "units": assessments.count(),
        "final": finals.count(),
        "with_plan": finals.filter(action_plan__isnull=False).count(),
        "indepth": finals.annotate(reds=Count("answers", filter=Q(answers__rating=Rating.RED)))
        .filter(reds__gte=INDEPTH_RED_THRESHOLD).count(),
        "themes": sorted(themes.values(), key=lambda t: area_order.get(t["theme"], 99)),
        "deviations": sum(t["deviation"] for t in themes.values()),
        "notes": sum(t["note"] for t in themes.values()),
    }
