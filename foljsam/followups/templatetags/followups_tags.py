from django import template

from ..models import RATING_SYMBOLS, RATING_WORDS

register = template.Library()
CSS = {"green": "green", "yellow": "yellow", "red": "red", "na": "grey", "": ""}
AREA_CSS = {1: "green", 2: "yellow", 3: "red"}


@register.filter
def rating_css(rating) -> str:
    return CSS.get(rating or "", "")


@register.filter
def rating_word(rating) -> str:
    return str(RATING_WORDS.get(rating or "", ""))


@register.filter
def rating_symbol(rating) -> str:
    return RATING_SYMBOLS.get(rating or "", "")


@register.filter
def area_css(value) -> str:
    return AREA_CSS.get(value, "grey")



@register.simple_tag
def figure_chart(figure) -> str:
    """Seed 002's diagrams as SVG (one group of bars per unit); the page shows the table beside it."""
    from django.utils.safestring import mark_safe

    from foljsam.lib.svgchart import bar_chart

    def fmt(v):
        text = f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}".replace(".", ",")
        return f"{text} %" if figure.unit == "%" else text

    sample = figure.requirement.answer_type == "sample"
    # A sample audit's chart shows the shares per criterion (seed 002, diagram 2), not the count checked.
    series = figure.columns[1:] if sample else figure.columns
    values = [row[1:] if sample else row for _a, row in figure.rows]
    columns = [(name, [row[j] if j < len(row) else None for row in values]) for j, name in enumerate(series)]
    return mark_safe(bar_chart([a.unit.name for a, _row in figure.rows], columns,  # noqa: S308
                               title=figure.requirement.title, fmt=fmt,
                               maximum=100 if figure.unit == "%" else None))


@register.filter
def num(value) -> str:
    """A figure in Swedish notation: no decimals for whole numbers, decimal comma otherwise."""
    if value is None or value == "":
        return "–"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)  # what the user typed, shown again with the error
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}".replace(".", ",")


@register.filter
def num_input(value) -> str:
    """A stored figure as the value of a text input (decimal comma, empty when missing)."""
    if value is None or value == "":
        return ""
    return num(value)
