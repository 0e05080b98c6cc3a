"""E-mail through the task worker, with retries.

    send_on_commit(subject=…, body=…, to=[…], on_result=("dotted.path", {"pk": 1}))

The message is queued once the current transaction commits (a rolled-back decision sends nothing)
and sent by `foljsam worker` (`foljsam.ops.tasks.send_mail`). A failed SMTP send (refused, no
server) is tried again after FOLJSAM_MAIL_RETRY_SECONDS, doubled each time, FOLJSAM_MAIL_ATTEMPTS
times in all. `on_result` is called once, in the worker, with `reached=` the number of recipients
the server accepted (0 when every attempt failed): so the caller records only mail that was sent.
"""

import base64
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
TRANSPORT_ERRORS = (OSError, smtplib.SMTPException)  # SMTPException covers refusals; OSError no server


def send_on_commit(*, subject, body: str, to: list[str], attachments=(), on_result: tuple[str, dict] | None = None,
                   using=None) -> None:
    """Queue a mail after the commit. attachments: (file name, bytes, MIME type)."""
    from . import tasks

    kwargs = {"subject": str(subject), "body": str(body), "to": list(to),
              "attachments": [(name, base64.b64encode(data).decode(), mime) for name, data, mime in attachments],
              "on_result": list(on_result) if on_result else None}
    transaction.on_commit(lambda: tasks.send_mail.enqueue(**kwargs), using=using, robust=True)


def build(*, subject: str, body: str, to: list[str], attachments=()) -> EmailMessage:
    message = EmailMessage(subject, body, None, to)
    for name, data, mime in attachments:
        message.attach(name, base64.b64decode(data) if isinstance(data, str) else data, mime)
    return message


def callback(on_result, reached: int) -> None:
    if on_result:
        path, kwargs = on_result
        import_string(path)(reached=reached, **(kwargs or {}))


def retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=settings.FOLJSAM_MAIL_RETRY_SECONDS * 2 ** (attempt - 1))


def attempt(message: EmailMessage, *, task, kwargs: dict, attempt: int, what: str) -> int | None:
    """Try to send `message`; on a transport error enqueue `task(**kwargs, attempt=attempt + 1)` later.

    Returns the number of recipients reached, 0 after the last failed attempt, None when a retry is queued.
    """
    try:
        accepted = message.send()
    except TRANSPORT_ERRORS as exc:
        if attempt < settings.FOLJSAM_MAIL_ATTEMPTS:
            log.warning("mail %s failed (attempt %s, %s), retried later", what, attempt, exc.__class__.__name__)
            backend = task.get_backend()
            later = task.using(run_after=timezone.now() + retry_delay(attempt)) if backend.supports_defer else task
            later.enqueue(**kwargs, attempt=attempt + 1)
            return None
        log.error("mail %s failed after %s attempts: %s", what, attempt, exc)
        return 0
    return len(message.to) if accepted else 0
