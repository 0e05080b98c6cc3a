from django import template

from foljsam.monthly.selectors import format_value

register = template.Library()


@register.filter
def fmt_cell(cell):
    return format_value(cell.key, cell.value)


@register.filter
def fmt_value(value, key):
    return format_value(key, value)
