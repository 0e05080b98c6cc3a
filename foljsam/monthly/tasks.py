"""Tasks of the monthly follow-up, run by `foljsam worker` (foljsam/ops/worker.py)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django_tasks import task

from foljsam.audit.context import acting_user
from foljsam.ops import mail
from foljsam.registry.models import Provider

from . import services
from .models import ImportRun


def _paths(paths: dict[str, str]) -> dict[str, Path]:
    return {k: Path(v) for k, v in paths.items()}


@task()
def import_check(*, run_id: int, paths: dict[str, str]) -> str:
    """Step one of a web upload: read and check the files, propose the month (nothing stored)."""
    run = ImportRun.objects.select_related("by").get(pk=run_id)
    with acting_user(run.by):
        return services.import_run_check(run=run, paths=_paths(paths)).status


@task()
def import_execute(*, run_id: int, paths: dict[str, str]) -> str:
    """Step two: import the confirmed upload (after any other import), then delete the uploads."""
    try:
        run = ImportRun.objects.select_related("by").get(pk=run_id)
        with acting_user(run.by):
            return services.import_run_execute_queued(run=run, paths=_paths(paths)).status
    finally:
        for path in paths.values():
            Path(path).unlink(missing_ok=True)


def recover_import(*, run_id: int, paths: dict[str, str]) -> None:
    """worker.RECOVER: the worker running this run's check or import died."""
    services.import_run_worker_died(run_id=run_id, paths=paths)


@task()
def snapshots_refresh(*, periods: list[str] | None = None) -> int:
    """Recompute stored key figures (`foljsam monthly refresh --queue`)."""
    return services.snapshots_refresh(periods=periods)


@task()
def inbox_pickup() -> str:
    """Scheduled (ops/schedule.py): import what the export system dropped in the inbox."""
    with acting_user(None):
        run = services.inbox_pickup()
    return run.status if run else "empty"


@task()
def imports_close_stale() -> int:
    """Scheduled: uploads forgotten at the month's confirmation, and upload files no run refers to."""
    return services.import_runs_close_stale() + services.uploads_remove_orphans()


@task()
def quarter_matrix_mail(*, year: int, quarter: int, provider_id: int, by_id: int, to: list[str],
                        attempt: int = 1) -> str:
    """One provider's quarterly matrix: built, sent (retried), its dispatch recorded only when accepted."""
    provider = Provider.objects.get(pk=provider_id)
    by = get_user_model().objects.get(pk=by_id)
    message = services.quarter_matrix_message(year=year, quarter=quarter, provider=provider, by=by, to=to)
    kwargs = {"year": year, "quarter": quarter, "provider_id": provider_id, "by_id": by_id, "to": to}
    reached = mail.attempt(message, task=quarter_matrix_mail, kwargs=kwargs, attempt=attempt,
                           what=f"kvartalsmatris {year}-Q{quarter} {provider.code}")
    if reached is None:
        return "retry"
    services.quarter_matrix_sent(provider=provider, quarter=f"{year}-Q{quarter}", by=by, to=to, reached=reached)
    return "sent" if reached else "failed"
