"""The case: checklist, visit, findings → deviations and plans, bistånd, sanctions, terminations."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from foljsam.actions.models import ActionPlan, Deviation, Source
from foljsam.indepth import services
from foljsam.indepth.models import CaseStatus, DecisionStatus
from foljsam.registry.models import Contract, EventKind, ProviderEvent
from foljsam.registry.selectors import providers_table

TODAY = date.today()


@pytest.fixture
def case(world):
    return services.case_open(by=world.officer, provider=world.provider_a, area=world.area, trigger="signals",
                              evidence="3 klagomål")


def test_open_copies_the_checklist_template(case):
    groups = set(case.checks.values_list("group", flat=True))
    assert groups == {"documents", "premises", "interviews"}
    assert case.checks.filter(text__icontains="Nyckelhantering").exists()


def test_open_needs_a_contract_in_the_area_and_an_officer(world):
    from foljsam.registry.models import Area

    other = Area.objects.create(code="test-annat", name="Annat område", board=world.board, procurement="LOV",
                                sector="funktionshinderomsorg")
    with pytest.raises(ValidationError) as exc:
        services.case_open(by=world.officer, provider=world.provider_a, area=other, trigger="other")
    assert exc.value.code == "no_contract"
    with pytest.raises(ValidationError) as exc:
        services.case_open(by=world.reader, provider=world.provider_a, area=world.area, trigger="other")
    assert exc.value.code == "forbidden"


def test_visit_findings_deviations_plan_and_close(world, case):
    services.case_plan_visit(case=case, by=world.officer, visit_on=TODAY, visit_by="Ulla och Kim")
    assert case.status == CaseStatus.PLANNED
    with pytest.raises(ValidationError) as exc:
        services.case_close(case=case, by=world.officer, result="Klart")
    assert exc.value.code == "not_visited"
    services.case_record_visit(case=case, by=world.officer, visited_on=TODAY, interviewed="Chef, 2 usk",
                               interview_notes="Internt: chefen nyanställd.")
    check = case.checks.first()
    services.case_checks_save(case=case, by=world.officer, values={check.pk: ("missing", "Saknas")})
    check.refresh_from_db()
    assert (check.result, check.comment) == ("missing", "Saknas")
    green = services.finding_add(case=case, by=world.officer, requirement_area="Ledning", rating="green", text="Bra")
    red = services.finding_add(case=case, by=world.officer, requirement_area="Nycklar", rating="red",
                               text="Kvittens saknas")
    yellow = services.finding_add(case=case, by=world.officer, requirement_area="Dokumentation", rating="yellow",
                                  text="Genomförandeplaner sena")
    with pytest.raises(ValidationError) as exc:
        services.findings_to_deviations(case=case, by=world.officer, findings=[green])
    assert exc.value.code == "not_red_or_yellow"
    plan = services.findings_to_deviations(case=case, by=world.officer, findings=[red, yellow])
    assert set(plan.deviations.values_list("source", "severity")) == {(Source.INDEPTH, "deviation"),
                                                                      (Source.INDEPTH, "note")}
    assert Deviation.objects.filter(source_ref=case.source_ref).count() == 2
    with pytest.raises(ValidationError) as exc:
        services.findings_to_deviations(case=case, by=world.officer, findings=[red])
    assert exc.value.code == "already_deviation"
    services.case_close(case=case, by=world.officer, result="Brister i nyckelhantering; åtgärdsplan begärd.")
    assert case.status == CaseStatus.CLOSED
    assert ProviderEvent.objects.filter(provider=world.provider_a, kind=EventKind.INDEPTH_DONE, date=TODAY).exists()
    with pytest.raises(ValidationError) as exc:
        services.finding_add(case=case, by=world.officer, requirement_area="X", rating="red", text="sent")
    assert exc.value.code == "case_closed"
    assert ActionPlan.objects.get().provider == world.provider_a


def test_bistand_notice_records_the_text_and_refuses_personnummer(world, case):
    notice = services.bistand_notify(case=case, by=world.officer, recipient="Bistånd",
                                     text="Flera kunder får inte beviljad dusch.")
    assert notice.text.startswith("Flera")
    with pytest.raises(ValidationError) as exc:
        services.bistand_notify(case=case, by=world.officer, recipient="Bistånd", text="Gäller 121212-1212")
    assert exc.value.code == "personnummer"


def test_sanction_is_tracked_to_its_decision(world, case):
    sanction = services.sanction_propose(case=case, by=world.officer, amount=Decimal("25000"), clause="12.3",
                                         reason="Upprepade brister")
    assert sanction.status == DecisionStatus.PROPOSED
    with pytest.raises(ValidationError) as exc:
        services.sanction_decide(sanction=sanction, by=world.officer, approve=True, decided_by="", decision_on=TODAY)
    assert exc.value.code == "decider_required"
    sanction = services.sanction_decide(sanction=sanction, by=world.officer, approve=True, decided_by="Nämnden",
                                        decision_on=TODAY)
    assert sanction.status == DecisionStatus.DECIDED
    with pytest.raises(ValidationError) as exc:
        services.sanction_decide(sanction=sanction, by=world.officer, approve=False, decided_by="x", decision_on=TODAY)
    assert exc.value.code == "already_decided"
    with pytest.raises(ValidationError) as exc:
        services.sanction_propose(case=case, by=world.officer, amount=Decimal("0"), clause="1", reason="x")
    assert exc.value.code == "amount_positive"


def _terminate(world, case, *, last_day, approve=True, decision_on=date(2022, 8, 1)):
    contract = Contract.objects.get(provider=world.provider_a)
    termination = services.termination_propose(case=case, by=world.officer, contract=contract, reason="Avvikelser",
                                               notice="tre månader", last_day=last_day,
                                               initiator="provider")
    return services.termination_decide(termination=termination, by=world.officer, approve=approve,
                                       decided_by="Nämnden", decision_on=decision_on), contract


def _hemtjanst_row(year):
    return providers_table(year=year).sections[0][1][0]


def test_decided_termination_ends_the_contract_on_its_last_day(world, case):
    assert _hemtjanst_row(2022).dec_private == 2
    termination, contract = _terminate(world, case, last_day=date(2022, 11, 30))
    contract.refresh_from_db()
    assert termination.status == DecisionStatus.DECIDED and contract.end == date(2022, 11, 30)
    assert contract.active_on(date(2022, 11, 30)) and not contract.active_on(date(2022, 12, 1))
    row = _hemtjanst_row(2022)
    assert (row.jan_private, row.dec_private) == (2, 1)
    assert ProviderEvent.objects.filter(provider=world.provider_a, kind=EventKind.TERMINATION,
                                        date=date(2022, 11, 30)).exists()


def test_last_day_of_the_year_still_counts_on_31_december(world, case):
    _terminate(world, case, last_day=date(2022, 12, 31))
    assert _hemtjanst_row(2022).dec_private == 2
    assert _hemtjanst_row(2023).jan_private == 1


def test_rejected_termination_leaves_the_contract(world, case):
    termination, contract = _terminate(world, case, last_day=date(2022, 11, 30), approve=False)
    contract.refresh_from_db()
    assert termination.status == DecisionStatus.REJECTED and contract.end is None


def test_termination_edges(world, case):
    contract = Contract.objects.get(provider=world.provider_a)
    with pytest.raises(ValidationError) as exc:
        services.termination_propose(case=case, by=world.officer, contract=contract, reason="x", notice="x",
                                     last_day=date(2019, 12, 31))
    assert exc.value.code == "last_day_before_start"
    other = Contract.objects.get(provider=world.provider_b)
    with pytest.raises(ValidationError) as exc:
        services.termination_propose(case=case, by=world.officer, contract=other, reason="x", notice="x",
                                     last_day=date(2022, 1, 1))
    assert exc.value.code == "contract_other"
    with pytest.raises(ValidationError) as exc:
        _terminate(world, case, last_day=date(2022, 7, 31), decision_on=date(2022, 8, 1))
    assert exc.value.code == "last_day_before_decision"
    contract.refresh_from_db()
    assert contract.end is None


def test_report_indepth_json(world, case, make_signal, capsys):
    make_signal(received_on=TODAY)
    sanction = services.sanction_propose(case=case, by=world.officer, amount=Decimal("1000"), clause="1",
                                         reason="x")
    services.sanction_decide(sanction=sanction, by=world.officer, approve=True, decided_by="N", decision_on=TODAY)
    _terminate(world, case, last_day=TODAY + timedelta(days=30), decision_on=TODAY)
    call_command("report", "indepth", "--year", str(TODAY.year), "--json")
    data = json.loads(capsys.readouterr().out)
    expected_terminations = 1 if (TODAY + timedelta(days=30)).year == TODAY.year else 0
    assert all(set(r) == {"area", "indepth_followups", "by_trigger", "signals", "sanctions", "terminations"}
               for r in data)
    data = [r for r in data if r["area"] == "hemtjanst"]
    assert data == [{"area": "hemtjanst", "indepth_followups": 1, "by_trigger": {"signals": 1}, "signals": 1,
                     "sanctions": 1, "terminations": expected_terminations}]
    call_command("report", "indepth", "--year", "2000", "--json")
    assert all(r["indepth_followups"] == 0 for r in json.loads(capsys.readouterr().out))
