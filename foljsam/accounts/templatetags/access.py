"""{% load access %}{% can 'plan.approve' plan as ok %}{% if ok %}…{% endif %} – the policy in templates."""

from django import template

from foljsam.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, capability, obj=None):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return policy.can(user, capability, obj)
