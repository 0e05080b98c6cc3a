"""The one place for proposals: thresholds, their 90-day edge, reuse of the registry's clock, handling."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from foljsam.indepth import services, triggers
from foljsam.indepth.models import SignalRule, SignalTheme
from foljsam.registry.models import Contract, ContractForm, EventKind, Ownership, Provider, ProviderEvent, Unit
from tests.followups.conftest import fu, sent  # noqa: F401  (fixtures)

TODAY = date.today()


def kinds(user, provider):
    return [r.kind for r in triggers.reasons_for(user=user, provider=provider)]


def test_three_complaints_in_90_days_propose(world, make_signal):
    make_signal(received_on=TODAY - timedelta(days=90))
    make_signal(received_on=TODAY - timedelta(days=10))
    assert kinds(world.officer, world.provider_a) == []
    make_signal(received_on=TODAY)
    reasons = triggers.reasons_for(user=world.officer, provider=world.provider_a)
    assert [r.kind for r in reasons] == ["signals"]
    assert reasons[0].since == TODAY - timedelta(days=90)


def test_a_complaint_91_days_old_does_not_count(world, make_signal):
    make_signal(received_on=TODAY - timedelta(days=91))
    make_signal(received_on=TODAY - timedelta(days=10))
    make_signal(received_on=TODAY)
    assert kinds(world.officer, world.provider_a) == []


def test_one_lex_sarah_on_risk_of_abuse_proposes_but_a_lower_one_does_not(world, make_signal):
    make_signal(source="lex_sarah", severity=2)
    assert kinds(world.officer, world.provider_a) == []
    make_signal(source="lex_sarah", severity=3)
    assert kinds(world.officer, world.provider_a) == ["signals"]


def test_thresholds_are_settable_per_area(world, make_signal):
    SignalRule.objects.all().delete()
    SignalRule.objects.create(area=world.area, source="", min_severity=1, count=1, days=30)
    make_signal()
    assert kinds(world.officer, world.provider_a) == ["signals"]
    rule = SignalRule.objects.get()  # saved as the settings page does (an audited write, a new data version)
    rule.area, rule.count = None, 2
    rule.save()
    assert kinds(world.officer, world.provider_a) == []


def test_six_months_after_first_client_is_the_registrys_clock(world):
    first = TODAY - timedelta(days=200)
    ProviderEvent.objects.create(provider=world.provider_a, kind=EventKind.FIRST_CLIENT, date=first)
    reasons = triggers.reasons_for(user=world.officer, provider=world.provider_a)
    assert [(r.kind, r.since) for r in reasons] == [("new_provider", first)]
    ProviderEvent.objects.create(provider=world.provider_a, kind=EventKind.INDEPTH_DONE, date=TODAY)
    assert kinds(world.officer, world.provider_a) == []


def test_organisation_change_proposes_and_a_later_case_handles_it(world):
    ProviderEvent.objects.create(provider=world.provider_a, kind=EventKind.MANAGER_CHANGE,
                                 date=TODAY - timedelta(days=20), note="Ny chef")
    ProviderEvent.objects.create(provider=world.provider_b, kind=EventKind.NEW_PREMISES,
                                 date=TODAY - timedelta(days=400))
    assert kinds(world.officer, world.provider_a) == ["organisation"]
    assert kinds(world.officer, world.provider_b) == []
    # A case opened before the change does not handle it; one opened after does.
    services.case_open(by=world.officer, provider=world.provider_a, area=world.area, trigger="other",
                       opened_on=TODAY - timedelta(days=21))
    assert kinds(world.officer, world.provider_a) == ["organisation"]
    services.case_open(by=world.officer, provider=world.provider_a, area=world.area, trigger="organisation",
                       opened_on=TODAY - timedelta(days=20))
    assert kinds(world.officer, world.provider_a) == []


def test_provider_users_get_no_proposals_about_others(world, make_signal):
    for _ in range(3):
        make_signal()
    assert triggers.proposals(user=world.user_b) == []


def test_same_theme_at_three_providers_proposes_a_quality_study(world, make_signal):
    c = Provider.objects.create(code="P-C", name="Gamma Omsorg AB", ownership=Ownership.PRIVATE)
    Contract.objects.create(provider=c, area=world.area, form=ContractForm.LOV, start=date(2020, 1, 1))
    Unit.objects.create(provider=c, area=world.area, name="Gamma")
    food = SignalTheme.objects.get(name="Mat och måltider")
    make_signal(world.provider_a, theme_obj=food)
    make_signal(world.provider_b, theme_obj=food)
    assert triggers.quality_study_proposals(user=world.officer) == []
    make_signal(c, theme_obj=food)
    [study] = triggers.quality_study_proposals(user=world.officer)
    assert (study.theme, len(study.providers)) == (food, 3)


def test_proposals_json_shape(world, make_signal, capsys):
    for _ in range(3):
        make_signal()
    call_command("indepth", "proposals", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data == [{"provider_id": "P-A", "reasons": [
        {"kind": "signals", "since": TODAY.isoformat(), "evidence": data[0]["reasons"][0]["evidence"]}]}]
    assert "3 ×" in data[0]["reasons"][0]["evidence"]


@pytest.mark.django_db
def test_red_streak_reason_comes_from_the_monthly_rule(world, monkeypatch):
    from foljsam.monthly import selectors as monthly

    streak = monthly.Streak(world.provider_a, ["Manuell registrering"], first="2026-08", last="2026-10")
    monkeypatch.setattr(monthly, "red_streaks", lambda user: [streak])
    reasons = triggers.reasons_for(user=world.officer, provider=world.provider_a)
    assert [(r.kind, r.since) for r in reasons] == [("red_figures", date(2026, 8, 1))]


def test_an_area_rated_3_in_the_contract_followup_proposes(sent):  # noqa: F811
    from foljsam.followups import services as fu_services
    from tests.followups.conftest import answer_all, rate_all

    a = sent.a
    answer_all(a, sent.user_a)
    rate_all(a, sent.officer, {"Rutin för lex Sarah": "red"})
    fu_services.factcheck_send(assessment=a, by=sent.officer)
    fu_services.factcheck_save(assessment=a, by=sent.user_a, comments={}, done=True)
    fu_services.assessment_finalise(assessment=a, by=sent.officer)
    reasons = triggers.reasons_for(user=sent.officer, provider=sent.provider_a)
    assert [r.kind for r in reasons] == ["contract_followup"]
    assert "Ledningssystem för kvalitet" in reasons[0].evidence
    assert kinds(sent.officer, sent.provider_b) == []
