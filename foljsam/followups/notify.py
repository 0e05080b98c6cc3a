"""E-mail to the provider's people about one assessment. The link goes to the portal; the
provider logs in with their own account, so the e-mail carries no secret."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string

from foljsam.accounts import policy

log = logging.getLogger(__name__)


def recipients(assessment) -> list[str]:
    unit = assessment.unit
    # The provider's own people who answer for this unit: its managers and the provider-wide users.
    emails = {u.email for u in policy.users_acting_for("followup.answer", assessment) if u.email}
    if unit.manager_email:
        emails.add(unit.manager_email)
    return sorted(emails)


def send(assessment, *, kind: str, subject: str, extra: dict | None = None,
         on_result: Callable[[int], None] | None = None) -> int:
    """Send the `followups/email/<kind>.txt` message once the current transaction commits; return
    the number of recipients it is addressed to.

    The message is rendered now (and the mail backend chosen now), but goes out only after the
    commit: a rolled-back decision sends nothing, so a retry cannot send the same mail twice.
    A failing mail server must not undo the officer's decision, so errors are logged, not raised;
    `on_result(n)` is called after the attempt with the number of recipients it reached (0 when it
    failed), so the caller can record what was really sent."""
    to = recipients(assessment)
    if not to:
        return 0
    context = {"assessment": assessment, "campaign": assessment.campaign, "unit": assessment.unit,
               "url": settings.SITE_ROOT.rstrip("/") + assessment.get_portal_url(), **(extra or {})}
    body = render_to_string(f"followups/email/{kind}.txt", context)
    message = EmailMessage(str(subject), body, None, to, connection=get_connection())
    name = str(assessment)

    def deliver():
        try:
            message.send()
        except Exception:  # noqa: BLE001 – any transport error; the decision stands, the officer can resend
            log.exception("Kunde inte skicka e-post om %s", name)
            reached = 0
        else:
            reached = len(to)
        if on_result is not None:
            on_result(reached)

    transaction.on_commit(deliver, robust=True)
    return len(to)
