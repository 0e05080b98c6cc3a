import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from docx import Document

from foljsam.planning import services
from foljsam.planning.models import ItemStatus, Kind, PlanItem
from foljsam.registry.models import Area, EventKind, Procurement, ProviderEvent, Sector
from tests.conftest import people_of, statuses

EVERYONE = ("anon", "officer", "reader", "user_a", "user_b")


@pytest.fixture
def plan_world(world):
    Area.objects.create(code="lou_a", name="Ramavtal A", board=world.board, procurement=Procurement.LOU,
                        sector=Sector.ELDERLY, followup_year=2025)
    ProviderEvent.objects.create(provider=world.provider_a, area=world.area, kind=EventKind.FIRST_CLIENT,
                                 date=date(2024, 3, 31))
    return world


def test_generate_follows_the_registry_and_is_idempotent(plan_world):
    w = plan_world
    created = services.plan_generate(year=2024, by=w.officer)
    keys = {(i.kind, i.area.code, i.year, i.month) for i in created}
    for y in (2024, 2025, 2026):
        assert (Kind.CONTRACT, "hemtjanst", y, 2) in keys
        assert (Kind.MONTHLY, "hemtjanst", y, None) in keys
        assert (Kind.DIALOGUE, "hemtjanst", y, None) in keys
    # LOU only in its follow-up year.
    assert [i.year for i in created if i.area.code == "lou_a"] == [2025]
    # In-depth six months after the first client: 31 March + 6 months = 30 September.
    indepth = [i for i in created if i.kind == Kind.INDEPTH]
    assert [(i.year, i.month, i.provider) for i in indepth] == [(2024, 9, w.provider_a)]
    # Generating again adds nothing, and does not bring back a cancelled item.
    services.plan_item_cancel(item=indepth[0], by=w.officer, reason="Utföraren avslutade avtalet.")
    assert services.plan_generate(year=2024, by=w.officer) == []
    assert PlanItem.objects.get(kind=Kind.INDEPTH).status == ItemStatus.CANCELLED
    # The next year's plan adds only the new year.
    assert {i.year for i in services.plan_generate(year=2025, by=w.officer)} == {2027}


def test_only_officers_change_the_plan(plan_world):
    with pytest.raises(ValidationError) as exc:
        services.plan_generate(year=2024, by=plan_world.reader)
    assert exc.value.code == "forbidden"


def test_move_and_cancel_need_a_reason(plan_world):
    w = plan_world
    services.plan_generate(year=2024, by=w.officer)
    item = PlanItem.objects.get(kind=Kind.CONTRACT, area=w.area, year=2024)
    with pytest.raises(ValidationError) as exc:
        services.plan_item_move(item=item, by=w.officer, year=2024, month=4, reason=" ")
    assert exc.value.code == "reason_required"
    with pytest.raises(ValidationError) as exc:
        services.plan_item_move(item=item, by=w.officer, year=2024, month=2, reason="x")
    assert exc.value.code == "not_moved"
    with pytest.raises(ValidationError) as exc:
        services.plan_item_move(item=item, by=w.officer, year=2024, month=13, reason="x")
    assert exc.value.code == "bad_month"
    services.plan_item_move(item=item, by=w.officer, year=2024, month=4, reason="Ny katalog")
    item.refresh_from_db()
    assert (item.month, item.reason) == (4, "Ny katalog")
    with pytest.raises(ValidationError) as exc:
        services.plan_item_cancel(item=item, by=w.officer, reason="")
    assert exc.value.code == "reason_required"
    services.plan_item_cancel(item=item, by=w.officer, reason="Ingen utförare")
    with pytest.raises(ValidationError) as exc:
        services.plan_item_cancel(item=item, by=w.officer, reason="igen")
    assert exc.value.code == "cancelled"
    with pytest.raises(ValidationError) as exc:
        services.plan_item_move(item=item, by=w.officer, year=2025, month=None, reason="igen")
    assert exc.value.code == "cancelled"


def test_a_study_realises_the_planned_quality_study_of_its_area_and_year(plan_world):
    w = plan_world
    planned = services.plan_item_add(by=w.officer, kind=Kind.QUALITY, area=w.area, year=2025, title="Bemötande")
    other_year = services.plan_item_add(by=w.officer, kind=Kind.QUALITY, area=w.area, year=2026)
    study = services.study_save(by=w.officer, areas=[w.area], year=2025, theme="Bemötande")
    planned.refresh_from_db()
    other_year.refresh_from_db()
    assert planned.realised == study
    assert other_year.realised is None
    with pytest.raises(ValidationError) as exc:
        services.plan_item_realise(item=other_year, obj=study, by=w.officer)
    assert exc.value.code == "realised_elsewhere"


