"""Item 6: no 500 on any input. Every URL pattern, every path converter and every query parameter gets
hostile values, as an officer, a provider's user and anonymous, on the demo municipality
(`check_no_500_for_hostile_paths_and_query_parameters`, run by tests/test_demo.py on the demo it loads once).

Data-driven: URL patterns come from the resolver (a new app's URLs are covered when it is included in
foljsam/urls.py); query parameters from the view function's source (`request.GET.get("x")`,
`request.GET["x"]`, `"x" in request.GET`, `SomeForm(request.GET)` → the form's fields), and from the
module helpers it passes `request` to.
"""

import html
import inspect
import logging
import re
import sys
import time
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from foljsam.accounts.models import User

pytestmark = pytest.mark.django_db

# Raw (already URL-encoded where needed) hostile values: a newline after a valid value (`$` matches
# before it), NUL, a long string, a quote, a path escape, digits that are not ASCII, negative and huge numbers.
HOSTILE = [
    "%0A", "2026-03%0A", "%00", "x" * 5000, "%22%3E", "..%2F..%2Fetc", quote("²١"), "-1",
    "99999999999999999999999", "",
]
# Path values for int converters (only ASCII digits reach the view).
HOSTILE_INTS = ["0", "99999999999999999999999", "9223372036854775808"]
PEOPLE = ("uppfoljare", "aros", None)  # the demo's officer, a provider's user, anonymous

# 500s in code another helper owns right now, with the fix; the test fails when one of them no longer
# fails, so that its entry is removed (strict, like an xfail). (route, text in the failing URL): fix.
KNOWN_ELSEWHERE: dict[tuple[str, str], str] = {
    # e.g. ("manadsuppfoljning/kvartal/<str:quarter>.<str:fmt>", "%0A"): "monthly/views.py: QUARTER.fullmatch",
}


def _patterns(patterns=None, prefix=""):
    """(route string with <converter:name> parts, URLPattern) for every pattern, recursively."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


_PARAM_PATTERNS = [
    re.compile(r"request\.GET\.get(?:list)?\(\s*[\"']([^\"']+)[\"']"),
    re.compile(r"request\.GET\[\s*[\"']([^\"']+)[\"']\s*\]"),
    re.compile(r"[\"']([^\"']+)[\"']\s+in\s+request\.GET"),
]
_FORM_ON_GET = re.compile(r"([\w.]+)\(\s*request\.GET")
_HELPER_CALL = re.compile(r"\b(_?\w+)\(\s*request\b")


def _query_params(view) -> set[str]:
    """The GET parameters the view function reads, itself or through module helpers it passes `request` to."""
    function = inspect.unwrap(view)
    module = sys.modules[function.__module__]
    sources, seen, todo = [], set(), [function]
    while todo:
        fn = todo.pop()
        if fn in seen or not callable(fn):
            continue
        seen.add(fn)
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError):
            continue
        sources.append(source)
        todo += [getattr(module, name, None) for name in _HELPER_CALL.findall(source)]
    source = "\n".join(sources)
    names = {m for pattern in _PARAM_PATTERNS for m in pattern.findall(source)}
    for dotted in _FORM_ON_GET.findall(source):
        obj = module
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
        names |= set(getattr(obj, "base_fields", {}) or {})
    return names


_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _placeholders(route: str) -> list[tuple[str, str]]:
    """[(name, converter type)] of every <converter:name> in the route, in order ("str" when untyped)."""
    return [(m.group(2), m.group(1) or "str") for m in _PLACEHOLDER.finditer(route)]


def _fill(route: str, values: dict[str, str]) -> str:
    return "/" + _PLACEHOLDER.sub(lambda m: values[m.group(2)], route)


def _raw_values(route: str, url: str) -> dict[str, str]:
    """The raw path segments of a concrete URL of this route."""
    regex, pos = "", 0
    for m in _PLACEHOLDER.finditer(route):
        regex += re.escape(route[pos:m.start()]) + f"(?P<{m.group(2)}>{'.+' if m.group(1) == 'path' else '[^/]+'})"
        pos = m.end()
    found = re.fullmatch("/" + regex + re.escape(route[pos:]), url)
    return found.groupdict() if found else {}


def _crawl(client, start: str = "/", attempts: int = 3) -> dict[str, str]:
    """route -> one URL of it that answers 200, following the links of the pages from `start`."""
    examples, tried, queue, seen = {}, {}, [start], set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            route = resolve(url).route
        except Resolver404:
            continue
        if route in examples or tried.get(route, 0) >= attempts:
            continue
        tried[route] = tried.get(route, 0) + 1
        response = client.get(url)
        if response.status_code != 200:
            continue
        examples[route] = url
        if "text/html" in response.get("Content-Type", ""):
            queue += [html.unescape(h) for h in re.findall(r'href="(/[^"#?]*)', response.content.decode())]
    return examples


def _known_pks() -> list[str]:
    """Primary keys that exist: the first and last of every model, so detail pages can be reached."""
    from django.apps import apps

    pks = set()
    for model in apps.get_models():
        qs = model._default_manager.order_by("pk").values_list("pk", flat=True)
        for pk in (qs.first(), qs.last()):
            if isinstance(pk, int):
                pks.add(str(pk))
    return sorted(pks, key=int)


def _values_for(kind: str) -> list[str]:
    if kind == "int":
        return HOSTILE_INTS
    return [*HOSTILE, "a/../b"] if kind == "path" else HOSTILE


@contextmanager
def _quiet_request_log():
    """Thousands of expected 400/403/404 would each log a traceback; 500s are caught by the test itself."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def check_no_500_for_hostile_paths_and_query_parameters():
    """Run on the demo by tests/test_demo.py (the demo is loaded once there for every test that needs it)."""
    with _quiet_request_log():
        _check_no_500()


