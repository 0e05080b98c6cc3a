from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def share(value):
    """0.8734 → '87,3 %' (localised); None → '–'."""
    if value is None or value == "":
        return "–"
    return f"{number_format(value * 100, 1)} %"


@register.filter
def percent(value):
    """Kolada's shares are already percent: 87.3 → '87,3 %'."""
    if value is None or value == "":
        return "–"
    return f"{number_format(value, 1)} %"


@register.filter
def decimal1(value):
    if value is None or value == "":
        return "–"
    return number_format(value, 1)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)
