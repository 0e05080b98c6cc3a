from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }} – templates cannot index by a variable."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
