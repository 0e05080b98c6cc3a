"""One outline, two documents: a report is built once as headings, paragraphs, lists, tables and
SVG charts, then written to Word (python-docx, here) and to PDF (the `documents/outline.html`
template through `documents.render_pdf`), so both always carry the same content.

Word cannot show SVG without a PNG fallback, so in the Word file a chart is represented by its
table (every chart has one); the PDF shows the SVG and the table."""

from __future__ import annotations

from dataclasses import dataclass, field


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


def to_docx(outline: Outline):
    """A python-docx Document with the outline's headings (Heading 1–3), paragraphs, bullet lists
    and tables (header row bold)."""
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
