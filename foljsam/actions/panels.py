from foljsam.home import start_panel

from . import selectors

OFFICERS = ("officer", "admin", "reader")


@start_panel(template="actions/panels/officer.html", roles=OFFICERS, order=10)
def officer_panel(user):
    return {
        "to_review": selectors.plans_to_review(user=user)[:20],
        "overdue": selectors.overdue_plans(user=user)[:20],
        "open_deviations": selectors.deviation_list(user=user).filter(closed_on__isnull=True).count(),
    }


@start_panel(template="actions/panels/provider.html", roles=("provider",), order=10)
def provider_panel(user):
    return {
        "waiting": selectors.plans_waiting_on_provider(user=user),
        "overdue_ids": set(selectors.overdue_plans(user=user).values_list("pk", flat=True)),
    }
