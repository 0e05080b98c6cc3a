"""Documents people use: PDF from HTML templates (WeasyPrint), Word (python-docx), Excel (openpyxl).

One place for what every export shares, so each app only writes its template or its rows:
- `render_pdf(template, context)` renders a Django template that extends `documents/base_print.html`
  (A4, the print stylesheet shared with the pages, repeated table headers) to PDF bytes;
- `safe_cell(value)` makes text safe for an Excel cell: text a spreadsheet would read as a formula
  (=, +, -, @, tab, CR first) is written as a text cell, control characters Excel refuses are dropped;
- `xlsx_bytes(workbook)` saves a workbook (formula-like text marked as text for Excel's editor too);
- `docx_response` / `pdf_response` / `xlsx_response` / `attachment_response` send a document with a
  safe file name (`content_disposition`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is read as a formula (or DDE) by Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an .xlsx file cannot hold (openpyxl refuses them: a 500 instead of a document).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Number formats of Excel cells (the reader's Excel shows them with the locale's decimal comma).
PERCENT_1 = "0.0%"
PERCENT_0 = "0%"
ONE_DECIMAL = "0.0"
THOUSANDS = "#,##0"


def safe_cell(value):
    """A value for an openpyxl cell: numbers, dates and None stay as they are; text is cleaned of
    control characters, and text starting like a formula becomes a text cell (an inline rich-text
    string: openpyxl would otherwise write "=…" as a formula) with its characters unchanged."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value.startswith(_FORMULA_START):
        from openpyxl.cell.rich_text import CellRichText

        return CellRichText(value)
    return value


def xlsx_bytes(workbook) -> bytes:
    """The workbook as .xlsx bytes. Cells that `safe_cell` turned into text also get Excel's
    quote prefix, so that editing such a cell in Excel keeps it text instead of evaluating it."""
    from openpyxl.cell.rich_text import CellRichText

    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, CellRichText):
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    """A file name safe in Content-Disposition: letters (å, ä, ö kept), digits, space, dash, dot,
    underscore, parentheses; line breaks, quotes, slashes and the like become a dash."""
    name = re.sub(r"\s+", " ", name)
    cleaned = re.sub(r"[^\w .()\-]+", "-", name, flags=re.UNICODE).strip(" -.") or "dokument"
    return cleaned[:120]


def _ascii(name: str) -> str:
    """The ASCII fallback for old clients: å → a, é → e; other characters dropped."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c)).strip() or "dokument"


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """The Content-Disposition header of a download: an ASCII name and the UTF-8 name (RFC 6266)."""
    name = safe_filename(filename)
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name)}"


def attachment_response(data: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    return attachment_response(data, PDF, filename)


def docx_response(document, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    document.save(buffer)
    return attachment_response(buffer.getvalue(), DOCX, filename)


def xlsx_response(workbook, filename: str) -> HttpResponse:
    """`workbook` is an openpyxl Workbook or the bytes of one (from `xlsx_bytes`)."""
    data = workbook if isinstance(workbook, bytes) else xlsx_bytes(workbook)
    return attachment_response(data, XLSX, filename)
