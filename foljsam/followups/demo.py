"""Demo: home care (LOV) followed up with the seed-002 catalogue – two finished years (so the matrix
and the previous-year comparison show something) and this year's campaign in progress."""

import random
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from foljsam.actions import services as actions
from foljsam.actions.models import ActionPlan, Deviation, PlanStep

from . import selectors, services
from .models import Answer, Assessment, Campaign, Rating

# Seed 002: egen regi shares one set of routines, so the same gaps show in every own unit.
OWN_PATTERN = {
    "Rutin för hjälpmedel": Rating.RED, "Systematik": Rating.YELLOW, "Egenkontroll": Rating.YELLOW,
    "Rutin för kontakt med HSV": Rating.YELLOW, "Rutin för byte av personal och tid": Rating.YELLOW,
    "Rutin för informationsöverföring": Rating.YELLOW, "Utbildning i förflyttningsteknik": Rating.YELLOW,
}
NIGHT_NA = {"Rutin för munhälsa", "Egna medel", "Viktförändringar/nutrition", "Livsmedelshantering"}
FOOD_MISSING = {"HT-NYCKELN", "HT-SAAND"}
TEXTS = {
    "free_text": "Vi har en skriftlig rutin som alla medarbetare går igenom vid introduktionen och på APT två gånger "
                 "per år. Chefen följer upp att den följs vid egenkontrollen varje kvartal.",
    "frequency": "Varje månad, med en sammanställning till ledningsgruppen varje kvartal.",
}
COMMENTS = {
    Rating.YELLOW: "Rutinen finns men är inte känd av alla medarbetare eller behöver förtydligas.",
    Rating.RED: "Rutinen saknas eller följs inte; det framkom vid intervjun och i granskningen av underlagen.",
}


def _rating(rng, unit, req, year_offset):
    if req.title in NIGHT_NA and unit.name.endswith("Natten"):
        return Rating.NA
    if req.title == "Livsmedelsregistrering" and unit.provider.code in FOOD_MISSING:
        return Rating.RED if year_offset == 0 else Rating.YELLOW
    if unit.provider.code == "HT-EGEN" and req.title in OWN_PATTERN:
        # Improvement over the years: last year's red may have become yellow.
        rating = OWN_PATTERN[req.title]
        return Rating.YELLOW if rating == Rating.RED and year_offset == 0 and rng.random() < .3 else rating
    if unit.name.endswith("Fittja") and req.area.name in ("Trygghet och säkerhet", "Social dokumentation"):
        return Rating.RED if rng.random() < .6 else Rating.YELLOW  # many deviations → in-depth follow-up
    roll = rng.random()
    red, yellow = (.06, .14) if year_offset else (.04, .10)
    return Rating.RED if roll < red else Rating.YELLOW if roll < red + yellow else Rating.GREEN


def _answer_values(assessment, share=1.0, rng=None):
    values = {}
    rng = rng or random.Random(assessment.unit_id)
    answers = list(assessment.answers.select_related("requirement"))
    for i, answer in enumerate(answers):
        if i >= len(answers) * share:
            break
        req = answer.requirement
        kind = req.answer_type
        values[answer.pk] = {"yes_no": True if kind == "yes_no" else None, "text": TEXTS.get(kind, "")}
        if kind == "share":  # seed 002, diagram 3: use of Lifecare Mobil and digital keys
            values[answer.pk]["number"] = str(rng.randint(35, 98))
        elif kind == "number":
            values[answer.pk]["number"] = str(rng.randint(1, 40))
        elif kind == "count_table":  # diagram 1: staff (full-time equivalents) by employment and education
            values[answer.pk]["rows"] = {row: str(rng.randint(1, 20)) for row in req.row_list}
    return values


