"""Tasks of the contract follow-up, run by `foljsam worker`."""

from django_tasks import task

from foljsam.audit.context import acting_user

from . import services


@task()
def reminders() -> int:
    """Scheduled daily (ops/schedule.py): reminders before and after the deadline; idempotent."""
    with acting_user(None):
        return services.reminders_send()
