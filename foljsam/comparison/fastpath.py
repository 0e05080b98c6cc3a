"""The public pages (/jamfor/) served from a copy in the worker's memory (issue 13 part 5: p95 ≤ 100 ms
at 50 concurrent requests).

The view already caches the rendered HTML per publication, but each request still went through the
session, language, CSRF, authentication, messages and audit middleware, resolved the URL and asked
the database which publication is current. `PublicPageMiddleware` sits right after the security and
static-file middleware: for a GET of `/jamfor/` or `/jamfor/<area>/` (query string empty or only
`lang=`) it counts the request against the rate limit and answers with the stored response – the
bytes and headers the full stack produced the first time – without a session, a user or a query.

The copy is valid while the **publication stamp** is unchanged and for at most
FOLJSAM_PUBLIC_CACHE_SECONDS (0 turns it off): every save or delete of a `Publication` (publish,
withdraw) replaces the stamp file `$FOLJSAM_DATA_DIR/public-pages.stamp`, which every worker and
process stats per request (a few microseconds), so a withdrawal takes effect at once everywhere.
Responses that set a cookie or are not 200 are never stored.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse

STAMP_FILE = "public-pages.stamp"
PUBLIC_PATH = re.compile(r"^/jamfor/(?:[-a-zA-Z0-9_]{1,60}/)?$")
LANGUAGES = ("sv", "en")


def stamp_path():
    return settings.DATA_DIR / STAMP_FILE


def stamp() -> tuple:
    try:
        st = os.stat(stamp_path())
    except FileNotFoundError:
        return (0, 0)
    return (st.st_ino, st.st_mtime_ns)


def bump_stamp(**_kwargs) -> None:
    """A publication changed: every process's stored public pages are stale (signal receiver)."""
    path = stamp_path()
    tmp = path.with_name(f"{STAMP_FILE}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(str(time.time_ns()))
    os.replace(tmp, path)  # a new inode: the stamp differs even within one clock tick


@dataclass(frozen=True)
class _Stored:
    content: bytes
    headers: tuple
    stamp: tuple
    expires: float


class PublicPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._pages: dict[tuple[str, str], _Stored] = {}

    def __call__(self, request):
        seconds = settings.FOLJSAM_PUBLIC_CACHE_SECONDS
        if (seconds <= 0 or request.method not in ("GET", "HEAD") or not PUBLIC_PATH.match(request.path_info)
                or any(k != "lang" for k in request.GET) or "\x00" in request.GET.get("lang", "")):
            return self.get_response(request)
        from .views import rate_limit_exceeded

        limited = rate_limit_exceeded(request)
        if limited is not None:
            return limited
        lang = request.GET.get("lang")  # the view's rule: sv unless lang=en
        key = (request.path_info, lang if lang in LANGUAGES else "sv")
        current = stamp()
        stored = self._pages.get(key)
        if stored is not None and stored.stamp == current and stored.expires > time.monotonic():
            response = HttpResponse(stored.content)
            for name, value in stored.headers:
                response[name] = value
            return response
        response = self.get_response(request)
        # The view renders without the request (the same HTML for everyone, comparison/views._public); the
        # Vary: Cookie the audit middleware's look at the session adds does not make it personal.
        if response.status_code == 200 and not response.cookies and not response.streaming:
            self._pages[key] = _Stored(response.content, tuple(response.items()), current,
                                       time.monotonic() + seconds)
        return response
