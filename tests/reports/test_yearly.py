import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from docx import Document

from foljsam.actions import services as actions
from foljsam.actions.models import Source
from foljsam.indepth import services as indepth
from foljsam.indepth.models import SignalSource, SignalTheme, TriggerKind
from foljsam.planning import services as planning
from foljsam.registry.models import EventKind, ProviderEvent
from foljsam.reports import services, sources
from foljsam.reports.models import SectionText
from foljsam.reports.yearly import yearly_outline, yearly_report
from tests.conftest import people_of, statuses

EVERYONE = ("anon", "officer", "reader", "user_a", "user_b")


@pytest.fixture
def year_2022(world):
    w = world
    for i, provider in enumerate((w.provider_a, w.provider_b, w.provider_a)):
        d = actions.deviation_create(provider=provider, by=w.officer, source=Source.MONTHLY,
                                     requirement="Generella kvittenser (generic_share)", text="x",
                                     found_on=date(2022, 3 + i, 1))
        actions.action_plan_request(deviations=[d], by=w.officer, title="Kvittenser")
    # Not counted: another year, another source, a deviation without a plan.
    actions.action_plan_request(deviations=[actions.deviation_create(
        provider=w.provider_a, by=w.officer, source=Source.MONTHLY, requirement="Manuell registrering", text="x",
        found_on=date(2023, 1, 1))], by=w.officer, title="Manuell")
    actions.action_plan_request(deviations=[actions.deviation_create(
        provider=w.provider_a, by=w.officer, source=Source.CONTRACT_FOLLOWUP, requirement="Rutin", text="x",
        found_on=date(2022, 5, 1))], by=w.officer, title="Rutin")
    # In-depth follow-ups are the indepth app's cases (foljsam/indepth/report_sources.py), by opening year.
    indepth.case_open(by=w.officer, provider=w.provider_b, area=w.area, trigger=TriggerKind.SIGNALS,
                      opened_on=date(2022, 6, 1))
    indepth.case_open(by=w.officer, provider=w.provider_b, area=w.area, trigger=TriggerKind.SIGNALS,
                      opened_on=date(2021, 12, 31))
    # A signal of 2022 for seed 003's deviations table.
    theme = SignalTheme.objects.get_or_create(name="Bemötande")[0]
    indepth.signal_create(by=w.officer, provider=w.provider_a, received_on=date(2022, 2, 2),
                          source=SignalSource.LEX_SARAH, theme=theme, description="Anmälan enligt lex Sarah.")
    planning.study_save(by=w.officer, areas=[w.area], year=2022, theme="Ledningssystem",
                        recommendations=["Tydliga rollbeskrivningar", "Planeringssystem"])
    return w


def test_numbers_come_from_the_data(year_2022):
    data = yearly_report(2022)
    (area,) = data["areas"]
    assert area["area"] == "hemtjanst"
    assert area["monthly_action_plans"] == 3
    assert area["monthly_deviation_areas"] == ["Generella kvittenser"]
    assert area["indepth_followups"] == 1 and area["indepth"][0]["trigger"] == TriggerKind.SIGNALS.label
    assert area["contract_followup"] is None
    assert data["quality_studies"][0]["recommendations"] == ["Tydliga rollbeskrivningar", "Planeringssystem"]
    assert data["providers_table"] == [{"sector": "Äldreomsorg", "area": "hemtjanst", "name": "Hemtjänst",
                                        "jan_private": 2, "jan_own": 0, "dec_private": 2, "dec_own": 0}]
    assert data["deviations_table"] == [{"provider": "Alfa Omsorg AB", "provider_id": year_2022.provider_a.pk,
                                         "area": "hemtjanst", "lex_sarah": 1,
                                         "internal": 0, "complaints": 0, "comments": 0}]


def test_an_app_providing_indepth_cases_replaces_the_registry_stand_in(year_2022, monkeypatch):
    # The indepth app provides the cases: a registry event "in-depth follow-up done" no longer counts.
    ProviderEvent.objects.create(provider=year_2022.provider_a, area=year_2022.area, kind=EventKind.INDEPTH_DONE,
                                 date=date(2022, 7, 1), note="Händelse, inget ärende")
    assert yearly_report(2022)["areas"][0]["indepth_followups"] == 1
    # Without an app providing them, the registry's events stand in and no deviations table is made.
    monkeypatch.setattr(sources, "_providers", lambda function: [])
    data = yearly_report(2022)
    assert data["areas"][0]["indepth_followups"] == 1 and data["areas"][0]["indepth"][0]["provider"] == "Alfa Omsorg AB"
    assert data["deviations_table"] is None
    doc = yearly_outline(data)
    assert "Avvikelser, klagomål och synpunkter per utförare" not in [s.heading for s in doc.sections]


