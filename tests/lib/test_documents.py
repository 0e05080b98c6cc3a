import shutil
import subprocess

import pytest
from django.template import engines

from foljsam.lib import documents


@pytest.mark.parametrize("text", ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_like_text_is_neutralised(text):
    assert documents.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [12, 0.5, -3, "Aros Omsorg", "", None, "1-2"])
def test_other_values_are_kept(value):
    assert documents.safe_cell(value) == value


def test_filename_cannot_inject_headers():
    response = documents.pdf_response(b"%PDF", 'a"b\r\nSet-Cookie: x=1.pdf')
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2


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
