"""The access policy: who may do what, and on which objects. The only place that decides it.

`POLICY` below is the whole policy as data: each named capability grants each role a scope.

- ALL          every provider's objects (the municipality's own staff);
- OWN_PROVIDER the objects of the user's own provider (a provider user);
- OWN_UNITS    as OWN_PROVIDER, but a user bound to units (`User.units`) reaches only objects of
               those units, where the model declares `UNIT_LOOKUP` (its path to the unit). A
               provider user with no units bound is provider-wide.

Everything else asks this module:
- `can(user, capability, obj=None)` – may the user do it (on `obj`, if given)?
- `visible(user, queryset)` / `get_visible(...)` – the objects the user may read (provider users get
  404, not 403, for other organisations' objects, so their ids are not even confirmed);
- `require(capability)` – the view decorator (anonymous → login page, no capability → 403);
- `ensure(user, capability, obj)` – the services' refusal (ValidationError, code "forbidden");
- the template tag `{% load access %}{% can 'plan.approve' plan as ok %}`;
- `home.start_panel` / `home.register_nav` take a capability.

Inactive and anonymous users get nothing; a superuser gets everything (explicitly, below).
A new app adds its capabilities as rows of `POLICY`; tests/test_policy.py then refuses to pass
until the capability has its expected row there too.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Role

ALL, OWN_PROVIDER, OWN_UNITS = "all", "provider", "units"
OWN = (OWN_PROVIDER, OWN_UNITS)
SCOPES = (ALL, OWN_PROVIDER, OWN_UNITS)
ROLES = tuple(Role.values)

NOT_ALLOWED = _("Du har inte behörighet att göra det här.")

_STAFF = {Role.ADMIN: ALL, Role.OFFICER: ALL, Role.READER: ALL}
_OFFICERS = {Role.ADMIN: ALL, Role.OFFICER: ALL}
_ADMIN = {Role.ADMIN: ALL}


@dataclass(frozen=True)
class Capability:
    name: str
    label: str
    grants: dict  # role → scope


def _cap(name, label, *grants: dict) -> tuple[str, Capability]:
    merged: dict = {}
    for g in grants:
        merged.update(g)
    assert all(role in ROLES and scope in SCOPES for role, scope in merged.items()), name
    return name, Capability(name, label, merged)


POLICY: dict[str, Capability] = dict([
    # Reading what belongs to providers; `visible()` filters every list and object by this.
    _cap("data.view", _("Läsa utförarnas uppgifter"), _STAFF, {Role.PROVIDER: OWN_UNITS}),
    # Registry
    _cap("registry.view", _("Se utförare och deras enheter, avtal och tillstånd"), _STAFF,
         {Role.PROVIDER: OWN_PROVIDER}),
    _cap("registry.settings.view", _("Se registrets inställningar (nämnder, områden, underlag)"), _STAFF),
    _cap("registry.edit", _("Ändra registret"), _OFFICERS),
    # Deviations and action plans ("Genomföra åtgärder")
    _cap("deviation.view", _("Se avvikelser"), _STAFF, {Role.PROVIDER: OWN_PROVIDER}),
    _cap("deviation.create", _("Registrera avvikelser"), _OFFICERS),
    _cap("plan.view", _("Se åtgärdsplaner"), _STAFF, {Role.PROVIDER: OWN_PROVIDER}),
    _cap("plan.request", _("Begära åtgärdsplan"), _OFFICERS),
    # The provider acts; an officer may register on the provider's behalf (a plan sent by e-mail).
    _cap("plan.submit", _("Skicka in åtgärdsplan"), _OFFICERS, {Role.PROVIDER: OWN_PROVIDER}),
    _cap("plan.carry_out", _("Markera åtgärdsplan som genomförd"), _OFFICERS, {Role.PROVIDER: OWN_PROVIDER}),
    _cap("plan.approve", _("Godkänna åtgärdsplan"), _OFFICERS),
    _cap("plan.return", _("Återskicka åtgärdsplan"), _OFFICERS),
    _cap("plan.verify", _("Verifiera åtgärdsplan"), _OFFICERS),
    _cap("plan.reopen", _("Återöppna åtgärdsplan"), _OFFICERS),
    # Requirement catalogues
    _cap("catalogue.view", _("Se kravkataloger"), _STAFF),
    _cap("catalogue.edit", _("Ändra och importera kravkataloger"), _OFFICERS),
    # Contract follow-up: the officer's side
    _cap("campaign.view", _("Se avtalsuppföljningar, bedömningar och resultat"), _STAFF),
    _cap("campaign.create", _("Skapa avtalsuppföljning"), _OFFICERS),
    _cap("campaign.send", _("Skicka enkät och påminnelser"), _OFFICERS),
    _cap("assessment.rate", _("Bedöma, begära komplettering och skicka för sakgranskning"), _OFFICERS),
    _cap("assessment.finalise", _("Slutföra bedömning"), _OFFICERS),
    # Contract follow-up: the provider portal (unit managers only their units)
    _cap("followup.answers.view", _("Se enkätsvar och dokument"), _STAFF, {Role.PROVIDER: OWN_UNITS}),
    _cap("followup.answer", _("Besvara enkät, komplettera, ladda upp och ta bort dokument"), _OFFICERS,
         {Role.PROVIDER: OWN_UNITS}),
    _cap("followup.factcheck", _("Sakgranska utkastet"), _OFFICERS, {Role.PROVIDER: OWN_UNITS}),
    # Monthly follow-up of home care
    _cap("monthly.view", _("Se månadsuppföljningens nyckeltal och kvartalsmatris"), _STAFF,
         {Role.PROVIDER: OWN_PROVIDER}),
    _cap("monthly.rows.view", _("Se flaggade besöksrader (pseudonymiserade)"), _STAFF,
         {Role.PROVIDER: OWN_PROVIDER}),
    _cap("monthly.import", _("Importera månadsdata"), _OFFICERS),
    _cap("monthly.settings", _("Ändra tröskelvärden och kolumnmappningar"), _OFFICERS),
    _cap("monthly.send", _("Skicka kvartalsmatrisen till utförarna"), _OFFICERS),
    # Comparison with the nation and the public comparison page (/jamfor/ itself needs no login)
    _cap("comparison.view", _("Se jämförelser med riket och publiceringar"), _STAFF),
    _cap("comparison.publish", _("Läsa in Kolada-värden, redigera utförarprofiler och publicera"), _OFFICERS),
    # Reports, users, log
    _cap("reports.view", _("Se rapporter till nämnden"), _STAFF),
    _cap("users.manage", _("Hantera användare"), _ADMIN),
    _cap("audit.view", _("Läsa ändringsloggen"), _ADMIN),
])


class UnknownCapability(KeyError):
    pass


def _capability(name: str) -> Capability:
    try:
        return POLICY[name]
    except KeyError:  # a programming error: a misspelt name must not silently mean "no"
        raise UnknownCapability(name) from None


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def scope(user, capability: str) -> str | None:
    """The user's scope for `capability`: ALL, OWN_PROVIDER, OWN_UNITS or None (not granted)."""
    cap = _capability(capability)
    if not _active(user):
        return None
    if user.is_superuser:  # the explicit bypass: a superuser may do everything everywhere
        return ALL
    granted = cap.grants.get(user.role)
    if granted in OWN and not user.provider_id:
        return None  # a provider user bound to no provider owns nothing
    return granted