def test_section_texts_are_versioned_and_never_overwritten_silently(year_2022):
    w = year_2022
    v1 = services.section_text_save(year=2022, section="uppfoljning", text="Första", by=w.officer, based_on=0)
    v2 = services.section_text_save(year=2022, section="uppfoljning", text="Andra", by=w.officer, based_on=1)
    assert (v1.version, v2.version) == (1, 2)
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2022, section="uppfoljning", text="Från en gammal sida", by=w.officer,
                                   based_on=1)
    assert exc.value.code == "stale"
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2022, section="uppfoljning", text="Andra ", by=w.officer, based_on=2)
    assert exc.value.code == "unchanged"
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2022, section="okand", text="x", by=w.officer)
    assert exc.value.code == "unknown_section"
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2022, section="uppfoljning", text="x", by=w.reader)
    assert exc.value.code == "forbidden"
    assert yearly_report(2022)["sections"]["uppfoljning"] == {"title": "Uppföljning", "text": "Andra",
                                                             "version": 2}
    assert SectionText.objects.count() == 2


def test_cli_json_docx_pdf(year_2022, tmp_path):
    out = io.StringIO()
    call_command("report", "yearly", "--year", "2022", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2022 and data["areas"][0]["monthly_action_plans"] == 3
    path = tmp_path / "r.docx"
    call_command("report", "yearly", "--year", "2022", "--format", "docx", "--output", str(path),
                 stdout=io.StringIO())
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["Uppföljning", "Avtalsuppföljning", "Resultat per verksamhetsområde"]
    rows = [[c.text for c in t.rows[1].cells] for t in doc.tables if len(t.rows) > 1]
    assert ["Hemtjänst", "2", "0", "2", "0"] in rows  # the providers table
    # The providers chart is a picture beside its table (no campaign here, so no share chart).
    assert len(doc.inline_shapes) == 1
    assert ["Alfa Omsorg AB", "hemtjanst", "1", "0", "0", "0"] in rows or any(
        r[0] == "Alfa Omsorg AB" and "1" in r for r in rows)  # seed 003's deviations table
    path = tmp_path / "r.pdf"
    call_command("report", "yearly", "--year", "2022", "--format", "pdf", "--output", str(path),
                 stdout=io.StringIO())
    assert path.read_bytes().startswith(b"%PDF")


def test_yearly_access(client, year_2022):
    w = year_2022
    people = people_of(w, *EVERYONE)
    read = {"anon": 302, "officer": 200, "reader": 200, "user_a": 403, "user_b": 403}
    for url in ("/rapporter/arsrapport/2022/", "/rapporter/arsrapport/2022/rapport.docx",
                "/rapporter/arsrapport/2022/rapport.pdf"):
        assert statuses(client, url, people) == read, url
    write = {"anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    assert statuses(client, "/rapporter/arsrapport/2022/avsnitt/uppfoljning/", people, "post",
                    {"uppfoljning-text": "Text", "uppfoljning-based_on": 0}) == write
    assert SectionText.objects.get().text == "Text"


def test_yearly_views_bad_input(client, year_2022):
    client.force_login(year_2022.officer)
    assert client.get("/rapporter/arsrapport/1800/").status_code == 404
    assert client.get("/rapporter/arsrapport/2022/rapport.odt").status_code == 404
    assert client.post("/rapporter/arsrapport/2022/avsnitt/okand/", {}).status_code == 404
    response = client.post("/rapporter/arsrapport/2022/avsnitt/uppfoljning/", {"uppfoljning-text": "x"})
    assert response.status_code == 302 and not SectionText.objects.exists()
    page = client.get("/rapporter/arsrapport/2022/").content.decode()
    assert "Generella kvittenser" in page and "<svg" in page and str(TriggerKind.SIGNALS.label) in page


def test_sanctions_decided_in_the_year_are_in_the_changes(year_2022):
    w = year_2022
    case = indepth.case_open(by=w.officer, provider=w.provider_a, area=w.area, trigger=TriggerKind.SIGNALS,
                             opened_on=date(2022, 3, 1))
    decided = indepth.sanction_propose(case=case, by=w.officer, amount=25000, clause="12.3",
                                       reason="Återkommande brister.", proposed_on=date(2022, 4, 1))
    indepth.sanction_decide(sanction=decided, by=w.officer, approve=True, decided_by="Nämnden",
                            decision_on=date(2022, 5, 10))
    next_year = indepth.sanction_propose(case=case, by=w.officer, amount=1000, clause="4.1", reason="x",
                                         proposed_on=date(2022, 12, 1))
    indepth.sanction_decide(sanction=next_year, by=w.officer, approve=True, decided_by="Nämnden",
                            decision_on=date(2023, 1, 5))
    indepth.sanction_propose(case=case, by=w.officer, amount=500, clause="4.2", reason="Bara föreslaget.",
                             proposed_on=date(2022, 6, 1))
    data = yearly_report(2022)
    assert [(s["provider"], s["amount"], s["clause"], s["date"]) for s in data["changes"]["sanctions"]] == [
        ("Alfa Omsorg AB", 25000, "12.3", "2022-05-10")]
    changes = next(s for s in yearly_outline(data).sections if s.heading.startswith("Förändringar"))
    assert any("25000 kr" in b and "12.3" in b for b in changes.bullets)
