"""Fixtures shared with the follow-up tests: a small catalogue and a sent campaign."""

from tests.followups.conftest import fu, sent  # noqa: F401
