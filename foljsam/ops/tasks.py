"""Tasks of the foundation: e-mail (with retries, see mail.py) and the recurring jobs that are not
an app's own (retention). Run by `foljsam worker`."""

from django_tasks import task

from . import mail


@task()
def send_mail(*, subject: str, body: str, to: list[str], attachments=(), on_result=None, attempt: int = 1) -> str:
    message = mail.build(subject=subject, body=body, to=to, attachments=attachments)
    kwargs = {"subject": subject, "body": body, "to": to, "attachments": attachments, "on_result": on_result}
    reached = mail.attempt(message, task=send_mail, kwargs=kwargs, attempt=attempt, what=subject)
    if reached is None:
        return "retry"
    mail.callback(on_result, reached)
    return "sent" if reached else "failed"


TASK_RESULTS_DAYS = 30  # finished tasks (their arguments name mail recipients and upload paths)


@task()
def retention() -> str:
    """Gallring (foljsam retention), and finished tasks older than TASK_RESULTS_DAYS."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from foljsam.audit.retention import retention_run

    pruned, _ = DBTaskResult.objects.finished().filter(
        finished_at__lt=timezone.now() - timedelta(days=TASK_RESULTS_DAYS)).delete()
    return f"{retention_run().describe()} {pruned} avslutade bakgrundsjobb rensade."
