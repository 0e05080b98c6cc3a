import subprocess
import sys

import pytest

from foljsam.actions import services
from foljsam.actions.models import Source
from foljsam.audit.context import acting_user
from foljsam.audit.models import AuditEntry
from foljsam.registry.models import Provider

from .conftest import PASSWORD


def _login(client, username, password):
    return client.post("/konto/logga-in/", {"username": username, "password": password})


def test_lockout_after_repeated_failures(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _login(client, "officer", "wrong").status_code == 200
    response = _login(client, "officer", PASSWORD)
    assert response.status_code == 200
    assert "För många misslyckade inloggningar" in response.content.decode()
    # Another account is not affected.
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_successful_login_resets_the_count(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    _login(client, "officer", "wrong")
    _login(client, "officer", "wrong")
    assert _login(client, "officer", PASSWORD).status_code == 302
    client.logout()
    _login(client, "officer", "wrong")
    assert _login(client, "officer", PASSWORD).status_code == 302


def test_audit_records_create_change_delete_with_user(world):
    AuditEntry.objects.all().delete()
    with acting_user(world.officer):
        p = Provider.objects.create(code="AUD", name="Före AB", ownership="private")
        p.name = "Efter AB"
        p.save()
        p.save()  # no change: no entry
        p.delete()
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "username", "model"))
    assert entries == [
        ("create", "officer", "registry.Provider"), ("update", "officer", "registry.Provider"),
        ("delete", "officer", "registry.Provider"),
    ]
    update = AuditEntry.objects.get(action="update")
    assert update.changes == {"name": ["Före AB", "Efter AB"]}


def test_audit_covers_deviations_and_plans_through_the_web(world, client):
    AuditEntry.objects.all().delete()
    client.force_login(world.officer)
    response = client.post("/avvikelser/ny/", {
        "provider": world.provider_a.pk, "source": Source.SIGNAL, "requirement": "Bemötande",
        "severity": "deviation", "text": "Klagomål från anhörig.", "found_on": "2026-11-01",
    })
    assert response.status_code == 302
    entry = AuditEntry.objects.get(model="actions.Deviation")
    assert entry.username == "officer" and entry.action == "create"
    deviation = world.provider_a.deviations.get()
    services.action_plan_request(deviations=[deviation], by=world.officer, title="Plan")
    assert AuditEntry.objects.filter(model="actions.ActionPlan", action="create").exists()
    client.force_login(world.admin)
    body = client.get("/logg/").content.decode()
    assert "officer" in body and "Bemötande" in body


def test_only_admins_read_the_log(world, client):
    for user in (world.officer, world.reader, world.user_a):
        client.force_login(user)
        assert client.get("/logg/").status_code == 403


def _settings_process(env):
    code = "import foljsam.settings as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_production_requires_secrets(tmp_path):
    env = {"DEBUG": "False", "FOLJSAM_DATA_DIR": str(tmp_path), "PATH": "/usr/bin"}
    result = _settings_process(env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    result = _settings_process({**env, "DJANGO_SECRET_KEY": "x" * 50})
    assert result.returncode != 0 and "FOLJSAM_PSEUDONYM_KEY" in result.stderr
    result = _settings_process({**env, "DJANGO_SECRET_KEY": "x" * 50, "FOLJSAM_PSEUDONYM_KEY": "k" * 32})
    assert result.returncode == 0 and result.stdout.split() == ["True", "31536000"]


def test_security_headers(world, client):
    response = client.get("/konto/logga-in/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    body = response.content.decode()
    assert '<html lang="sv">' in body and "Logga in" in body


@pytest.mark.parametrize("lang, word", [("en", "Log in"), ("sv", "Logga in")])
def test_english_is_available(world, client, lang, word):
    client.cookies["django_language"] = lang
    assert word in client.get("/konto/logga-in/").content.decode()


def test_admin_manages_users(world, client):
    from foljsam.accounts.models import User

    client.force_login(world.admin)
    assert client.get("/konto/anvandare/").status_code == 200
    data = {"username": "carl", "first_name": "Carl", "last_name": "C", "email": "c@example.org",
            "role": "provider", "provider": "", "is_active": "on", "password": "ett-bra-losenord-2026"}
    response = client.post("/konto/anvandare/ny/", data)
    assert response.status_code == 400 and "måste kopplas till en utförare" in response.content.decode()
    response = client.post("/konto/anvandare/ny/", {**data, "password": "kort"})
    assert response.status_code == 400
    response = client.post("/konto/anvandare/ny/", {**data, "provider": world.provider_b.pk})
    assert response.status_code == 302
    carl = User.objects.get(username="carl")
    assert carl.provider == world.provider_b and carl.check_password("ett-bra-losenord-2026")
    entry = AuditEntry.objects.filter(model="accounts.User", object_id=str(carl.pk)).first()
    algorithm = carl.password.split("$", 1)[0]  # the hasher's prefix, whichever hasher the settings use
    changes = str(entry.changes)
    assert entry and carl.password not in changes and f"{algorithm}$" not in changes and "ett-bra" not in changes
    for user in (world.officer, world.user_a):
        client.force_login(user)
        assert client.get("/konto/anvandare/").status_code == 403
        assert client.post("/konto/anvandare/ny/", data).status_code == 403
