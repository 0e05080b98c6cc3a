"""The one place that decides what a user may see.

Every view reaches provider-bound objects through `visible()` or `get_visible()`. Models
declare `PROVIDER_LOOKUP`, the path from the model to its provider's primary key, so this
module needs no knowledge of the apps. A provider user gets 404 (not 403) for another
provider's objects, so that ids of other organisations are not even confirmed to exist.
"""

from django.db.models import Model, QuerySet
from django.http import Http404

from .models import Role


def provider_lookup(model: type[Model]) -> str:
    try:
        return model.PROVIDER_LOOKUP
    except AttributeError as exc:  # a programming error, not a user error
        raise TypeError(f"{model.__name__} declares no PROVIDER_LOOKUP") from exc


def visible(qs: QuerySet, user) -> QuerySet:
    """Objects of `qs` the user may read."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role == Role.PROVIDER:
        if not user.provider_id:
            return qs.none()
        return qs.filter(**{provider_lookup(qs.model): user.provider_id})
    return qs


def get_visible(qs: QuerySet, user, **lookup):
    """One object the user may read, or Http404."""
    try:
        return visible(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_edit_followup_data(user) -> bool:
    """Officers and administrators change registry and follow-up data; others read."""
    return bool(getattr(user, "is_authenticated", False) and user.is_officer)
