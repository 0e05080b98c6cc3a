"""E-mail to the provider's people about one assessment. The link goes to the portal; the
provider logs in with their own account, so the e-mail carries no secret."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from foljsam.accounts.models import Role, User

log = logging.getLogger(__name__)


def recipients(assessment) -> list[str]:
    unit = assessment.unit
    emails = set(
        User.objects.filter(role=Role.PROVIDER, provider_id=unit.provider_id, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )
    if unit.manager_email:
        emails.add(unit.manager_email)
    return sorted(emails)


def send(assessment, *, kind: str, subject: str, extra: dict | None = None) -> int:
    """Send the `followups/email/<kind>.txt` message; return the number of recipients.

    A failing mail server must not undo the officer's decision, so errors are logged, not raised."""
    to = recipients(assessment)
    if not to:
        return 0
    context = {"assessment": assessment, "campaign": assessment.campaign, "unit": assessment.unit,
               "url": settings.SITE_ROOT.rstrip("/") + assessment.get_portal_url(), **(extra or {})}
    body = render_to_string(f"followups/email/{kind}.txt", context)
    try:
        send_mail(str(subject), body, None, to)
    except Exception:  # noqa: BLE001 – any transport error; the decision stands, the officer can resend
        log.exception("Kunde inte skicka e-post om %s", assessment)
        return 0
    return len(to)
