"""Who is acting, for the audit log: set per request or by a management command."""

import contextvars
from contextlib import contextmanager

_current = contextvars.ContextVar("foljsam_acting_user", default=None)


def current_user():
    return _current.get()


@contextmanager
def acting_user(user):
    token = _current.set(user)
    try:
        yield user
    finally:
        _current.reset(token)
