"""OpenID Connect over real HTTP against a tiny identity provider started by the test.

The provider serves discovery, authorize, token and JWKS, signs ID tokens with an RSA key made
here and refuses a token request whose PKCE code_verifier does not match the code_challenge."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from foljsam.accounts.models import Role, User
from foljsam.audit.models import AuditEntry

CLIENT_ID, CLIENT_SECRET = "foljsam", "hemligt"


class Provider:
    """State of the identity provider: issued codes and the claims of the next sign-in."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.claims: dict = {}
        self.token_requests: list[dict] = []
        self.tamper_verifier = False


def _handler(op: Provider, base: str):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, {
                    "issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
                    "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"], "id_token_signing_alg_values_supported": ["RS256"],
                })
            if url.path == "/jwks":
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(op.key.public_key()))
                return self._json(200, {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
            if url.path == "/authorize":
                if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code" \
                        or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                op.codes[code] = {"challenge": q["code_challenge"], "nonce": q.get("nonce"),
                                  "redirect_uri": q["redirect_uri"]}
                self.send_response(302)
                self.send_header("Location", f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")
                self.end_headers()
                return None
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            op.token_requests.append(form)
            if urlparse(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            grant = op.codes.pop(form.get("code", ""), None)
            if grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET \
                    or form.get("redirect_uri") != grant["redirect_uri"]:
                return self._json(400, {"error": "invalid_grant"})
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
            now = int(time.time())
            claims = {"iss": base, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                      **op.claims}
            token = jwt.encode(claims, op.key, algorithm="RS256", headers={"kid": "k1"})
            return self._json(200, {"access_token": "at-" + secrets.token_hex(8), "token_type": "Bearer",
                                    "id_token": token, "expires_in": 300})

    return Handler


@pytest.fixture
def op(settings):
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.RequestHandlerClass = _handler(provider, base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    discovery = json.loads(__import__("urllib.request").request.urlopen(f"{base}/.well-known/openid-configuration")
                           .read())
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_ISSUER = discovery["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_GROUP_ROLE_MAP = json.dumps({"foljsam-uppfoljare": "officer", "foljsam-admin": "admin",
                                               "foljsam-ledning": "reader", "foljsam-utforare": "provider"})
    settings.OIDC_PROVIDER_CLAIM = "provider_code"
    settings.OIDC_UNITS_CLAIM = ""
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend",
                                        "foljsam.accounts.oidc.FoljsamOIDCBackend"]
    provider.base = base
    yield provider
    server.shutdown()
    server.server_close()


def _sign_in(client: Client, op: Provider, *, tamper=False):
    """The browser's part: Följsam → identity provider → Följsam's callback."""
    import urllib.error
    import urllib.request

    start = client.get("/konto/oidc/start/")
    assert start.status_code == 302 and start["Location"].startswith(op.base + "/authorize?")
    params = parse_qs(urlparse(start["Location"]).query)
    assert params["code_challenge_method"] == ["S256"] and params["code_challenge"][0]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(start["Location"])
        raise AssertionError("the provider did not redirect")
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        back = urlparse(exc.headers["Location"])
    if tamper:  # another session's verifier: the provider must refuse the code
        session = client.session
        for state in session["oidc_states"].values():
            state["code_verifier"] = "x" * 64
        session.save()
    return client.get(back.path, parse_qs(back.query))


def test_officer_signs_in_with_the_municipal_account(world, op, client):
    op.claims = {"sub": "1234", "preferred_username": "anna.uppf", "given_name": "Anna", "family_name": "Ek",
                 "email": "anna@kommun.se", "groups": ["alla-anstallda", "foljsam-uppfoljare"]}
    response = _sign_in(client, op)
    assert response.status_code == 302 and response["Location"] == "/"
    anna = User.objects.get(username="anna.uppf")
    assert (anna.role, anna.provider, anna.get_full_name()) == (Role.OFFICER, None, "Anna Ek")
    assert not anna.has_usable_password()
    assert client.get("/").status_code == 200 and "_auth_user_id" in client.session
    # The token request carried the PKCE verifier.
    assert len(op.token_requests[-1]["code_verifier"]) >= 43
    login = AuditEntry.objects.get(action="login", username="anna.uppf")
    assert "OpenID Connect" in login.detail


def test_claims_map_to_the_widest_role_and_are_refreshed(world, op, client):
    op.claims = {"preferred_username": "officer", "groups": ["foljsam-ledning", "foljsam-admin"]}
    assert _sign_in(client, op).status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.role == Role.ADMIN  # the identity provider is the source of truth


def test_provider_user_is_bound_to_the_provider_of_the_claim(world, op, client):
    op.claims = {"preferred_username": "pia", "groups": ["foljsam-utforare"], "provider_code": "P-B"}
    assert _sign_in(client, op).status_code == 302
    pia = User.objects.get(username="pia")
    assert pia.role == Role.PROVIDER and pia.provider == world.provider_b


def test_a_unit_manager_is_bound_to_the_units_of_the_claim(world, op, client, settings):
    from foljsam.registry.models import Unit

    settings.OIDC_UNITS_CLAIM = "units"
    unit = Unit.objects.get(provider=world.provider_b)
    op.claims = {"preferred_username": "pia", "groups": ["foljsam-utforare"], "provider_code": "P-B",
                 "units": [unit.name, "Alfa Omsorg AB enhet 1"]}  # another provider's unit is not bound
    assert _sign_in(client, op).status_code == 302
    assert list(User.objects.get(username="pia").units.all()) == [unit]
    # Next time without the claim: provider-wide again, as the identity provider says.
    op.claims = {"preferred_username": "pia", "groups": ["foljsam-utforare"], "provider_code": "P-B"}
    client.logout()
    assert _sign_in(client, op).status_code == 302
    assert not User.objects.get(username="pia").units.exists()


def test_unknown_units_refuse_rather_than_widen(world, op, client, settings):
    settings.OIDC_UNITS_CLAIM = "units"
    op.claims = {"preferred_username": "pia", "groups": ["foljsam-utforare"], "provider_code": "P-B",
                 "units": ["Nedlagd enhet"]}
    response = _sign_in(client, op)
    assert "oidc=fel" in response["Location"] and not User.objects.filter(username="pia").exists()


@pytest.mark.parametrize("claims", [
    {"preferred_username": "olle", "groups": ["alla-anstallda"]},  # no role
    {"preferred_username": "pia", "groups": ["foljsam-utforare"], "provider_code": "OKAND"},  # unknown provider
    {"groups": ["foljsam-admin"]},  # no username
    {"preferred_username": "olle", "groups": ["foljsam-admin"], "aud": "another-client"},
    {"preferred_username": "olle", "groups": ["foljsam-admin"], "iss": "https://evil.example"},
    {"preferred_username": "olle", "groups": ["foljsam-admin"], "exp": 1000},  # expired
])
def test_claims_without_a_role_are_refused(world, op, client, claims):
    op.claims = claims
    response = _sign_in(client, op)
    assert response.status_code == 302 and "oidc=fel" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username__in=["olle", "pia"]).exists()
    assert AuditEntry.objects.filter(action="login_failed", detail__contains="OpenID").exists()


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(world, op, client):
    op.claims = {"preferred_username": "anna.uppf", "groups": ["foljsam-uppfoljare"]}
    response = _sign_in(client, op, tamper=True)
    assert response.status_code == 302 and "oidc=fel" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="anna.uppf").exists()


def test_the_login_page_offers_the_municipal_account_only_when_configured(world, client, settings):
    settings.OIDC_ENABLED = False
    assert "Logga in med kommunens konto" not in client.get("/konto/logga-in/").content.decode()
    assert client.get("/konto/oidc/start/").status_code == 404
    settings.OIDC_ENABLED = True
    assert "Logga in med kommunens konto" in client.get("/konto/logga-in/").content.decode()


def test_a_locked_out_user_still_signs_in_through_oidc(world, op, settings):
    settings.LOGIN_MAX_FAILURES = 2
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    for _ in range(3):
        attacker.post("/konto/logga-in/", {"username": "officer", "password": "wrong"})
    real = Client(REMOTE_ADDR="10.6.6.6")  # even from the attacker's own address
    op.claims = {"preferred_username": "officer", "groups": ["foljsam-uppfoljare"]}
    assert _sign_in(real, op).status_code == 302
    assert "_auth_user_id" in real.session
