"""E-mail to the provider's people about one assessment. The link goes to the portal; the
provider logs in with their own account, so the e-mail carries no secret."""

import logging

from django.conf import settings
from django.template.loader import render_to_string

from foljsam.accounts import policy
from foljsam.ops import mail

log = logging.getLogger(__name__)


def recipients(assessment) -> list[str]:
    unit = assessment.unit
    # The provider's own people who answer for this unit: its managers and the provider-wide users.
    emails = {u.email for u in policy.users_acting_for("followup.answer", assessment) if u.email}
    if unit.manager_email:
        emails.add(unit.manager_email)
    return sorted(emails)


def send(assessment, *, kind: str, subject: str, extra: dict | None = None,
         on_result: tuple[str, dict] | None = None) -> int:
    """Send the `followups/email/<kind>.txt` message once the current transaction commits; return
    the number of recipients it is addressed to.

    The message is rendered now, and queued for the task worker after the commit (ops/mail.py): a
    rolled-back decision sends nothing, so a retry cannot send the same mail twice. A failing mail
    server must not undo the officer's decision: the worker tries again later, and logs the mail it
    could not send. `on_result` – ("dotted.path", kwargs) – is called in the worker after the last
    attempt with `reached=` the number of recipients it reached (0 when it failed), so the caller
    can record what was really sent."""
    to = recipients(assessment)
    if not to:
        return 0
    context = {"assessment": assessment, "campaign": assessment.campaign, "unit": assessment.unit,
               "url": settings.SITE_ROOT.rstrip("/") + assessment.get_portal_url(), **(extra or {})}
    body = render_to_string(f"followups/email/{kind}.txt", context)
    mail.send_on_commit(subject=subject, body=body, to=to, on_result=on_result)
    return len(to)
