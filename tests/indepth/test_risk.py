"""The risk view: the score is the sum of its shown parts; weights are settings; under-reporting flag."""

from datetime import date, timedelta
from decimal import Decimal

from foljsam.actions import services as actions
from foljsam.actions.models import Source
from foljsam.indepth import risk, services
from foljsam.indepth.models import RiskWeight

TODAY = date.today()


def row_of(rows, provider):
    return next(r for r in rows if r.provider == provider)


def test_score_is_the_sum_of_its_parts(world, make_signal):
    make_signal(severity=3)                                           # 4 × 1
    make_signal(severity=2, received_on=TODAY - timedelta(days=120))  # 2 × 0.5
    d = actions.deviation_create(provider=world.provider_a, by=world.officer, source=Source.SIGNAL,
                                 requirement="x", text="y")
    actions.action_plan_request(deviations=[d], by=world.officer, title="Plan")
    rows = risk.risk_rows(user=world.officer)
    a = row_of(rows, world.provider_a)
    parts = {p.key: p.points for p in a.parts}
    assert parts["signals"] == Decimal("5")
    assert parts["plans"] == Decimal("1")
    assert parts["since_followup"] == Decimal("6")  # never followed up: 24 months × 0.25
    assert a.score == sum(parts.values())
    assert rows[0].provider == world.provider_a  # A ranks above B


def test_weights_are_settings(world, make_signal):
    make_signal(severity=3)
    services.risk_weights_save(values={"signal_high": Decimal("10"), "unknown": Decimal("1")}, by=world.officer)
    assert RiskWeight.objects.get().key == "signal_high"
    parts = {p.key: p.points for p in row_of(risk.risk_rows(user=world.officer), world.provider_a).parts}
    assert parts["signals"] == Decimal("10")


def test_old_signals_do_not_count(world, make_signal):
    make_signal(received_on=TODAY - timedelta(days=366))
    parts = {p.key for p in row_of(risk.risk_rows(user=world.officer), world.provider_a).parts}
    assert "signals" not in parts


def test_underreporting_flag(world, make_signal):
    world.provider_a.clients = 120
    world.provider_a.save()
    world.provider_b.clients = 10
    world.provider_b.save()
    make_signal(source="client")
    rows = risk.risk_rows(user=world.officer)
    assert row_of(rows, world.provider_a).underreporting
    assert not row_of(rows, world.provider_b).underreporting
    make_signal(source="internal")
    assert not row_of(risk.risk_rows(user=world.officer), world.provider_a).underreporting


def test_provider_users_see_no_other_rows(world):
    assert {r.provider for r in risk.risk_rows(user=world.user_a)} == {world.provider_a}
