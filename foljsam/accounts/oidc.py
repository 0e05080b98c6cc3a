"""Sign-in through the municipality's identity provider (OpenID Connect, mozilla-django-oidc).

Authorization code flow with PKCE. The user is found by the username claim; role and provider
come from the claims by settings (`OIDC_ROLE_CLAIM` + `OIDC_GROUP_ROLE_MAP`, `OIDC_PROVIDER_CLAIM`)
and are refreshed at every sign-in, so the identity provider stays the source of truth. A user
whose claims map to no role is refused. Local accounts (provider staff without a municipal
identity) keep signing in with a password.
"""

import json
import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from foljsam.audit.log import Action, client_ip, log_event

from .models import Role

log = logging.getLogger(__name__)

# When several groups map to roles, the widest role wins.
ROLE_ORDER = [Role.ADMIN, Role.OFFICER, Role.READER, Role.PROVIDER]


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def group_role_map() -> dict[str, str]:
    raw = settings.OIDC_GROUP_ROLE_MAP
    mapping = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    unknown = set(mapping.values()) - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(f"OIDC_GROUP_ROLE_MAP: okända roller {sorted(unknown)}")
    return mapping


def role_from_claims(claims: dict) -> str | None:
    value = claims.get(settings.OIDC_ROLE_CLAIM)
    values = [value] if isinstance(value, str) else list(value or [])
    mapping = group_role_map()
    roles = {mapping[v] for v in values if isinstance(v, str) and v in mapping}
    return next((r for r in ROLE_ORDER if r in roles), None)


def provider_from_claims(claims: dict):
    from foljsam.registry.models import Provider

    code = claims.get(settings.OIDC_PROVIDER_CLAIM) if settings.OIDC_PROVIDER_CLAIM else None
    return Provider.objects.filter(code=code).first() if isinstance(code, str) and code else None


def unit_names_from_claims(claims: dict) -> list[str] | None:
    """Unit names in `OIDC_UNITS_CLAIM`; None when the setting or the claim is absent (provider-wide)."""
    if not settings.OIDC_UNITS_CLAIM or settings.OIDC_UNITS_CLAIM not in claims:
        return None
    value = claims[settings.OIDC_UNITS_CLAIM]
    values = [value] if isinstance(value, str) else list(value or [])
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def units_from_claims(claims: dict, provider) -> list | None:
    """The provider's units the claim names; None for a provider-wide user. A claim naming units of
    which none exists gives [] – refused by verify_claims, never widened to the whole provider."""
    names = unit_names_from_claims(claims)
    if not names or provider is None:
        return None
    return list(provider.units.filter(name__in=names))


class FoljsamOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        """A refused code (wrong PKCE verifier, expired), a bad token or an unreachable provider is a
        failed sign-in with a message on the login page, never a server error."""
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError) as exc:
            log.warning("OIDC sign-in refused: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks signature, expiry and nonce; audience and issuer are checked here.
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if settings.OIDC_OP_ISSUER and payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when one is configured."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            claims.update(super().get_userinfo(access_token, id_token, payload))
        return claims

    def _username(self, claims) -> str:
        value = claims.get(settings.OIDC_USERNAME_CLAIM)
        return value.strip()[:150] if isinstance(value, str) else ""

    def verify_claims(self, claims):
        role = role_from_claims(claims)
        if not self._username(claims) or role is None:
            return False
        if role != Role.PROVIDER:
            return True
        provider = provider_from_claims(claims)
        return provider is not None and units_from_claims(claims, provider) != []

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username__iexact=self._username(claims))

    def create_user(self, claims):
        user = self.UserModel(username=self._username(claims))
        user.set_unusable_password()  # signs in through the identity provider only
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.role = role_from_claims(claims)
        user.provider = provider_from_claims(claims) if user.role == Role.PROVIDER else None
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.email = str(claims.get("email", user.email))[:254]
        user.save()
        units = units_from_claims(claims, user.provider) if user.role == Role.PROVIDER else None
        user.units.set(units or [])  # no units named: provider-wide
        return user


class OIDCStartView(OIDCAuthenticationRequestView):
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self):
        log_event(user=None, action=Action.LOGIN_FAILED, ip=client_ip(self.request),
                  detail="OpenID Connect: inloggningen godtogs inte (okänd roll, fel token eller avbruten).")
        return super().login_failure()
