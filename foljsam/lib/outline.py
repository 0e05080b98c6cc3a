"""One outline, two documents: a report is built once as headings, paragraphs, lists, tables and
SVG charts, then written to Word (python-docx, here) and to PDF (the `documents/outline.html`
template through `documents.render_pdf`), so both always carry the same content.

Word cannot show SVG without a PNG fallback, so `chart_png` renders each chart's SVG to a PNG
(CairoSVG) and the Word file carries that picture, followed by the chart's table as in the PDF
(every chart has one); the PDF shows the SVG itself. Every DOCX with charts is written here.
A chart that cannot be rendered is left out of the Word file with a note, never a failed download:
its table carries the same figures."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# A chart's width in the Word file (A4 with Word's default margins leaves 15.9 cm) and in pixels:
# twice the SVG's 560 user units, so the picture stays sharp when printed.
CHART_WIDTH_CM = 15.5
CHART_WIDTH_PX = 1120


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    caption: str = ""


@dataclass
class Section:
    heading: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # SVG markup, each followed by its table in `tables`


@dataclass
class Outline:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def add(self, heading: str, level: int = 1, **kwargs) -> Section:
        section = Section(heading, level, **kwargs)
        self.sections.append(section)
        return section


def _text(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def chart_png(svg: str) -> bytes:
    """The chart's SVG as PNG bytes on a white background (Word shows no SVG without a fallback).
    Raises ValueError for markup CairoSVG cannot read. The charts are our own self-contained markup
    (`lib/svgchart.py`, text escaped)."""
    import cairosvg

    try:
        return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=CHART_WIDTH_PX,
                                background_color="white")
    except Exception as exc:  # CairoSVG raises parser errors of several libraries
        raise ValueError(f"chart could not be rendered: {exc}") from exc


def _add_chart(doc, svg: str) -> bool:
    from docx.shared import Cm

    try:
        png = chart_png(svg)
    except ValueError:
        log.exception("chart left out of a Word document")
        from django.utils.translation import gettext as _

        doc.add_paragraph(_("(Diagrammet kunde inte ritas; se tabellen.)"))
        return False
    doc.add_picture(io.BytesIO(png), width=Cm(CHART_WIDTH_CM))
    return True


def to_docx(outline: Outline):
    """A python-docx Document with the outline's headings (Heading 1–3), paragraphs, bullet lists,
    charts as pictures (PNG rendered from the same SVG as the page and the PDF) and tables (header
    row bold)."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = outline.title
    doc.add_heading(outline.title, level=0)
    if outline.subtitle:
        doc.add_paragraph(outline.subtitle)
    for section in outline.sections:
        doc.add_heading(section.heading, level=min(max(section.level, 1), 3))
        for paragraph in section.paragraphs:
            for part in paragraph.split("\n\n"):
                if part.strip():
                    doc.add_paragraph(part.strip())
        for bullet in section.bullets:
            doc.add_paragraph(bullet, style="List Bullet")
        for svg in section.charts:
            if svg:
                _add_chart(doc, svg)
        for table in section.tables:
            if table.caption:
                doc.add_paragraph(table.caption, style="Caption")
            t = doc.add_table(rows=1, cols=len(table.columns))
            t.style = "Table Grid"
            for cell, name in zip(t.rows[0].cells, table.columns, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(str(name)).bold = True
            for row in table.rows:
                cells = t.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = _text(value)
    return doc
