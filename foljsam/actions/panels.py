from foljsam.accounts import policy
from foljsam.home import start_panel

from . import selectors


@start_panel(template="actions/panels/officer.html", capability="plan.view", scopes=(policy.ALL,), order=10)
def officer_panel(user):
    return {
        # Plans to review only for those who review them (not for readers).
        "may_review": policy.can(user, "plan.approve"),
        "to_review": selectors.plans_to_review(user=user)[:20],
        "overdue": selectors.overdue_plans(user=user)[:20],
        "open_deviations": selectors.deviation_list(user=user).filter(closed_on__isnull=True).count(),
    }


@start_panel(template="actions/panels/provider.html", capability="plan.submit", scopes=policy.OWN, order=10)
def provider_panel(user):
    return {
        "waiting": selectors.plans_waiting_on_provider(user=user),
        "overdue_ids": set(selectors.overdue_plans(user=user).values_list("pk", flat=True)),
    }
