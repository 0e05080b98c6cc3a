"""The quality report (seed 003): the deviations table per organisation from the signals register,
the user survey, the follow-up of choice-system providers, prose per section in versions, Word/PDF/JSON."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from docx import Document

from foljsam.indepth import services as indepth
from foljsam.indepth.models import SignalSource, SignalTheme, TriggerKind
from foljsam.overview.models import SurveyResult
from foljsam.planning import services as planning
from foljsam.registry.models import Unit
from foljsam.reports import services, sources
from foljsam.reports.models import SectionText
from foljsam.reports.quality import SECTIONS, quality_outline, quality_report
from tests.conftest import people_of, statuses

EVERYONE = ("anon", "officer", "reader", "user_a", "user_b")


@pytest.fixture
def year_2021(world):
    w = world
    theme = SignalTheme.objects.get_or_create(name="Bemötande")[0]

    def signal(provider, day, source):
        indepth.signal_create(by=w.officer, provider=provider, received_on=day, source=source, theme=theme,
                              description="Kort beskrivning.")

    for source in (SignalSource.LEX_SARAH, SignalSource.LEX_SARAH, SignalSource.INTERNAL, SignalSource.CLIENT,
                   SignalSource.IVO):
        signal(w.provider_a, date(2021, 3, 1), source)
    signal(w.provider_b, date(2021, 12, 31), SignalSource.INTERNAL)  # last day counts
    signal(w.provider_b, date(2022, 1, 1), SignalSource.LEX_SARAH)  # next year: not counted
    signal(w.provider_b, date(2020, 12, 31), SignalSource.CLIENT)  # year before: not counted
    indepth.case_open(by=w.officer, provider=w.provider_b, area=w.area, trigger=TriggerKind.SIGNALS,
                      opened_on=date(2021, 6, 1))
    for unit, share in zip(Unit.objects.order_by("name"), (80.0, 91.0), strict=True):
        SurveyResult.objects.create(unit=unit, year=2021, question="Trygghet", share_positive=share)
    SurveyResult.objects.create(unit=Unit.objects.first(), year=2020, question="Trygghet", share_positive=10.0)
    planning.study_save(by=w.officer, areas=[w.area], year=2021, theme="Kontinuitet",
                        recommendations=["Fast omsorgskontakt"])
    return w


def test_deviations_table_per_organisation_from_the_signals(year_2021):
    data = quality_report(2021)
    rows = {r["provider"]: r for r in data["deviations"]["rows"]}
    assert set(rows) == {"Alfa Omsorg AB", "Beta Hemtjänst AB"}
    a, b = rows["Alfa Omsorg AB"], rows["Beta Hemtjänst AB"]
    # Lex Sarah, internal, complaints (clients, relatives), comments (every other source: here IVO).
    assert [a[c] for c in ("lex_sarah", "internal", "complaints", "comments", "total")] == [2, 1, 1, 1, 5]
    assert [b[c] for c in ("lex_sarah", "internal", "complaints", "comments", "total")] == [0, 1, 0, 0, 1]
    assert data["deviations"]["totals"] == {"lex_sarah": 2, "internal": 2, "complaints": 1, "comments": 1,
                                            "total": 6}
    assert a["area_name"] == "Hemtjänst"
    assert a["url"] == f"/signaler/?utforare={year_2021.provider_a.pk}"


def test_survey_followup_and_studies_come_from_the_data(year_2021):
    data = quality_report(2021)
    assert data["surveys"] == [{"question": "Trygghet", "units": 2, "share_positive": 85.5}]
    assert data["followup"] == [{"area": "hemtjanst", "name": "Hemtjänst", "contract_followup": None,
                                 "indepth_followups": 1}]
    assert data["quality_studies"][0]["recommendations"] == ["Fast omsorgskontakt"]
    assert list(data["sections"]) == list(SECTIONS)
    assert quality_report(2019)["deviations"] == {"rows": [], "totals": dict.fromkeys(
        ("lex_sarah", "internal", "complaints", "comments", "total"), 0)}


def test_without_a_signals_register_the_table_is_left_out(year_2021, monkeypatch):
    monkeypatch.setattr(sources, "deviation_counts", lambda *, year: None)
    data = quality_report(2021)
    assert data["deviations"] is None
    outline = quality_outline(data)
    section = next(s for s in outline.sections if s.heading == "Avvikelser, synpunkter och klagomål")
    assert section.tables == [] and section.charts == []


def test_prose_is_kept_per_report_in_versions(year_2021):
    w = year_2021
    services.section_text_save(year=2021, section="inledning", text="Inledande text", by=w.officer, report="quality")
    services.section_text_save(year=2021, section="inledning", text="Andra", by=w.officer, report="quality",
                               based_on=1)
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2021, section="inledning", text="Gammal", by=w.officer, report="quality",
                                   based_on=1)
    assert exc.value.code == "stale"
    # The yearly report's sections are not the quality report's, and an unknown report has none.
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2021, section="uppfoljning", text="x", by=w.officer, report="quality")
    assert exc.value.code == "unknown_section"
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2021, section="inledning", text="x", by=w.officer, report="okand")
    assert exc.value.code == "unknown_section"
    with pytest.raises(ValidationError) as exc:
        services.section_text_save(year=2021, section="inledning", text="x", by=w.reader, report="quality")
    assert exc.value.code == "forbidden"
    # The same section name in the yearly report starts its own versions.
    services.section_text_save(year=2021, section="kvalitetsundersokning", text="Årsrapport", by=w.officer)
    assert quality_report(2021)["sections"]["inledning"] == {"title": "Inledning", "text": "Andra", "version": 2}
    assert SectionText.objects.filter(report="quality").count() == 2
    assert SectionText.objects.filter(report="yearly").count() == 1


def test_cli_json_docx_pdf(year_2021, tmp_path):
    services.section_text_save(year=2021, section="bedomning", text="Kvaliteten har ökat.", by=year_2021.officer,
                               report="quality")
    out = io.StringIO()
    call_command("report", "quality", "--year", "2021", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2021 and data["deviations"]["totals"]["total"] == 6
    path = tmp_path / "k.docx"
    call_command("report", "quality", "--year", "2021", "--format", "docx", "--output", str(path),
                 stdout=io.StringIO())
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [str(t) for t in SECTIONS.values()]  # seed 003's order
    assert "Kvaliteten har ökat." in [p.text for p in doc.paragraphs]
    deviations = next(t for t in doc.tables if t.rows[0].cells[0].text == "Organisation")
    assert [c.text for c in deviations.rows[1].cells] == ["Alfa Omsorg AB", "Hemtjänst", "2", "1", "1", "1", "5"]
    assert [c.text for c in deviations.rows[-1].cells][2:] == ["2", "2", "1", "1", "6"]
    assert len(doc.inline_shapes) == 1  # the deviations chart, before its table
    path = tmp_path / "k.pdf"
    call_command("report", "quality", "--year", "2021", "--format", "pdf", "--output", str(path),
                 stdout=io.StringIO())
    assert path.read_bytes().startswith(b"%PDF")


def test_quality_access(client, year_2021):
    w = year_2021
    people = people_of(w, *EVERYONE)
    read = {"anon": 302, "officer": 200, "reader": 200, "user_a": 403, "user_b": 403}
    for url in ("/rapporter/kvalitetsberattelse/2021/", "/rapporter/kvalitetsberattelse/2021/rapport.docx",
                "/rapporter/kvalitetsberattelse/2021/rapport.pdf"):
        assert statuses(client, url, people) == read, url
    write = {"anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    assert statuses(client, "/rapporter/kvalitetsberattelse/2021/avsnitt/fokus/", people, "post",
                    {"fokus-text": "Fokus", "fokus-based_on": 0}) == write
    assert SectionText.objects.get().report == "quality"
    client.force_login(w.officer)
    page = client.get("/rapporter/kvalitetsberattelse/2021/").content.decode()
    assert 'id="avvikelsetabell"' in page and "Fokus" in page and 'name="fokus-text"' in page
    assert "<svg" in page
    client.force_login(w.reader)
    page = client.get("/rapporter/kvalitetsberattelse/2021/").content.decode()
    assert 'name="fokus-text"' not in page and "Fokus" in page


def test_quality_views_bad_input(client, year_2021):
    client.force_login(year_2021.officer)
    assert client.get("/rapporter/kvalitetsberattelse/1999/").status_code == 404
    assert client.get("/rapporter/kvalitetsberattelse/2021/rapport.exe").status_code == 404
    assert client.post("/rapporter/kvalitetsberattelse/2021/avsnitt/okand/", {}).status_code == 404
    response = client.post("/rapporter/kvalitetsberattelse/2021/avsnitt/fokus/", {"fokus-based_on": "x"})
    assert response.status_code == 302 and not SectionText.objects.exists()