def unit_ids(user) -> set[int] | None:
    """The units a unit-bound user is bound to; None for a provider-wide user."""
    cached = getattr(user, "_policy_unit_ids", False)
    if cached is False:
        ids = {unit.pk for unit in user.units.all()} if user.pk else set()  # uses a prefetch if there is one
        cached = ids or None
        user._policy_unit_ids = cached
    return cached


def _path_value(obj, lookup: str):
    """Follow `lookup` ("assessment__unit__provider") from an instance to the id at its end."""
    parts = lookup.split("__")
    if parts == ["pk"]:
        return obj.pk
    for part in parts[:-1]:
        obj = getattr(obj, part)
        if obj is None:
            return None
    last = parts[-1]
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id")


def provider_lookup(model: type[Model]) -> str:
    try:
        return model.PROVIDER_LOOKUP
    except AttributeError as exc:  # a programming error, not a user error
        raise TypeError(f"{model.__name__} declares no PROVIDER_LOOKUP") from exc


def _in_scope(user, granted: str, obj) -> bool:
    if granted == ALL:
        return True
    if _path_value(obj, provider_lookup(type(obj))) != user.provider_id:
        return False
    if granted == OWN_UNITS and hasattr(type(obj), "UNIT_LOOKUP"):
        units = unit_ids(user)
        if units is not None:
            return _path_value(obj, type(obj).UNIT_LOOKUP) in units
    return True


