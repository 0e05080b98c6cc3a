"""The second factor for local accounts: set up with the QR/secret, asked at every password sign-in,
required per role by settings, removable by an administrator. Codes are computed here (RFC 6238)."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from foljsam.accounts import totp
from foljsam.audit.models import AuditEntry

from .conftest import PASSWORD, people_of, statuses

STEP = "/konto/tvastegsverifiering/"


def code(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _password(client, username="officer", **extra):
    return client.post("/konto/logga-in/", {"username": username, "password": PASSWORD, **extra})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def required(settings):
    settings.TOTP_REQUIRED_ROLES = ["officer", "admin"]


def test_a_required_role_sets_up_the_authenticator_at_the_first_sign_in(world, client, required):
    response = _password(client)
    assert response.status_code == 302 and response["Location"] == STEP
    assert not _signed_in(client)
    page = client.get(STEP).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    wrong = client.post(STEP, {"token": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and not _signed_in(client)
    assert wrong.context["form"].errors.as_data()["token"][0].code == "wrong_code"
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(STEP, {"token": code(secret)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client) and client.session["otp_device_id"]
    assert TOTPDevice.objects.get(user=world.officer).confirmed
    assert AuditEntry.objects.filter(action="otp_enrol", username="officer").exists()
    assert AuditEntry.objects.filter(action="login_failed", detail__contains="engångskod").exists()


def test_an_enrolled_user_is_asked_for_a_code_every_time(world, client, settings):
    settings.TOTP_REQUIRED_ROLES = []  # not required, but set up by the user: still asked
    device = TOTPDevice.objects.create(user=world.reader, name="x", confirmed=True)
    secret = totp.secret_base32(device)
    response = _password(client, "reader", next="/logg/")
    assert response["Location"] == STEP and not _signed_in(client)
    page = client.get(STEP).content.decode()
    assert "data:image" not in page and secret not in page  # the secret is shown only while setting up
    now = time.time()
    first = code(secret, now)
    response = client.post(STEP, {"token": first})
    assert response.status_code == 302 and response["Location"] == "/logg/" and _signed_in(client)
    client.logout()
    _password(client, "reader")
    # The same code cannot be used twice; the next one can.
    assert client.post(STEP, {"token": first}).status_code == 400
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(STEP, {"token": code(secret, now + 30)}).status_code == 302


def test_roles_not_required_sign_in_with_the_password_alone(world, client, required):
    assert _password(client, "alice")["Location"] == "/" and _signed_in(client)


def test_the_code_step_needs_a_recent_right_password(world, client, required):
    assert client.get(STEP)["Location"] == "/konto/logga-in/"
    _password(client)
    session = client.session
    session[totp.PENDING]["until"] = time.time() - 1
    session.save()
    assert client.get(STEP)["Location"] == "/konto/logga-in/"
    assert client.post(STEP, {"token": "123456"})["Location"] == "/konto/logga-in/" and not _signed_in(client)
    # A wrong password never reaches the code step.
    client.post("/konto/logga-in/", {"username": "officer", "password": "wrong"})
    assert client.get(STEP)["Location"] == "/konto/logga-in/"


def test_admin_removes_a_lost_authenticator(world, client):
    TOTPDevice.objects.create(user=world.officer, name="x", confirmed=True)
    url = f"/konto/anvandare/{world.officer.pk}/tvasteg/ta-bort/"
    people = people_of(world, "officer", "reader", "user_a")
    assert set(statuses(client, url, people, method="post").values()) == {403}
    client.force_login(world.admin)
    assert "aktiverad" in client.get("/konto/anvandare/").content.decode()
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.officer).exists()
    assert AuditEntry.objects.filter(action="otp_reset", object_id=str(world.officer.pk)).exists()
