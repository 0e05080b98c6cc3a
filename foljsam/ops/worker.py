"""`foljsam worker`: runs the queued tasks (django-tasks' database backend) and the schedule.

One worker per installation (it holds $FOLJSAM_DATA_DIR/worker.lock; the kernel releases the lock
when the process dies, even by kill -9). Because there is only one, a task still marked running
when a worker starts was left by a worker that died: `recover()` marks it failed and lets its app
close what it was doing (`RECOVER`: an import run is marked failed with the reason, and its
uploaded files – clear personal ids – are deleted). Then the schedule thread starts
(`schedule.py`) and the worker loop takes tasks one at a time.
"""

import fcntl
import logging
import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import schedule

log = logging.getLogger("foljsam.worker")

# task path -> function(**task kwargs) called for a task that was running when its worker died
RECOVER = {
    "foljsam.monthly.tasks.import_check": "foljsam.monthly.tasks.recover_import",
    "foljsam.monthly.tasks.import_execute": "foljsam.monthly.tasks.recover_import",
}
# called once at every start, after the tasks above (removes what a crash left on disk)
AT_START = ["foljsam.monthly.services.uploads_remove_orphans", "foljsam.monthly.services.spill_remove_orphans"]


class WorkerDied(Exception):
    """Recorded on a task whose worker process died while running it."""


class AlreadyRunning(Exception):
    pass


def lock() -> object:
    """Hold the one-worker lock for the life of the process; AlreadyRunning if another worker has it."""
    path = Path(settings.DATA_DIR) / "worker.lock"
    fh = open(path, "a+")  # noqa: SIM115 – kept open: the lock lives as long as the process
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise AlreadyRunning(str(path)) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{socket.gethostname()} {os.getpid()}\n")
    fh.flush()
    return fh


def recover() -> int:
    """Close what a dead worker left running; returns how many tasks it closed."""
    from django_tasks_db.models import DBTaskResult

    count = 0
    for result in DBTaskResult.objects.running():
        with transaction.atomic():
            result.set_failed(WorkerDied(f"worker {', '.join(result.worker_ids)} died while running the task"))
        hook = RECOVER.get(result.task_path)
        if hook:
            try:
                import_string(hook)(**result.args_kwargs.get("kwargs", {}))
            except Exception:  # noqa: BLE001 – one broken record must not keep the worker from starting
                log.exception("recovering task %s failed", result.pk)
        count += 1
    for path in AT_START:
        import_string(path)()
    if count:
        log.warning("closed %s task(s) left running by a worker that died", count)
    return count


class Scheduler(threading.Thread):
    """Enqueues due jobs of schedule.SCHEDULE every `tick` seconds."""

    def __init__(self, tick: float = 30.0):
        super().__init__(name="foljsam-schedule", daemon=True)
        self.tick, self.stopped = tick, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                started = schedule.enqueue_due(timezone.now())
                if started:
                    log.info("scheduled: %s", ", ".join(started))
            except Exception:  # noqa: BLE001 – a database hiccup must not end the schedule
                log.exception("schedule tick failed")
            finally:
                close_old_connections()
            self.stopped.wait(self.tick)
