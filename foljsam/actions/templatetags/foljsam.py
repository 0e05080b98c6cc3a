from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }} – templates cannot index by a variable."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def tr(text):
    """Translate text that is data, e.g. key-figure labels declared in the Django-free engine."""
    from django.utils.translation import gettext

    return gettext(text) if text else text
