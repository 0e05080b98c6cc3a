"""The start page and the menu, built from what the apps register in AppConfig.ready(), so they
need no knowledge of every app. Each panel and menu item names a capability of the access policy
(`accounts/policy.py`) and, optionally, the scopes it is for: `scopes=policy.OWN` for the provider's
own view, `scopes=(policy.ALL,)` for the municipality's."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from foljsam.accounts import policy


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (user) -> dict, or None to hide the panel
    capability: str
    scopes: tuple[str, ...]
    order: int

    def shown_to(self, user) -> bool:
        return _shown(user, self.capability, self.scopes)


def _shown(user, capability, scopes) -> bool:
    granted = policy.scope(user, capability)
    return granted is not None and granted in scopes


_panels: list[Panel] = []


def start_panel(*, template: str, capability: str, scopes: tuple[str, ...] = policy.SCOPES, order: int = 100):
    policy.scope(None, capability)  # an unknown capability fails at start-up

    def decorator(fn):
        _panels.append(Panel(template, fn, capability, tuple(scopes), order))
        _panels.sort(key=lambda p: p.order)
        return fn

    return decorator


@login_required
def home(request):
    user = request.user
    panels = []
    for panel in _panels:
        if panel.shown_to(user):
            context = panel.context(user)
            if context is not None:
                panels.append((panel.template, context))
    # "Att göra" only for those with work to do here; readers get an overview.
    to_do = any(policy.can(user, c) for c in WORK_CAPABILITIES)
    return render(request, "home.html", {"panels": panels, "to_do": to_do})


# The officer's work queue on the start page: plans to review, assessments to rate.
WORK_CAPABILITIES = ("plan.approve", "assessment.rate")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    scopes: tuple[str, ...]
    order: int


_nav: list[NavItem] = []


def register_nav(*, label, url_name: str, capability: str, scopes: tuple[str, ...] = policy.SCOPES,
                 order: int = 100) -> None:
    """Apps add their top-level pages to the main menu in AppConfig.ready()."""
    policy.scope(None, capability)  # an unknown capability fails at start-up
    if not any(n.url_name == url_name for n in _nav):
        _nav.append(NavItem(label, url_name, capability, tuple(scopes), order))
        _nav.sort(key=lambda n: n.order)


def nav(request):
    """Context processor: the menu items of apps this user has the capability for."""
    from django.urls import reverse

    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [{"label": n.label, "url": reverse(n.url_name)} for n in _nav if _shown(user, n.capability, n.scopes)]
    return {"nav_items": items}


_sections: list[Panel] = []


def provider_section(*, template: str, order: int = 100):
    """Apps add a section to the provider page: fn(user, provider) -> context or None."""

    def decorator(fn):
        _sections.append(Panel(template, fn, "data.view", policy.SCOPES, order))
        _sections.sort(key=lambda p: p.order)
        return fn

    return decorator


def provider_sections(user, provider) -> list[dict]:
    result = []
    for section in _sections:
        context = section.context(user, provider)
        if context is not None:
            result.append({"template": section.template, "context": context})
    return result
