"""Documents people use: PDF from HTML templates (WeasyPrint), Word (python-docx), Excel (openpyxl).

One place for what every export shares, so each app only writes its template or its rows:
- `render_pdf(template, context)` renders a Django template that extends `documents/base_print.html`
  (A4, the print stylesheet shared with the pages, repeated table headers) to PDF bytes;
- `safe_cell(value)` neutralises spreadsheet formulas in text written to an Excel cell;
- `docx_response` / `pdf_response` / `xlsx_response` send a document with a safe file name.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is read as a formula (or DDE) by Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would evaluate is prefixed with an apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_BASE = "http://foljsam.invalid/"


def _fetcher():
    """A WeasyPrint fetcher that serves /static/… from the static finders (no web server while
    rendering) and refuses every other URL, so that a document never makes a network request."""
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            return super().fetch(static_file_url(url), headers)

    return StaticOnly(allowed_protocols=("file", "data"), fail_on_errors=True)


def static_file_url(url: str) -> str:
    """file:// URL of a static file referenced as /static/…; data: URLs pass; anything else is refused."""
    if url.startswith("data:"):
        return url
    match = re.match(r"^" + re.escape(_BASE) + r"static/(.+)$", url)
    path = finders.find(match.group(1)) if match and ".." not in match.group(1) else None
    if not path:
        raise ValueError(f"no external resources in documents: {url}")
    return Path(path).resolve().as_uri()


def render_pdf(template: str, context: dict) -> bytes:
    """Render a Django template (extending documents/base_print.html) to PDF with WeasyPrint."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=_BASE, url_fetcher=_fetcher()).write_pdf()


def safe_filename(name: str) -> str:
    """A file name safe in Content-Disposition: letters (å, ä, ö kept), digits, dash, dot, underscore."""
    cleaned = re.sub(r"[^\w.\-]+", "-", name, flags=re.UNICODE).strip("-.") or "dokument"
    return cleaned[:120]


def _response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    name = safe_filename(filename)
    ascii_name = name.encode("ascii", "ignore").decode() or "dokument"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    return _response(data, PDF, filename)


def docx_response(document, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    document.save(buffer)
    return _response(buffer.getvalue(), DOCX, filename)


def xlsx_response(workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _response(buffer.getvalue(), XLSX, filename)
