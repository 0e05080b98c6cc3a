from django.db.models import Q, QuerySet
from django.utils import timezone

from foljsam.accounts.selectors import visible

from .models import ActionPlan, Deviation, PlanStatus


def deviation_list(*, user) -> QuerySet:
    return visible(Deviation.objects.select_related("provider", "unit"), user)


def action_plan_list(*, user) -> QuerySet:
    return visible(ActionPlan.objects.select_related("provider"), user)


def overdue_plans(*, user, today=None) -> QuerySet:
    today = today or timezone.localdate()
    return action_plan_list(user=user).filter(
        Q(status__in=[PlanStatus.REQUESTED, PlanStatus.RETURNED], submit_by__lt=today)
        | Q(status=PlanStatus.APPROVED, complete_by__lt=today)
    )


def plans_to_review(*, user) -> QuerySet:
    """Waiting on the officer: submitted plans and plans reported as carried out."""
    return action_plan_list(user=user).filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.CARRIED_OUT])


def plans_waiting_on_provider(*, user) -> QuerySet:
    return action_plan_list(user=user).filter(
        status__in=[PlanStatus.REQUESTED, PlanStatus.RETURNED, PlanStatus.APPROVED]
    )