def test_cli_json_one_object_per_item(plan_world):
    w = plan_world
    out = io.StringIO()
    call_command("plan", "--year", "2024", "--json", stdout=out)
    proposed = json.loads(out.getvalue())
    assert PlanItem.objects.count() == 0  # the proposal is not saved
    assert {"area": "lou_a", "kind": "contract_followup", "year": 2025} in [
        {k: r[k] for k in ("area", "kind", "year")} for r in proposed]
    assert {r["status"] for r in proposed} == {"proposed"}
    assert [r["provider"] for r in proposed if r["kind"] == "indepth_followup"] == ["P-A"]
    with pytest.raises(CommandError):
        call_command("plan", "--year", "24", stdout=io.StringIO())
    services.plan_generate(year=2024, by=w.officer)
    out = io.StringIO()
    call_command("plan", "--year", "2024", "--json", stdout=out)
    stored = json.loads(out.getvalue())
    assert len(stored) == len(proposed)
    assert [r for r in stored if r["kind"] == "indepth_followup"][0]["provider"] == "P-A"


def test_plan_pages_access(client, plan_world):
    w = plan_world
    services.plan_generate(year=2024, by=w.officer)
    item = PlanItem.objects.filter(year=2024).first()
    people = people_of(w, *EVERYONE)
    read = {"anon": 302, "officer": 200, "reader": 200, "user_a": 403, "user_b": 403}
    assert statuses(client, "/plan/?ar=2024", people) == read
    assert statuses(client, "/plan/dokument.docx?ar=2024", people) == read
    assert statuses(client, f"/plan/{item.pk}/", people) == {**read, "reader": 403}
    write = {"anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    assert statuses(client, "/plan/generera/", people, "post", {"year": 2024}) == write
    assert statuses(client, "/plan/ny/", people, "post", {"kind": "quality_study", "area": w.area.pk,
                                                           "year": 2025}) == write
    assert statuses(client, f"/plan/{item.pk}/", people, "post",
                    {"action": "cancel", "cancel-reason": "Skäl"}) == write


def test_plan_page_and_bad_input(client, plan_world):
    w = plan_world
    services.plan_generate(year=2024, by=w.officer)
    client.force_login(w.officer)
    page = client.get("/plan/?ar=2024").content.decode()
    assert "Ramavtal A" in page and "Årskalender" in page
    assert client.get("/plan/?ar=²").status_code == 200  # falls back to this year
    item = PlanItem.objects.filter(year=2024, kind=Kind.CONTRACT).first()
    response = client.post(f"/plan/{item.pk}/", {"action": "move", "move-year": 2024, "move-month": "2",
                                                 "move-reason": "x"})
    assert response.status_code == 400
    response = client.post("/plan/ny/", {"kind": "nope", "area": w.area.pk, "year": 2025})
    assert response.status_code == 400


def test_plan_documents_have_seed_001s_structure(client, plan_world):
    w = plan_world
    services.plan_generate(year=2024, by=w.officer)
    services.plan_item_add(by=w.officer, kind=Kind.QUALITY, area=w.area, year=2026)
    client.force_login(w.reader)
    response = client.get("/plan/dokument.docx?ar=2024")
    doc = Document(io.BytesIO(response.content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in ("Planens innehåll och syfte", "Vilka verksamheter omfattas?", "Olika sätt att följa upp på",
              "Tidsplaner för uppföljning", "Tidsplan för kvalitetsundersökningar"):
        assert h in headings
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[-1].text: t for t in doc.tables}
    quality = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Verksamhet", "2024", "2025", "2026"]]
    assert [c.text for c in quality[-1].rows[1].cells] == ["Hemtjänst", "", "", "Planerat"]
    assert tables
    response = client.get("/plan/dokument.pdf?ar=2024")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_another_apps_case_realises_the_indepth_item_of_its_provider(plan_world):
    w = plan_world
    services.plan_generate(year=2024, by=w.officer)
    item = PlanItem.objects.get(kind=Kind.INDEPTH)
    other = PlanItem.objects.create(kind=Kind.INDEPTH, area=w.area, year=2024, provider=w.provider_b)
    case = w.provider_a  # any model instance stands in for the in-depth app's case
    assert services.link_realised(obj=case, kind=Kind.INDEPTH, area=w.area, year=2024, provider=w.provider_a) == 1
    item.refresh_from_db()
    other.refresh_from_db()
    assert item.realised == w.provider_a and other.realised is None
    with pytest.raises(TypeError):
        services.link_realised(obj=case)
