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

