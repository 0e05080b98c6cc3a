"""Charts in Word: the outline writes each chart's SVG as a PNG picture, followed by its table."""

import io

from docx import Document

from foljsam.lib import outline as outline_module
from foljsam.lib.outline import Outline, Table, chart_png, to_docx
from foljsam.lib.svgchart import bar_chart

PNG = b"\x89PNG\r\n\x1a\n"


def _outline(svg):
    doc = Outline("Rapport")
    doc.add("Diagram", charts=[svg],
            tables=[Table(["Verksamhet", "Antal"], [["Hemtjänst", 3], ["Särskilt boende", 5]])])
    return doc


def _read(outline):
    buffer = io.BytesIO()
    to_docx(outline).save(buffer)
    return Document(io.BytesIO(buffer.getvalue()))


def test_chart_png_is_a_png_of_the_svg():
    png = chart_png(bar_chart(["Hemtjänst"], [("Antal", [3])], title="Antal"))
    assert png.startswith(PNG) and len(png) > 1000


def test_docx_has_the_picture_then_the_table():
    doc = _read(_outline(bar_chart(["Hemtjänst", "Särskilt boende"], [("Antal", [3, 5])], title="Antal")))
    assert len(doc.inline_shapes) == 1
    blip = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert doc.part.related_parts[blip].content_type == "image/png"
    assert doc.part.related_parts[blip].blob.startswith(PNG)
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["Hemtjänst", "3"]
    # The picture comes before its table in the body.
    body = [child.tag.split("}")[1] for child in doc.element.body]
    assert body.index("tbl") > next(i for i, child in enumerate(doc.element.body) if child.xpath(".//pic:pic"))


def test_a_chart_that_cannot_be_drawn_leaves_the_table(monkeypatch):
    def broken(svg):
        raise ValueError("broken")

    monkeypatch.setattr(outline_module, "chart_png", broken)
    doc = _read(_outline("<svg"))
    assert len(doc.inline_shapes) == 0
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["Hemtjänst", "3"]


def test_unreadable_svg_is_a_value_error():
    import pytest

    with pytest.raises(ValueError):
        chart_png("<svg><unclosed")


def test_outline_without_charts_has_no_pictures():
    doc = Outline("Rapport")
    doc.add("Tabell", tables=[Table(["A"], [[1]])])
    assert len(_read(doc).inline_shapes) == 0
