"""Lock-out: per account at an address and per address, atomically, every lock audited."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client
from django.utils import timezone

from foljsam.accounts.models import LoginThrottle
from foljsam.accounts.services import login_reserve, login_settle
from foljsam.audit.models import AuditEntry

from .conftest import PASSWORD

URL = "/konto/logga-in/"


def _post(client, username, password, ip):
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _locked(response) -> bool:
    form = response.context and response.context.get("form")
    return bool(form) and any(e.code == "locked" for e in form.errors.as_data().get("__all__", []))


def test_attacker_does_not_lock_the_real_user_out_from_another_address(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert not _locked(_post(client, "admin", "wrong", "10.6.6.6"))
    # The attacker's address is now refused even with the right password …
    assert _locked(_post(client, "admin", PASSWORD, "10.6.6.6"))
    # … while the real admin signs in from the office.
    assert _post(Client(), "admin", PASSWORD, "10.1.1.1").status_code == 302


def test_every_lock_is_audited_and_failures_are_logged(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    AuditEntry.objects.all().delete()
    for _ in range(3):
        _post(client, "officer", "wrong", "10.6.6.6")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "username", "ip"))
    assert actions == [
        ("login_failed", "officer", "10.6.6.6"), ("login_failed", "officer", "10.6.6.6"),
        ("lock", "officer", "10.6.6.6"), ("login_failed", "officer", "10.6.6.6"),
    ]
    assert _post(Client(), "officer", PASSWORD, "10.1.1.1").status_code == 302
    assert AuditEntry.objects.filter(action="login", username="officer", ip="10.1.1.1").exists()


def test_an_address_spraying_many_accounts_is_throttled(world, client, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for name in ("a1", "a2", "a3", "a4"):
        assert not _locked(_post(client, name, "wrong", "10.6.6.6"))
    assert _locked(_post(client, "alice", PASSWORD, "10.6.6.6"))
    assert AuditEntry.objects.filter(action="lock", detail__contains="adressen").exists()
    assert _post(Client(), "alice", PASSWORD, "10.1.1.1").status_code == 302


def test_lock_ends_after_the_window(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        _post(client, "officer", "wrong", "10.6.6.6")
    assert _locked(_post(client, "officer", PASSWORD, "10.6.6.6"))
    LoginThrottle.objects.update(reset_at=timezone.now() - timedelta(seconds=1))
    assert _post(client, "officer", PASSWORD, "10.6.6.6").status_code == 302


def test_a_success_gives_the_address_its_check_back(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for _ in range(5):
        reservation = login_reserve(username="alice", ip="10.0.0.1")
        assert reservation is not None
        login_settle(reservation=reservation, success=True)
    assert LoginThrottle.objects.get(key="a:10.0.0.1").failures == 0


def test_reservations_without_settling_stop_at_the_limit(world, settings):
    """The counter logic itself: an attempt whose check has not ended still counts."""
    settings.LOGIN_MAX_FAILURES = 5
    taken = [login_reserve(username="Admin", ip="10.6.6.6") for _ in range(40)]
    assert sum(r is not None for r in taken) == 5
    assert login_reserve(username="admin", ip="10.1.1.1") is not None  # another address


class CountingBackend(ModelBackend):
    checks = 0
    lock = threading.Lock()

    def authenticate(self, request, username=None, password=None, **kwargs):
        with CountingBackend.lock:
            CountingBackend.checks += 1
        time.sleep(0.05)  # widen the window in which parallel attempts overlap
        return super().authenticate(request, username=username, password=password, **kwargs)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_forty_parallel_attempts_get_at_most_the_limit_of_password_checks(settings, monkeypatch):
    from django.db.models.query import QuerySet

    from foljsam.accounts.models import Role, User

    original_update = QuerySet.update

    def slow_update(self, **kwargs):
        # Widen every gap between reading a counter and writing it: a check-then-write counter
        # lets parallel attempts through here; a conditional UPDATE does not.
        if self.model is LoginThrottle:
            time.sleep(0.02)
        return original_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", slow_update)

    User.objects.create_user(username="target", password=PASSWORD, role=Role.ADMIN)
    settings.LOGIN_MAX_FAILURES = 5
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.CountingBackend"]
    CountingBackend.checks = 0
    start = threading.Barrier(40)
    errors = []

    def attempt():
        try:
            start.wait()
            _post(Client(), "target", "wrong", "10.6.6.6")
        except Exception as exc:  # noqa: BLE001 – reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert CountingBackend.checks == 5
    assert AuditEntry.objects.filter(action="lock", username="target").count() == 1


def test_ipv6_addresses_are_throttled_per_64(world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    assert login_reserve(username="admin", ip="2001:db8:1:2::10") is not None
    assert login_reserve(username="admin", ip="2001:db8:1:2::11") is not None
    assert login_reserve(username="admin", ip="2001:db8:1:2:ffff::1") is None  # same /64: rotating does not help
    assert login_reserve(username="admin", ip="2001:db8:1:3::1") is not None  # another /64
    assert login_reserve(username="admin", ip="::ffff:10.0.0.1") is not None
    assert LoginThrottle.objects.filter(key="a:10.0.0.1").exists()  # an IPv4-mapped address is the IPv4 one
