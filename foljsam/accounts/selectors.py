"""The access layer's read side, as the apps' selectors call it: `visible(qs, user)` and
`get_visible(qs, user, **lookup)`. The rules themselves are in `policy.py`; these two only keep the
argument order every selector already uses."""

from django.db.models import QuerySet

from . import policy
from .policy import provider_lookup  # noqa: F401  (kept for callers)


def visible(qs: QuerySet, user, capability: str = "data.view") -> QuerySet:
    """Objects of `qs` the user may read."""
    return policy.visible(user, qs, capability)


def get_visible(qs: QuerySet, user, capability: str = "data.view", **lookup):
    """One object the user may read, or Http404."""
    return policy.get_visible(user, qs, capability, **lookup)
