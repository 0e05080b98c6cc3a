"""Logins and logouts, whichever way the user signed in (password, OIDC), into the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .log import Action, client_ip, log_event


def _backend_name(request) -> str:
    backend = request.session.get("_auth_user_backend", "") if request is not None and hasattr(request, "session") \
        else ""
    return "med OpenID Connect" if "oidc" in backend.lower() else "med lösenord" if backend else ""


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    log_event(user=user, action=Action.LOGIN, ip=client_ip(request), detail=_backend_name(request))


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log_event(user=user, action=Action.LOGOUT, ip=client_ip(request))