def can(user, capability: str, obj=None) -> bool:
    """May `user` use `capability` – on `obj`, when given (checked against the object's scope)."""
    granted = scope(user, capability)
    if granted is None:
        return False
    return obj is None or _in_scope(user, granted, obj)


def visible(user, qs: QuerySet, capability: str = "data.view") -> QuerySet:
    """Objects of `qs` the user may read (or use `capability` on)."""
    granted = scope(user, capability)
    if granted is None:
        return qs.none()
    if granted == ALL:
        return qs
    qs = qs.filter(**{provider_lookup(qs.model): user.provider_id})
    unit_lookup = getattr(qs.model, "UNIT_LOOKUP", None)
    if granted == OWN_UNITS and unit_lookup:
        units = unit_ids(user)
        if units is not None:
            qs = qs.filter(**{f"{unit_lookup}__in": units})
    return qs


def get_visible(user, qs: QuerySet, capability: str = "data.view", **lookup):
    """One object the user may read, or Http404."""
    try:
        return visible(user, qs, capability).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def ensure(user, capability: str, obj=None, message=NOT_ALLOWED) -> None:
    """The services' check: refuse with a ValidationError (code "forbidden")."""
    if not can(user, capability, obj):
        raise ValidationError(message, code="forbidden")


def acts_for_own_organisation(user) -> bool:
    """A provider's user (reads only their own organisation) – for wording such as "Min organisation"."""
    return scope(user, "data.view") in OWN


def users_acting_for(capability: str, obj):
    """Active users who act on `obj` for its own organisation (the recipients of mail about it),
    e.g. a unit's managers and its provider's provider-wide users."""
    from .models import User

    roles = [role for role, s in _capability(capability).grants.items() if s in OWN]
    users = User.objects.filter(is_active=True, role__in=roles,
                                provider_id=_path_value(obj, provider_lookup(type(obj))))
    return [u for u in users.prefetch_related("units") if _in_scope(u, _capability(capability).grants[u.role], obj)]


SCOPE_LABELS = {
    ALL: _("alla utförare"), OWN_PROVIDER: _("egen utförare"), OWN_UNITS: _("egen utförare eller egna enheter"),
}


def table() -> tuple[list, list[dict]]:
    """The policy for people to read: roles, and per capability its scope for each role."""
    roles = [(role, Role(role).label) for role in ROLES]
    rows = [{"name": cap.name, "label": cap.label,
             "scopes": [SCOPE_LABELS.get(cap.grants.get(role)) for role, _label in roles]}
            for cap in POLICY.values()]
    return roles, rows


def require(capability: str):
    """View decorator: sign-in first (anonymous → login page), then the capability (else 403)."""
    _capability(capability)  # fail at import on an unknown name

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorator
