"""The start page per role. Apps add their panels with `start_panel` in AppConfig.ready(),
so the start page needs no knowledge of every app."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (user) -> dict, or None to hide the panel
    roles: tuple[str, ...]
    order: int


_panels: list[Panel] = []


def start_panel(*, template: str, roles: tuple[str, ...], order: int = 100):
    def decorator(fn):
        _panels.append(Panel(template, fn, roles, order))
        _panels.sort(key=lambda p: p.order)
        return fn

    return decorator


@login_required
def home(request):
    user = request.user
    role = "admin" if user.is_superuser else user.role
    panels = []
    for panel in _panels:
        if role in panel.roles or (role == "admin" and "officer" in panel.roles):
            context = panel.context(user)
            if context is not None:
                panels.append((panel.template, context))
    return render(request, "home.html", {"panels": panels})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    order: int


_nav: list[NavItem] = []


def register_nav(*, label, url_name: str, roles: tuple[str, ...], order: int = 100) -> None:
    """Apps add their top-level pages to the main menu in AppConfig.ready()."""
    if not any(n.url_name == url_name for n in _nav):
        _nav.append(NavItem(label, url_name, roles, order))
        _nav.sort(key=lambda n: n.order)


def nav(request):
    """Context processor: the menu items of apps for this user's role."""
    from django.urls import reverse

    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    role = "admin" if user.is_superuser else user.role
    items = [
        {"label": n.label, "url": reverse(n.url_name)}
        for n in _nav
        if role in n.roles or (role == "admin" and "officer" in n.roles)
    ]
    return {"nav_items": items}


_sections: list[Panel] = []


def provider_section(*, template: str, order: int = 100):
    """Apps add a section to the provider page: fn(user, provider) -> context or None."""

    def decorator(fn):
        _sections.append(Panel(template, fn, (), order))
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
