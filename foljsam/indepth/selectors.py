"""Reads of signals and in-depth follow-ups: who sees what goes through accounts.selectors.visible.

Provider users see signals about their own organisation only where the officer shared them, and
their own cases only once closed (the result), never internal notes."""

from django.db.models import QuerySet

from foljsam.accounts import policy
from foljsam.accounts.selectors import get_visible, visible

from .models import Case, CaseStatus, Sanction, Signal, Termination


def signal_list(*, user) -> QuerySet:
    qs = visible(Signal.objects.select_related("provider", "unit", "area", "theme", "case"), user, "signal.view")
    if policy.scope(user, "signal.view") in policy.OWN:
        qs = qs.filter(shared=True)
    return qs


def signal_get(*, user, pk) -> Signal:
    return get_visible(signal_list(user=user), user, "signal.view", pk=pk)


def case_list(*, user) -> QuerySet:
    qs = visible(Case.objects.select_related("provider", "area", "unit"), user, "indepth.view")
    if policy.scope(user, "indepth.view") in policy.OWN:
        qs = qs.filter(status=CaseStatus.CLOSED)
    return qs


def case_get(*, user, pk) -> Case:
    return get_visible(case_list(user=user), user, "indepth.view", pk=pk)


def sanction_get(*, user, pk) -> Sanction:
    return get_visible(Sanction.objects.select_related("case__provider"), user, "indepth.edit", pk=pk)


def termination_get(*, user, pk) -> Termination:
    return get_visible(Termination.objects.select_related("case__provider", "contract__area"), user, "indepth.edit",
                       pk=pk)


def own_organisation(user) -> bool:
    """A provider's user: sees shared signals and closed results only, without internal notes."""
    return policy.scope(user, "indepth.view") in policy.OWN


def can_edit(user) -> bool:
    return policy.can(user, "indepth.edit")