def _check_no_500():
    clients = {}
    for username in PEOPLE:
        client = Client(raise_request_exception=True)
        if username:
            client.force_login(User.objects.get(username=username))
        clients[username] = client
    pks = _known_pks()
    officer = clients["uppfoljare"]
    failures, requests = [], 0

    known_seen = set()

    def hit(url: str) -> None:
        nonlocal requests
        for who, client in clients.items():
            requests += 1
            try:
                status, error = client.get(url).status_code, ""
            except Exception as exc:  # noqa: BLE001 – every unhandled exception is the 500 we look for
                status, error = 500, f"{type(exc).__name__}: {str(exc)[:200]}"
            if status < 500:
                continue
            known = [key for key in KNOWN_ELSEWHERE if key[0] == current_route and key[1] in url]
            if known:
                known_seen.update(known)
            else:
                failures.append(f"{who or 'anonym'} GET {url[:200]}: {status} {error}")

    timings, params_seen = [], set()
    examples = _crawl(officer)
    for route, pattern in _patterns():
        current_route = route
        started = time.monotonic()
        placeholders = _placeholders(route)
        # A URL of this route that reaches the view: one the pages link to, else an existing pk where the
        # route takes ints ("x" for the other segments).
        base = examples.get(route)
        if base is None and placeholders:
            for pk in pks[:40] if any(kind == "int" for _, kind in placeholders) else ["-"]:
                url = _fill(route, {name: pk if kind == "int" else "x" for name, kind in placeholders})
                if base is None:
                    base = url
                try:
                    if officer.get(url).status_code not in (404, 405):
                        base = url
                        break
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"uppfoljare GET {url}: {type(exc).__name__}: {str(exc)[:200]}")
                    break
        base = base or _fill(route, {})
        plausible = _raw_values(route, base)
        # 1. Hostile values in each path segment, the others as in the reachable URL.
        for name, kind in placeholders:
            valid_then_newline = [plausible[name] + "%0A"] if plausible.get(name) else []
            for value in [*_values_for(kind), *valid_then_newline]:
                hit(_fill(route, {**plausible, name: value}))
        # 2. Every query parameter the view reads gets the same hostile value at once (one request per value).
        names = sorted(_query_params(pattern.callback))
        for value in HOSTILE if names else ():
            hit(f"{base}?{'&'.join(f'{quote(n)}={value}' for n in names)}")
        params_seen.update(names)
        timings.append((time.monotonic() - started, route))
    print(f"{requests} requests, {len(examples)} routes reached by links; slowest:", sorted(timings, reverse=True)[:5])

    fixed = set(KNOWN_ELSEWHERE) - known_seen
    assert not fixed, f"these no longer fail, remove them from KNOWN_ELSEWHERE: {fixed}"
    # The discovery works (these are read in registry, monthly and reports views).
    assert {"omrade", "q", "period", "underlag", "year", "namnd"} <= params_seen, params_seen
    assert not failures, f"{len(failures)} of {requests} requests failed:\n" + "\n".join(failures[:60])


def test_nul_in_a_query_or_path_is_a_400(world, client):
    client.force_login(world.officer)
    assert client.get("/utforare/?q=%00").status_code == 400
    assert client.get("/utforare/?a%00=1").status_code == 400
    assert client.get("/kravkatalog/1/export.x%00").status_code == 400
    assert client.get("/utforare/?q=ok").status_code == 200
