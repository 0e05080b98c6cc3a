"""Reads of the contract follow-up. Everything a provider user may reach goes through `visible`."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from foljsam.accounts.selectors import get_visible, visible
from foljsam.actions.models import Deviation, Source
from foljsam.catalogue.models import AnswerType, rated_q
from foljsam.registry.models import Unit

from .models import STATUS_ORDER, Answer, AreaRating, Assessment, Campaign, Document, Rating, Status
from .services import INDEPTH_RED_THRESHOLD, consequence


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
    for ar in AreaRating.objects.filter(assessment__in=assessments):
        ratings.setdefault(ar.area_id, [None] * len(assessments))[index[ar.assessment_id]] = ar
    result = []
    # Figures and reported-only areas have no traffic lights: they are drawn by `figures`.
    for area in campaign.catalogue.areas.filter(reported_only=False).prefetch_related("requirements"):
        ma = MatrixArea(area=area, area_ratings=ratings.get(area.pk, [None] * len(assessments)))
        for req in area.requirements.all():
            if req.is_rated:
                ma.rows.append((req, cells.get(req.pk, [None] * len(assessments))))
        if ma.rows:
            result.append(ma)
    return assessments, result


def share_met(assessment_ids) -> dict[int, dict]:
    """Per assessment: green, yellow, red, rated (not counting "not applicable"), share met in %, and
    both deviation counts: "yellow_red" (seed 002: both count as deviation) and "red" only."""
    rows = (Answer.objects.filter(assessment_id__in=assessment_ids).values("assessment_id")
            .annotate(green=Count("id", filter=Q(rating=Rating.GREEN)),
                      yellow=Count("id", filter=Q(rating=Rating.YELLOW)),
                      red=Count("id", filter=Q(rating=Rating.RED))))
    result = {}
    for r in rows:
        rated = r["green"] + r["yellow"] + r["red"]
        r["rated"] = rated
        r["yellow_red"] = r["yellow"] + r["red"]
        r["share"] = round(100 * r["green"] / rated) if rated else None
        result[r["assessment_id"]] = r
    return result


def results(campaign: Campaign) -> dict:
    """Everything the results page shows of a campaign: matrix, shares, summary, consequences, figures,
    year vs year (the same for everyone who may see it; the page caches its HTML per data version)."""
    assessments, areas = matrix(campaign)
    return {"assessments": assessments, "areas": areas, "shares": share_table(campaign),
            "summary": summary(campaign), "previous": previous_campaign(campaign),
            "consequences": consequences(campaign), "figures": figures(campaign, assessments),
            "changes": requirement_changes(campaign)}


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


# --- Consequences (issue 11 item 3) -------------------------------------------------------------

def consequences(campaign: Campaign) -> dict:
    """Per the catalogue's settings: the areas per unit that go to the dialogue meeting's agenda
    and those that need an action plan. {"dialogue": [(assessment, [AreaRating], needs_plan)], "plan": [...]}."""
    catalogue = campaign.catalogue
    result: dict = {"dialogue": [], "plan": []}
    by_assessment: dict = {}
    for ar in AreaRating.objects.filter(assessment__campaign=campaign).select_related("area", "assessment__unit"):
        kind = consequence(catalogue, ar.value)
        if kind:
            by_assessment.setdefault((kind, ar.assessment), []).append(ar)
            if kind == "plan":  # an area with a plan is also discussed in the dialogue
                by_assessment.setdefault(("dialogue", ar.assessment), []).append(ar)
    for (kind, assessment), ars in sorted(by_assessment.items(), key=lambda kv: (kv[0][1].unit.name, kv[0][0])):
        needs_plan = any(consequence(catalogue, ar.value) == "plan" for ar in ars)
        result[kind].append((assessment, sorted(ars, key=lambda ar: ar.area.order), needs_plan))
    return result


def carried_remarks(assessment: Assessment) -> list[dict]:
    """Seed 002: areas rated "with remark" (dialogue, no action plan) are followed up at the next
    follow-up. From the unit's latest earlier final assessment in the same area of activity:
    [{"area": name, "value", "year", "reason", "answers": [yellow/red answers]}], matched to this
    year's areas by name."""
    previous = (Assessment.objects.filter(unit=assessment.unit, status=Status.FINAL,
                                          campaign__area=assessment.campaign.area,
                                          campaign__year__lt=assessment.campaign.year)
                .select_related("campaign__catalogue").order_by("-campaign__year").first())
    if previous is None:
        return []
    catalogue = previous.campaign.catalogue
    remarks = []
    for ar in previous.area_ratings.select_related("area"):
        if consequence(catalogue, ar.value) != "dialogue":
            continue
        answers = list(previous.answers.filter(requirement__area=ar.area, rating__in=[Rating.YELLOW, Rating.RED])
                       .select_related("requirement"))
        remarks.append({"area": ar.area.name, "value": ar.value, "year": previous.campaign.year,
                        "reason": ar.override_reason, "answers": answers})
    return remarks


