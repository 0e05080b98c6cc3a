"""Signals register: personnummer check, handling status, decisions, CSV import."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from foljsam.actions.models import Deviation, Source
from foljsam.indepth import services
from foljsam.indepth.models import Case, Signal, SignalStatus
from foljsam.lib.personnummer import find_personnummer


@pytest.mark.parametrize("text", [
    "Brukaren 19121212-1212 klagade", "pnr 121212-1212", "121212+1212", "1212121212", "191212121212",
    "samordningsnummer 701063-2391", "fel kontrollsiffra 121212-1213",
])
def test_personnummer_found(text):
    assert find_personnummer(text)


@pytest.mark.parametrize("text", [
    "ring 070-1234567", "0701234567", "besöket 2024-03-15 kl 14", "ärende 2024/1234", "991332-1234",
    "12 besök på 3 dagar", "dnr VON-2022/101",
])
def test_personnummer_not_found(text):
    assert not find_personnummer(text)


def test_signal_with_personnummer_is_refused(world, theme):
    with pytest.raises(ValidationError) as exc:
        services.signal_create(by=world.officer, provider=world.provider_a, received_on=date.today(),
                               source="client", theme=theme, description="Gäller 19121212-1212.")
    assert exc.value.code == "personnummer"
    assert not Signal.objects.exists()


def test_only_officers_register_signals(world, theme):
    for person in (world.reader, world.user_a):
        with pytest.raises(ValidationError) as exc:
            services.signal_create(by=person, provider=world.provider_a, received_on=date.today(), source="client",
                                   theme=theme, description="x")
        assert exc.value.code == "forbidden"


def test_signal_refuses_future_date_and_other_providers_unit(world, theme):
    with pytest.raises(ValidationError) as exc:
        services.signal_create(by=world.officer, provider=world.provider_a, theme=theme, source="client",
                               received_on=date.today() + timedelta(days=1), description="x")
    assert exc.value.code == "future_date"
    with pytest.raises(ValidationError) as exc:
        services.signal_create(by=world.officer, provider=world.provider_a, theme=theme, source="client",
                               received_on=date.today(), description="x", unit=world.provider_b.units.first())
    assert exc.value.code == "unit_other_provider"


def test_signal_takes_the_providers_only_area(make_signal, world):
    assert make_signal().area == world.area


def test_assess_as_deviation_uses_the_actions_process(make_signal, world):
    signal = services.signal_assess(signal=make_signal(), by=world.officer, decision="deviation")
    assert signal.status == SignalStatus.ASSESSED
    deviation = Deviation.objects.get()
    assert (deviation.source, deviation.provider, signal.deviation) == (Source.SIGNAL, world.provider_a, deviation)


def test_assess_as_indepth_opens_a_case_or_joins_the_open_one(make_signal, world):
    first = services.signal_assess(signal=make_signal(), by=world.officer, decision="indepth")
    second = services.signal_assess(signal=make_signal(), by=world.officer, decision="indepth")
    assert first.case is not None and second.case == first.case
    assert Case.objects.get().trigger == "signals"


def test_status_received_assessed_closed_and_no_way_back(make_signal, world):
    signal = make_signal()
    with pytest.raises(ValidationError) as exc:
        services.signal_close(signal=signal, by=world.officer)
    assert exc.value.code == "wrong_state"
    services.signal_assess(signal=signal, by=world.officer, decision="no_action")
    with pytest.raises(ValidationError) as exc:
        services.signal_assess(signal=signal, by=world.officer, decision="dialogue")
    assert exc.value.code == "wrong_state"
    assert services.signal_close(signal=signal, by=world.officer).status == SignalStatus.CLOSED
    with pytest.raises(ValidationError):
        services.signal_close(signal=signal, by=world.officer)


def test_update_is_checked_for_personnummer(make_signal, world):
    signal = make_signal()
    with pytest.raises(ValidationError) as exc:
        services.signal_update(signal=signal, by=world.officer, description="121212-1212 ringde")
    assert exc.value.code == "personnummer"
    signal.refresh_from_db()
    assert "121212" not in signal.description


HEADER = "provider_id;received_on;source;theme;severity;description\n"


def test_import_all_rows(world, tmp_path, capsys):
    path = tmp_path / "signaler.csv"
    path.write_text(HEADER + "P-A;2026-01-10;client;Bemötande;2;Otrevligt bemötande\n"
                    "P-B;2026-01-11;lex_sarah;hygien;3;Bristande hygien vid dusch\n", encoding="utf-8")
    call_command("signals", "import", str(path))
    assert "2 signaler" in capsys.readouterr().out
    assert Signal.objects.count() == 2
    assert Signal.objects.get(provider=world.provider_b).theme.name == "Hygien"


def test_import_refuses_the_whole_file_with_line_numbers(world, tmp_path, capsys):
    path = tmp_path / "signaler.csv"
    path.write_text(HEADER + "P-A;2026-01-10;client;Bemötande;2;ok rad\n"
                    "P-X;2026-13-01;tips;Okänt;9;\n"
                    "P-A;2026-01-12;client;Bemötande;2;gäller 121212-1212\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("signals", "import", str(path))
    err = capsys.readouterr().err
    assert "rad 3" in err and "rad 4" in err and "rad 2" not in err
    assert not Signal.objects.exists()


def test_import_missing_columns_and_bad_encoding(world):
    result = services.signals_import(data=b"provider_id;received_on\nP-A;2026-01-01\n")
    assert not result.ok and result.errors[0][0] == 1
    result = services.signals_import(data="provider_id;å\n".encode("latin-1"))
    assert not result.ok and not Signal.objects.exists()
