from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from foljsam.actions import selectors, services
from foljsam.actions.models import ActionPlan, PlanStatus, Severity, Source


@pytest.fixture
def deviation(world):
    return services.deviation_create(provider=world.provider_a, by=world.officer, source=Source.MONTHLY,
                                     requirement="manual_share", text="12 % manuella registreringar.")


def test_full_cycle_records_who_and_when(world, deviation):
    today = timezone.localdate()
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="Registrering",
                                        submit_within_weeks=2)
    assert plan.status == PlanStatus.REQUESTED and plan.submit_by == today + timedelta(weeks=2)
    services.action_plan_submit(plan=plan, by=world.user_a, measures="Personliga taggar.")
    services.action_plan_approve(plan=plan, by=world.officer, complete_within_weeks=4)
    assert plan.complete_by == today + timedelta(weeks=4)
    services.action_plan_carry_out(plan=plan, by=world.user_a, comment="Klart.")
    services.action_plan_verify(plan=plan, by=world.officer)
    steps = list(plan.steps.values_list("status", "by__username"))
    assert steps == [
        ("requested", "officer"), ("submitted", "alice"), ("approved", "officer"),
        ("carried_out", "alice"), ("verified", "officer"),
    ]
    deviation.refresh_from_db()
    assert deviation.closed_on == today


def test_steps_out_of_order_are_refused(world, deviation):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="X")
    with pytest.raises(ValidationError, match="går inte att göra nu"):
        services.action_plan_approve(plan=plan, by=world.officer)
    with pytest.raises(ValidationError, match="Beskriv åtgärderna"):
        services.action_plan_submit(plan=plan, by=world.user_a, measures="  ")


def test_who_may_take_which_step(world, deviation):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="X")
    with pytest.raises(ValidationError):
        services.action_plan_submit(plan=plan, by=world.user_b, measures="Inte min plan.")
    services.action_plan_submit(plan=plan, by=world.user_a, measures="Min plan.")
    with pytest.raises(ValidationError):
        services.action_plan_approve(plan=plan, by=world.user_a)
    with pytest.raises(ValidationError):
        services.action_plan_request(deviations=[deviation], by=world.user_a, title="Y")
    assert services.available_steps(plan=plan, user=world.officer) == ["approve", "return"]
    assert services.available_steps(plan=plan, user=world.user_a) == []


def test_return_needs_a_comment_and_resets_the_deadline(world, deviation):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="X")
    services.action_plan_submit(plan=plan, by=world.user_a, measures="Vi ska bli bättre.")
    with pytest.raises(ValidationError, match="kommentar"):
        services.action_plan_return(plan=plan, by=world.officer, comment="")
    services.action_plan_return(plan=plan, by=world.officer, comment="Konkreta åtgärder saknas.",
                                submit_within_weeks=1)
    assert plan.status == PlanStatus.RETURNED
    assert plan.submit_by == timezone.localdate() + timedelta(weeks=1)


def test_one_plan_may_not_mix_providers(world, deviation):
    other = services.deviation_create(provider=world.provider_b, by=world.officer, source=Source.SIGNAL,
                                      requirement="x", text="y", severity=Severity.NOTE)
    with pytest.raises(ValidationError, match="samma utförare"):
        services.action_plan_request(deviations=[deviation, other], by=world.officer, title="X")
    with pytest.raises(ValidationError, match="minst en"):
        services.action_plan_request(deviations=[], by=world.officer, title="X")


def test_overdue_plans(world, deviation):
    today = timezone.localdate()
    waiting = services.action_plan_request(deviations=[deviation], by=world.officer, title="Väntar")
    ActionPlan.objects.filter(pk=waiting.pk).update(submit_by=today - timedelta(days=1))
    approved = services.action_plan_request(deviations=[deviation], by=world.officer, title="Godkänd")
    services.action_plan_submit(plan=approved, by=world.user_a, measures="m")
    services.action_plan_approve(plan=approved, by=world.officer)
    ActionPlan.objects.filter(pk=approved.pk).update(complete_by=today - timedelta(days=2), submit_by=today)
    on_time = services.action_plan_request(deviations=[deviation], by=world.officer, title="I tid")
    overdue = set(selectors.overdue_plans(user=world.officer).values_list("title", flat=True))
    assert overdue == {"Väntar", "Godkänd"}
    assert not on_time.is_overdue
    assert set(selectors.overdue_plans(user=world.user_b)) == set()


def test_weeks_out_of_range():
    with pytest.raises(ValidationError):
        services.deadline_in_weeks(weeks=0)


def test_officer_start_page_lists_overdue_and_review(world, deviation, client):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="Sen plan")
    ActionPlan.objects.filter(pk=plan.pk).update(submit_by=timezone.localdate() - timedelta(days=3))
    client.force_login(world.officer)
    body = client.get("/").content.decode()
    assert "Försenade åtgärdsplaner" in body and "Sen plan" in body
    client.force_login(world.user_a)
    body = client.get("/").content.decode()
    assert "Era öppna förfrågningar" in body and "Sen plan" in body and "försenad" in body
    client.force_login(world.user_b)
    assert "Sen plan" not in client.get("/").content.decode()


def test_step_view_shows_form_errors(world, deviation, client):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="X")
    client.force_login(world.user_a)
    response = client.post(f"/atgardsplaner/{plan.pk}/submit/", {"submit-measures": ""})
    assert response.status_code == 400
    assert "Detta fält måste fyllas i" in response.content.decode()
    # A step the user has no capability for is refused (403), not a form error.
    response = client.post(f"/atgardsplaner/{plan.pk}/approve/", {"approve-complete_within_weeks": "4"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REQUESTED


def test_reopen_sets_a_new_deadline(world, deviation):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="X")
    services.action_plan_submit(plan=plan, by=world.user_a, measures="m")
    services.action_plan_approve(plan=plan, by=world.officer)
    ActionPlan.objects.filter(pk=plan.pk).update(complete_by=timezone.localdate() - timedelta(days=10))
    plan.refresh_from_db()
    services.action_plan_carry_out(plan=plan, by=world.user_a)
    services.action_plan_reopen(plan=plan, by=world.officer, comment="Rutinen saknas fortfarande.",
                                complete_within_weeks=3)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and not plan.is_overdue
    assert plan.complete_by == timezone.localdate() + timedelta(weeks=3)


def test_a_stale_object_cannot_take_a_second_step(world, deviation):
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="X")
    services.action_plan_submit(plan=plan, by=world.user_a, measures="m")
    stale = ActionPlan.objects.get(pk=plan.pk)
    services.action_plan_approve(plan=plan, by=world.officer)
    with pytest.raises(ValidationError, match="går inte att göra nu"):
        services.action_plan_return(plan=stale, by=world.officer, comment="Samtidigt klick.")
