"""Recurring work, declared in one place and run by `foljsam worker`.

Each job is a task (dotted path) and its interval. The worker enqueues a job when it is due and no
run of it is already waiting or running; the time of each job's last enqueue is kept in
$FOLJSAM_DATA_DIR/worker-schedule.json, so a restart neither skips nor repeats a daily job. Every job
is idempotent (a second run finds nothing new to do).
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks Task
    every: timedelta
    what: str


SCHEDULE = [
    Job("monthly-pickup", "foljsam.monthly.tasks.inbox_pickup", timedelta(minutes=5),
        "import what the export system dropped in $FOLJSAM_DATA_DIR/monthly/inbox (`foljsam monthly pickup`)"),
    Job("monthly-stale", "foljsam.monthly.tasks.imports_close_stale", timedelta(minutes=15),
        "cancel uploads left waiting for their month for two hours and delete their files"),
    Job("reminders", "foljsam.followups.tasks.reminders", timedelta(hours=24),
        "remind units of the contract follow-up before and after the deadline (`foljsam followups remind`)"),
    Job("retention", "foljsam.ops.tasks.retention", timedelta(hours=24),
        "gallring: remove rows, reports and access-log entries past their years (`foljsam retention`)"),
]


def _state_path() -> Path:
    return Path(settings.DATA_DIR) / "worker-schedule.json"


def _load() -> dict[str, datetime]:
    try:
        return {k: datetime.fromisoformat(v) for k, v in json.loads(_state_path().read_text()).items()}
    except (OSError, ValueError):
        return {}


def _save(state: dict[str, datetime]) -> None:
    tmp = _state_path().with_suffix(".tmp")
    tmp.write_text(json.dumps({k: v.isoformat() for k, v in state.items()}))
    tmp.replace(_state_path())


def enqueue_due(now: datetime | None = None, schedule: list[Job] | None = None) -> list[str]:
    """Enqueue every job that is due and not already queued or running; returns their names."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    state = _load()
    started = []
    for job in SCHEDULE if schedule is None else schedule:
        last = state.get(job.name)
        if last is not None and now - last < job.every:
            continue
        pending = DBTaskResult.objects.filter(task_path=job.task, status__in=["READY", "RUNNING"]).exists()
        if not pending:
            import_string(job.task).enqueue()
            started.append(job.name)
        state[job.name] = now
    _save(state)
    return started
