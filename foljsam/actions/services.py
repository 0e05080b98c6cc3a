"""Writes of the process "Genomföra åtgärder". Every step records who and when (PlanStep)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.accounts import policy
from foljsam.audit.log import Action, log_event

from .models import ActionPlan, Deviation, PlanStatus, PlanStep

NO_DEVIATIONS = _("En åtgärdsplan måste gälla minst en avvikelse.")
MIXED_PROVIDERS = _("Alla avvikelser i en åtgärdsplan måste gälla samma utförare.")
NOT_ALLOWED = _("Du får inte göra det här steget.")
WRONG_STATE = _("Planen har status ”%(status)s”; steget ”%(step)s” går inte att göra nu.")
MEASURES_REQUIRED = _("Beskriv åtgärderna innan planen skickas in.")
COMMENT_REQUIRED = _("Skriv en kommentar som säger vad som ska kompletteras.")
WEEKS_RANGE = _("Ange en tidsfrist mellan 1 och 26 veckor.")

# Which steps may follow which status; who takes a step is the policy's capability "plan.<step>".
TRANSITIONS = {
    "submit": ({PlanStatus.REQUESTED, PlanStatus.RETURNED}, PlanStatus.SUBMITTED),
    "approve": ({PlanStatus.SUBMITTED}, PlanStatus.APPROVED),
    "return": ({PlanStatus.SUBMITTED}, PlanStatus.RETURNED),
    "carry_out": ({PlanStatus.APPROVED}, PlanStatus.CARRIED_OUT),
    "verify": ({PlanStatus.CARRIED_OUT}, PlanStatus.VERIFIED),
    "reopen": ({PlanStatus.CARRIED_OUT}, PlanStatus.APPROVED),
}
STEP_LABELS = {
    "submit": _("skicka in"),
    "approve": _("godkänn"),
    "return": _("återskicka"),
    "carry_out": _("markera genomförd"),
    "verify": _("verifiera"),
    "reopen": _("återöppna"),
}


def deadline_in_weeks(*, weeks: int, start: date | None = None) -> date:
    """A deadline relative to a decision, e.g. "inom fyra veckor"."""
    if not 1 <= weeks <= 26:
        raise ValidationError(WEEKS_RANGE, code="weeks_range")
    return (start or timezone.localdate()) + timedelta(weeks=weeks)


def step_capability(step: str) -> str:
    return f"plan.{step}"


def _step(plan: ActionPlan, step: str, by, comment: str = "") -> ActionPlan:
    # Lock the row and read the status afresh: two officers clicking at once must not both win.
    plan.status = ActionPlan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
    allowed_from, target = TRANSITIONS[step]
    policy.ensure(by, step_capability(step), plan, NOT_ALLOWED)
    if plan.status not in allowed_from:
        raise ValidationError(
            WRONG_STATE, code="wrong_state", params={"status": plan.get_status_display(), "step": STEP_LABELS[step]}
        )
    plan.status = target
    plan.save()
    PlanStep.objects.create(plan=plan, status=target, by=by, comment=comment)
    return plan


@transaction.atomic
def deviation_create(
    *, provider, by, source: str, requirement: str, text: str, severity: str = "deviation",
    unit=None, source_ref: str = "", found_on: date | None = None,
) -> Deviation:
    deviation = Deviation(
        provider=provider, unit=unit, source=source, requirement=requirement, text=text,
        severity=severity, source_ref=source_ref, found_on=found_on or timezone.localdate(), created_by=by,
    )
    deviation.full_clean()
    deviation.save()
    return deviation


@transaction.atomic
def action_plan_request(
    *, deviations, by, title: str, submit_within_weeks: int = 2, request_note: str = ""
) -> ActionPlan:
    """The officer asks the provider for an action plan answering `deviations`."""
    deviations = list(deviations)
    if not deviations:
        raise ValidationError(NO_DEVIATIONS, code="no_deviations")
    if len({d.provider_id for d in deviations}) != 1:
        raise ValidationError(MIXED_PROVIDERS, code="mixed_providers")
    policy.ensure(by, "plan.request", message=NOT_ALLOWED)
    plan = ActionPlan(
        provider=deviations[0].provider, title=title, request_note=request_note,
        submit_by=deadline_in_weeks(weeks=submit_within_weeks),
    )
    plan.full_clean()
    plan.save()
    plan.deviations.set(deviations)
    log_event(user=by, action=Action.LINK, obj=plan, detail="Åtgärdsplan kopplad till avvikelser: " + "; ".join(str(d) for d in deviations))  # noqa: E501
    PlanStep.objects.create(plan=plan, status=PlanStatus.REQUESTED, by=by, comment=request_note)
    return plan


@transaction.atomic
def action_plan_submit(*, plan: ActionPlan, by, measures: str, cause: str = "", responsible: str = "") -> ActionPlan:
    if not measures.strip():
        raise ValidationError(MEASURES_REQUIRED, code="measures_required")
    plan.measures, plan.cause, plan.responsible = measures.strip(), cause.strip(), responsible.strip()
    return _step(plan, "submit", by)


@transaction.atomic
def action_plan_approve(*, plan: ActionPlan, by, complete_within_weeks: int = 4, comment: str = "") -> ActionPlan:
    # Seed 002: a deviation (rating 3) must be fixed within four weeks of the approved plan.
    plan.complete_by = deadline_in_weeks(weeks=complete_within_weeks)
    return _step(plan, "approve", by, comment)


@transaction.atomic
def action_plan_return(*, plan: ActionPlan, by, comment: str, submit_within_weeks: int = 2) -> ActionPlan:
    if not comment.strip():
        raise ValidationError(COMMENT_REQUIRED, code="comment_required")
    plan.submit_by = deadline_in_weeks(weeks=submit_within_weeks)
    return _step(plan, "return", by, comment.strip())


@transaction.atomic
def action_plan_carry_out(*, plan: ActionPlan, by, comment: str = "") -> ActionPlan:
    return _step(plan, "carry_out", by, comment)


@transaction.atomic
def action_plan_verify(*, plan: ActionPlan, by, comment: str = "") -> ActionPlan:
    """The officer checks that the measures were taken; the deviations are closed."""
    _step(plan, "verify", by, comment)
    for deviation in plan.deviations.filter(closed_on__isnull=True):
        if not deviation.action_plans.exclude(status=PlanStatus.VERIFIED).exists():
            deviation.closed_on = timezone.localdate()
            deviation.save()
    return plan


@transaction.atomic
def action_plan_reopen(*, plan: ActionPlan, by, comment: str, complete_within_weeks: int = 2) -> ActionPlan:
    """Undo "carried out" when the officer finds the measures were not taken; a new deadline."""
    if not comment.strip():
        raise ValidationError(COMMENT_REQUIRED, code="comment_required")
    plan.complete_by = deadline_in_weeks(weeks=complete_within_weeks)
    return _step(plan, "reopen", by, comment.strip())


def available_steps(*, plan: ActionPlan, user) -> list[str]:
    return [
        step for step, (allowed_from, _target) in TRANSITIONS.items()
        if plan.status in allowed_from and policy.can(user, step_capability(step), plan)
    ]
