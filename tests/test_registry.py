from datetime import date

import pytest
from django.core.management import call_command

from foljsam.registry.models import Contract, ContractForm, EventKind, Ownership, Provider, ProviderEvent
from foljsam.registry.selectors import indepth_due, providers_table
from foljsam.registry.services import providers_import


def _contract(world, name, ownership, start, end=None):
    p = Provider.objects.create(code=name, name=name, ownership=ownership)
    Contract.objects.create(provider=p, area=world.area, form=ContractForm.LOV, start=start, end=end)
    return p


def test_providers_table_counts_contracts_in_force_on_both_days(world):
    # world: provider A and B, private, since 2020 (both count on both days).
    _contract(world, "ended-june", Ownership.PRIVATE, date(2019, 1, 1), date(2022, 6, 30))
    _contract(world, "ends-31-dec", Ownership.PRIVATE, date(2019, 1, 1), date(2022, 12, 31))
    _contract(world, "starts-2-jan", Ownership.PRIVATE, date(2022, 1, 2))
    _contract(world, "starts-1-jan", Ownership.PRIVATE, date(2022, 1, 1))
    _contract(world, "ended-2021", Ownership.PRIVATE, date(2019, 1, 1), date(2021, 12, 31))
    _contract(world, "own", Ownership.MUNICIPAL, date(2010, 1, 1))
    table = providers_table(year=2022)
    [(sector, [row])] = table.sections
    assert sector == "Äldreomsorg"
    # 1 Jan: A, B, ended-june, ends-31-dec, starts-1-jan = 5 private;
    # 31 Dec: A, B, ends-31-dec, starts-2-jan, starts-1-jan = 5 private
    assert (row.jan_private, row.jan_own, row.dec_private, row.dec_own) == (5, 1, 5, 1)
    assert providers_table(year=2000).sections == []


def test_a_provider_with_two_contracts_counts_once(world):
    Contract.objects.create(provider=world.provider_a, area=world.area, form=ContractForm.LOV,
                            start=date(2021, 1, 1))
    [(_s, [row])] = providers_table(year=2022).sections
    assert row.jan_private == 2


CSV = (
    "provider_id;name;org_number;area;ownership;contract_form\n"
    "P-NEW;Nya Omsorg AB;559000-1111;hemtjanst;private;LOV\n"
    "P-A;Alfa Omsorg AB (nytt namn);556000-0001;hemtjanst;private;LOV\n"
)


def test_provider_import_is_idempotent(world):
    first = providers_import(data=CSV.encode())
    assert first.ok and (first.created, first.updated, first.contracts_created) == (1, 1, 1)
    assert Provider.objects.get(code="P-A").name == "Alfa Omsorg AB (nytt namn)"
    second = providers_import(data=CSV.encode())
    assert second.ok and (second.created, second.updated, second.unchanged, second.contracts_created) == (0, 0, 2, 0)
    assert Contract.objects.filter(provider__code="P-NEW").count() == 1


def test_provider_import_bad_rows_store_nothing(world):
    bad = CSV + "P-X;;559;okänt;public;LOV\n" + "P-NEW;Dubbel;1;hemtjanst;private;LOV\n"
    result = providers_import(data=bad.encode("utf-8-sig"))
    assert not result.ok
    lines = dict(result.errors)
    assert set(lines) == {4, 5}
    assert "name saknas" in lines[4] and "okänt område" in lines[4] and "ownership" in lines[4]
    assert "rad 2" in lines[5]
    assert not Provider.objects.filter(code="P-NEW").exists()
    assert Provider.objects.get(code="P-A").name == "Alfa Omsorg AB"


@pytest.mark.parametrize("data, message", [
    (b"provider_id,name\nP1,x\n", "Kolumner saknas: org_number, area, ownership, contract_form"),
    ("provider_id;name\nÅ;ö\n".encode("latin-1"), "inte UTF-8"),
    (b"", "tom"),
])
def test_provider_import_refuses_wrong_files(world, data, message):
    result = providers_import(data=data)
    assert not result.ok and message in result.errors[0][1]


def test_providers_command_reports_line_numbers(world, tmp_path, capsys):
    from django.core.management.base import CommandError

    path = tmp_path / "providers.csv"
    path.write_text("provider_id,name,org_number,area,ownership,contract_form\nP1,X,1,nowhere,private,LOV\n")
    with pytest.raises(CommandError, match="Inget importerades"):
        call_command("providers", "import", str(path))
    assert "rad 2: okänt område" in capsys.readouterr().err


def test_import_page(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.officer)
    bad = SimpleUploadedFile("p.csv", b"provider_id,name\n")
    response = client.post("/utforare/importera/", {"file": bad})
    assert response.status_code == 400 and "Kolumner saknas" in response.content.decode()
    good = SimpleUploadedFile("p.csv", CSV.encode())
    response = client.post("/utforare/importera/", {"file": good})
    assert response.status_code == 302 and Provider.objects.filter(code="P-NEW").exists()


def test_indepth_due_six_months_after_first_client(world):
    ProviderEvent.objects.create(provider=world.provider_a, kind=EventKind.FIRST_CLIENT, date=date(2026, 3, 31))
    ProviderEvent.objects.create(provider=world.provider_b, kind=EventKind.FIRST_CLIENT, date=date(2026, 3, 1))
    ProviderEvent.objects.create(provider=world.provider_b, kind=EventKind.INDEPTH_DONE, date=date(2026, 9, 5))
    due = indepth_due(user=world.officer, today=date(2026, 9, 1), horizon_days=30)
    assert [(d.provider.code, d.due) for d in due] == [("P-A", date(2026, 9, 30))]
    assert indepth_due(user=world.officer, today=date(2026, 8, 1), horizon_days=30) == []
    assert indepth_due(user=world.user_b, today=date(2026, 9, 1)) == []


def test_officer_edits_registry_with_validation(world, client):
    client.force_login(world.officer)
    contract = Contract.objects.get(provider=world.provider_a)
    url = f"/registret/avtal/{contract.pk}/andra/"
    response = client.post(url, {"area": world.area.pk, "form": "LOV", "start": "2024-01-01", "end": "2023-01-01"})
    assert response.status_code == 400 and "Slutdatum kan inte vara före startdatum" in response.content.decode()
    response = client.post(url, {"area": world.area.pk, "form": "LOV", "start": "2020-01-01", "end": "2026-12-31"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.end == date(2026, 12, 31)
    response = client.post(f"/utforare/{world.provider_a.pk}/handelse/ny/",
                           {"kind": "manager_change", "date": "2026-01-15", "note": "Ny chef"})
    assert response.status_code == 302
    assert world.provider_a.events.get().note == "Ny chef"


def test_bad_query_parameters_do_not_break_pages(world, client):
    client.force_login(world.officer)
    for bad in ("abc", "²", "99999999999999999999999", "-1"):
        assert client.get(f"/utforare/?omrade={bad}&regi=x").status_code == 200, bad
        assert client.get(f"/rapporter/utforartabell/?year=2022&namnd={bad}").status_code == 200, bad
    assert client.get("/rapporter/utforartabell/?year=2022&namnd=abc").status_code == 200
    assert client.get("/rapporter/utforartabell/?year=abc").status_code == 400


def test_csv_with_an_enormous_field_is_refused_cleanly(world):
    data = ("provider_id,name,org_number,area,ownership,contract_form\n" + "P1,\"" + "x" * 200_000 + "\",1,"
            "hemtjanst,private,LOV\n").encode()
    result = providers_import(data=data)
    assert not result.ok and "längre än 10000 byte" in result.errors[0][1]  # the line limit (lib/uploads.py)