def _sample(assessment, officer, rng):
    """Diagram 2: the officer's sample audit of implementation plans."""
    for answer in assessment.answers.select_related("requirement").filter(requirement__answer_type="sample"):
        checked = rng.randint(5, 10)
        services.sample_save(answer=answer, by=officer, checked=checked,
                             met={c: rng.randint(checked // 3, checked) for c in answer.requirement.row_list})


def _rate(assessment, officer, rng, year_offset, only_share=1.0):
    values = {}
    answers = [a for a in assessment.answers.select_related("requirement__area", "assessment__unit__provider")
               if a.requirement.is_rated]
    for i, answer in enumerate(answers):
        if i >= len(answers) * only_share:
            break
        rating = _rating(rng, assessment.unit, answer.requirement, year_offset)
        values[answer.pk] = {"rating": rating, "comment": COMMENTS.get(rating, "")}
    services.ratings_save(assessment=assessment, by=officer, values=values)


def _shift(assessment, days):
    """Move a finished assessment's dates into its year (demo only, hence the bulk update)."""
    delta = timedelta(days=days)
    fields = ("sent_at", "opened_at", "submitted_at", "factcheck_sent_at", "factchecked_at", "finalised_at")
    Assessment.objects.filter(pk=assessment.pk).update(
        **{f: getattr(assessment, f) - delta for f in fields if getattr(assessment, f)},
        factcheck_due=assessment.factcheck_due - delta if assessment.factcheck_due else None,
        interview_on=timezone.localdate() - delta,
    )
    Answer.objects.filter(assessment=assessment).update(answered_at=assessment.submitted_at - delta)
    Deviation.objects.filter(source_ref__startswith=f"followup:{assessment.pk}:").update(
        found_on=timezone.localdate() - delta)


def _finished_campaign(ctx, year, year_offset, rng):
    officer, catalogue, area = ctx["users"]["uppfoljare"], ctx["catalogue"], ctx["areas"]["hemtjanst"]
    today = timezone.localdate()
    opens = today.replace(year=year, month=2, day=1)
    units = selectors.candidate_units(area=area, on=opens)
    campaign = services.campaign_create(by=officer, area=area, year=year, catalogue=catalogue, opens_on=opens,
                                        deadline=opens + timedelta(weeks=4), units=units)
    services.campaign_send(campaign=campaign, by=officer, notify_providers=False)
    days_back = (today - opens).days
    for assessment in campaign.assessments.select_related("unit__provider"):
        services.answers_save(assessment=assessment, by=officer, values=_answer_values(assessment), submit=True)
        _sample(assessment, officer, rng)
        _rate(assessment, officer, rng, year_offset)
        services.interview_save(assessment=assessment, by=officer, interview_with="Verksamhetsansvarig och två "
                                "undersköterskor", interview_notes="Intervju vid verksamhetsbesök; rundvandring "
                                "i lokalerna.", summary="Tack för ett gott samarbete under uppföljningen.")
        services.factcheck_send(assessment=assessment, by=officer)
        services.factcheck_save(assessment=assessment, by=officer, comments={}, done=True)
        assessment = services.assessment_finalise(assessment=assessment, by=officer)
        plan = assessment.action_plan
        if plan:
            # Earlier years' plans have been carried out and verified; last year's mostly so.
            actions.action_plan_submit(plan=plan, by=officer, measures="Rutinerna revideras och gås igenom på APT; "
                                       "chefen följer upp vid nästa egenkontroll.", responsible="Verksamhetsansvarig")
            actions.action_plan_approve(plan=plan, by=officer)
            if year_offset or assessment.unit.name != "Hemtjänst Fittja":  # one plan left overdue
                actions.action_plan_carry_out(plan=plan, by=officer)
                actions.action_plan_verify(plan=plan, by=officer, comment="Kontrollerat.")
            ActionPlan.objects.filter(pk=plan.pk).update(submit_by=plan.submit_by - timedelta(days=days_back - 40),
                                                         complete_by=plan.complete_by - timedelta(days=days_back - 40))
            for step in PlanStep.objects.filter(plan=plan):
                PlanStep.objects.filter(pk=step.pk).update(at=step.at - timedelta(days=days_back - 40))
        _shift(assessment, days_back - 40)
    Campaign.objects.filter(pk=campaign.pk).update(sent_at=timezone.now() - timedelta(days=days_back))
    return campaign


def load(ctx: dict) -> None:
    rng = random.Random(2022)
    officer = ctx["users"]["uppfoljare"]
    today = timezone.localdate()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _finished_campaign(ctx, today.year - 2, 1, rng)
        _finished_campaign(ctx, today.year - 1, 0, rng)

        # This year's campaign, in progress: the deadline is near, so `foljsam followups remind` has work.
        area = ctx["areas"]["hemtjanst"]
        opens = today - timedelta(days=21)
        campaign = services.campaign_create(by=officer, area=area, year=today.year, catalogue=ctx["catalogue"],
                                            opens_on=opens, deadline=today + timedelta(days=5),
                                            units=selectors.candidate_units(area=area, on=today))
        services.campaign_send(campaign=campaign, by=officer, notify_providers=False)
        by_code = {}
        for a in campaign.assessments.select_related("unit__provider"):
            by_code.setdefault(a.unit.provider.code, []).append(a)
        aros, eveo = ctx["users"]["aros"], ctx["users"]["eveo"]
        # Aros: answering over several sittings – about half done.
        services.answers_save(assessment=by_code["HT-AROS"][0], by=aros,
                              values=_answer_values(by_code["HT-AROS"][0], share=.5))
        # Eveo: submitted, assessed and now with the provider for fact-check.
        eveo_a = by_code["HT-EVEO"][0]
        services.answers_save(assessment=eveo_a, by=eveo, values=_answer_values(eveo_a), submit=True)
        _sample(eveo_a, officer, rng)
        _rate(eveo_a, officer, rng, 0)
        services.factcheck_send(assessment=eveo_a, by=officer)
        # Nyckeln: submitted; the officer asked for a completion.
        nyckeln = by_code["HT-NYCKELN"][0]
        services.answers_save(assessment=nyckeln, by=officer, values=_answer_values(nyckeln), submit=True)
        _rate(nyckeln, officer, rng, 0, only_share=.6)
        first = nyckeln.answers.select_related("requirement").filter(requirement__title="Rutin för lex Sarah").first()
        if first:
            services.completion_request(answer=first, by=officer, text="Skicka den skriftliga rutinen för lex Sarah; "
                                        "den saknades bland underlagen.")
        # A few own units have submitted.
        for a in by_code["HT-EGEN"][:4]:
            services.answers_save(assessment=a, by=officer, values=_answer_values(a), submit=True)
