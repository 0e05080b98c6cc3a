"""Edges of the action-plan life cycle and of the execution rate (issue 8 item 2). Each asserts an
error code or a state, never the Swedish text."""

import pytest
from django.core.exceptions import ValidationError

from foljsam.actions import services
from foljsam.actions.models import PlanStatus, Source
from foljsam.monthly.engine.kpis import BY_KEY, compute_kpis
from foljsam.monthly.selectors import format_value

from .monthly_engine.conftest import Loader

STEP_ARGS = {"submit": {"measures": "Ny rutin."}, "return": {"comment": "Komplettera."},
             "reopen": {"comment": "Inte gjort."}}
STEP_SERVICES = {
    "submit": services.action_plan_submit, "approve": services.action_plan_approve,
    "return": services.action_plan_return, "carry_out": services.action_plan_carry_out,
    "verify": services.action_plan_verify, "reopen": services.action_plan_reopen,
}


def _deviation(world, requirement="Nyckelhantering"):
    return services.deviation_create(provider=world.provider_a, by=world.officer, source=Source.SIGNAL,
                                     requirement=requirement, text="Kvittens saknas.")


def _verified(world, deviations):
    plan = services.action_plan_request(deviations=deviations, by=world.officer, title="Plan")
    services.action_plan_submit(plan=plan, by=world.user_a, measures="Ny rutin.")
    services.action_plan_approve(plan=plan, by=world.officer)
    services.action_plan_carry_out(plan=plan, by=world.user_a)
    return services.action_plan_verify(plan=plan, by=world.officer)


def test_every_step_is_covered_here():
    assert set(STEP_SERVICES) == set(services.TRANSITIONS)


@pytest.mark.parametrize("step", sorted(STEP_SERVICES))
def test_a_verified_plan_is_terminal(step, world):
    """No step leads out of "verified" – reopening included."""
    plan = _verified(world, [_deviation(world)])
    with pytest.raises(ValidationError) as exc:
        STEP_SERVICES[step](plan=plan, by=world.officer, **STEP_ARGS.get(step, {}))
    assert exc.value.code == "wrong_state"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.VERIFIED
    assert services.available_steps(plan=plan, user=world.officer) == []


def test_reopening_a_verified_plan_through_the_web_changes_nothing(world, client):
    plan = _verified(world, [_deviation(world)])
    client.force_login(world.officer)
    response = client.post(f"/atgardsplaner/{plan.pk}/reopen/",
                           {"reopen-comment": "Nej", "reopen-complete_within_weeks": 2})
    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.status == PlanStatus.VERIFIED


def test_verifying_a_plan_leaves_a_deviation_open_that_another_plan_still_answers(world):
    shared, only_first = _deviation(world), _deviation(world, "Bemötande")
    second = services.action_plan_request(deviations=[shared], by=world.officer, title="Andra planen")
    _verified(world, [shared, only_first])
    shared.refresh_from_db()
    only_first.refresh_from_db()
    assert shared.closed_on is None  # the second plan is still open
    assert only_first.closed_on is not None
    services.action_plan_submit(plan=second, by=world.user_a, measures="m")
    services.action_plan_approve(plan=second, by=world.officer)
    services.action_plan_carry_out(plan=second, by=world.user_a)
    services.action_plan_verify(plan=second, by=world.officer)
    shared.refresh_from_db()
    assert shared.closed_on is not None


def test_step_codes(world):
    plan = services.action_plan_request(deviations=[_deviation(world)], by=world.officer, title="Plan")
    with pytest.raises(ValidationError) as exc:
        services.action_plan_submit(plan=plan, by=world.user_a, measures=" ")
    assert exc.value.code == "measures_required"
    with pytest.raises(ValidationError) as exc:
        services.action_plan_approve(plan=plan, by=world.user_a)
    assert exc.value.code == "forbidden"
    with pytest.raises(ValidationError) as exc:
        services.action_plan_submit(plan=plan, by=world.user_b, measures="Kapning")
    assert exc.value.code == "forbidden"
    with pytest.raises(ValidationError) as exc:
        services.action_plan_request(deviations=[], by=world.officer, title="Tom")
    assert exc.value.code == "no_deviations"
    with pytest.raises(ValidationError) as exc:
        services.deadline_in_weeks(weeks=0)
    assert exc.value.code == "weeks_range"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REQUESTED


# --- Execution rate with zero granted time ------------------------------------------------------

def test_execution_rate_is_undefined_when_no_time_is_granted(tmp_path):
    """Visits, but the only grant gives 0 minutes (P1) or lies outside the month (P2): the rate is
    undefined (None), not a division by zero, and it is neither red nor shown as a number."""
    loader = Loader(tmp_path).load(
        visits=("v1,P1,c1,s1,2026-03-03T08:00:00,2026-03-03T09:00:00,electronic,A\n"
                "v2,P2,c2,s1,2026-03-03T08:00:00,2026-03-03T08:30:00,electronic,A\n"),
        grants=("c1,P1,SERV,0,2026-01-01,\n"
                "c2,P2,SERV,300,2026-01-01,2026-02-28\n"),
    )
    rows = {r["provider_id"]: r for r in compute_kpis(loader.data, "2026-03")}
    for provider in ("P1", "P2"):
        assert rows[provider]["executed_minutes"] > 0
        assert not rows[provider]["granted_minutes"]
        assert rows[provider]["execution_rate"] is None, provider
    kpi = BY_KEY["execution_rate"]
    assert kpi.status(None, kpi.default_yellow, kpi.default_red) is None
    assert format_value("execution_rate", None) == "–"