def previous_results(assessment: Assessment) -> dict:
    """{requirement key: Answer} of the unit's previous year (same area of activity), for the
    assessment page's "previous year" column; keys follow a requirement across catalogue versions."""
    previous = (Assessment.objects.filter(unit=assessment.unit, campaign__area=assessment.campaign.area,
                                          campaign__year__lt=assessment.campaign.year, sent_at__isnull=False)
                .order_by("-campaign__year").first())
    if previous is None:
        return {}
    return {a.requirement.key: a for a in previous.answers.select_related("requirement", "assessment__campaign")}


# --- Figures (issue 11 items 4, 5) -----------------------------------------------------------------

@dataclass
class Figure:
    """One figure requirement across the campaign's units: `series` are the chart's bars (one
    list of values per unit), `columns` their names, `rows` the table [(assessment, [values])]."""

    requirement: object
    columns: list
    rows: list
    unit: str = ""


def _figure_values(answer, req) -> list:
    if answer is None:
        return [None] * max(1, len(req.row_list) + (1 if req.answer_type == AnswerType.SAMPLE else 0))
    if req.answer_type in (AnswerType.NUMBER, AnswerType.SHARE):
        return [float(answer.number) if answer.number is not None else None]
    if req.answer_type == AnswerType.COUNT_TABLE:
        return [answer.figures.get(row) for row in req.row_list]
    if req.answer_type == AnswerType.SAMPLE:
        checked = answer.figures.get("checked")
        met = answer.figures.get("met", {})
        return [checked] + [
            round(100 * met[c] / checked) if checked and met.get(c) is not None else None for c in req.row_list]
    return []


def figures(campaign: Campaign, assessments=None) -> list[Figure]:
    """Every figure requirement (number, share, count table, sample audit) per unit, as seed 002's
    diagrams 1–3: for the results page (SVG chart + table), Excel and PDF."""
    assessments = assessments if assessments is not None else _assessments(campaign)
    answers = {(a.assessment_id, a.requirement_id): a
               for a in Answer.objects.filter(assessment__in=assessments).exclude(rated_q("requirement__"))}
    result = []
    for req in campaign.catalogue.requirements().exclude(rated_q()):
        if not req.is_figure:
            continue
        if req.answer_type == AnswerType.SAMPLE:
            columns, unit = [gettext("Granskade")] + [f"{c} (%)" for c in req.row_list], "%"
        elif req.answer_type == AnswerType.COUNT_TABLE:
            columns, unit = req.row_list, ""
        else:
            columns, unit = [req.title], "%" if req.answer_type == AnswerType.SHARE else ""
        rows = [(a, _figure_values(answers.get((a.pk, req.pk)), req)) for a in assessments
                if (a.pk, req.pk) in answers]
        result.append(Figure(requirement=req, columns=columns, rows=rows, unit=unit))
    return result


# --- Year vs year per requirement (issue 11 item 6) --------------------------------------------------

CHANGE_FIELDS = ("title", "text", "question", "answer_type", "rows")


def _met_by_requirement(campaign: Campaign) -> dict:
    rows = (Answer.objects.filter(assessment__campaign=campaign).values("requirement_id")
            .annotate(green=Count("id", filter=Q(rating=Rating.GREEN)),
                      rated=Count("id", filter=Q(rating__in=[Rating.GREEN, Rating.YELLOW, Rating.RED]))))
    return {r["requirement_id"]: r for r in rows}


def requirement_changes(campaign: Campaign) -> dict | None:
    """Each requirement this year and the previous year, followed by its stable key across catalogue
    versions: "new", "changed" (title, text, question or answer type), "same" or "dropped", with
    the share of units meeting it each year. None without a previous campaign."""
    prev = previous_campaign(campaign)
    if prev is None:
        return None
    now = {r.key: r for r in campaign.catalogue.requirements()}
    before = {r.key: r for r in prev.catalogue.requirements()}
    met_now, met_before = _met_by_requirement(campaign), _met_by_requirement(prev)

    def share(met, req):
        m = met.get(req.pk) if req else None
        return round(100 * m["green"] / m["rated"]) if m and m["rated"] else None

    rows = []
    for key, req in now.items():
        old = before.get(key)
        if old is None:
            status = "new"
        elif any(getattr(req, f) != getattr(old, f) for f in CHANGE_FIELDS):
            status = "changed"
        else:
            status = "same"
        rows.append({"key": key, "now": req, "before": old, "status": status,
                     "share_now": share(met_now, req), "share_before": share(met_before, old)})
    for key, old in before.items():
        if key not in now:
            rows.append({"key": key, "now": None, "before": old, "status": "dropped", "share_now": None,
                         "share_before": share(met_before, old)})
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("new", "changed", "same", "dropped")}
    return {"previous": prev, "rows": rows, "counts": counts}
