"""Issue 12 items 1–3: the task worker, its schedule, and what happens when it dies."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from foljsam.monthly import services
from foljsam.monthly.models import ImportRun, KpiSnapshot
from foljsam.ops import schedule, worker

from ..conftest import PASSWORD
from ..monthly.test_monthly_app import VISITS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCENARIO = Path(__file__).with_name("worker_scenario.py")


# --- the real worker process, killed mid-import -------------------------------------------------

class Install:
    """A fresh installation in tmp_path (SQLite file, data and temp directories), driven by processes."""

    def __init__(self, tmp_path):
        (tmp_path / "tmp").mkdir()
        self.env = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path}/foljsam.sqlite3",
                    "FOLJSAM_DATA_DIR": str(tmp_path / "data"), "TMPDIR": str(tmp_path / "tmp"),
                    "FOLJSAM_PSEUDONYM_KEY": "a-test-key-of-some-length", "PYTHONUNBUFFERED": "1"}
        self.uploads = tmp_path / "tmp" / "foljsam-uploads"

    def step(self, *args):
        done = subprocess.run([sys.executable, str(SCENARIO), *args], env=self.env, capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None

    def start(self, *args, log):
        return subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def wait_started(self, log, count=1):
        for _ in range(600):
            if log.read_text().count("Worker startad (pid") >= count:
                return
            time.sleep(0.2)
        raise AssertionError(log.read_text()[-3000:])

    def wait_for(self, pk, condition, seconds=120):
        deadline = time.monotonic() + seconds
        while True:
            state = self.step("status", str(pk))
            if condition(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"run {pk} stayed {state}")
            time.sleep(0.2)


@pytest.mark.django_db(transaction=False)
def test_a_worker_killed_mid_import_fails_the_run_at_the_next_start_and_a_retry_succeeds(tmp_path):
    """The "Done when" of issue 12: the worker is killed with SIGKILL while an import computes its
    figures; logins keep working; the next worker start marks the run failed with its reason and
    deletes its uploads (clear personal ids); the same upload again succeeds."""
    app = Install(tmp_path)
    migrate = subprocess.run([str(BIN / "foljsam"), "migrate", "--noinput"], env=app.env, capture_output=True,
                             text=True, cwd=ROOT)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    app.step("setup")
    source = tmp_path / "visits.csv"
    source.write_text(VISITS, encoding="utf-8")
    marker = tmp_path / "computing"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 – closed at the end
    stuck = app.start(sys.executable, str(SCENARIO), "stuck_worker", str(marker), log=log)
    try:
        app.wait_started(tmp_path / "worker.log")
        first = app.step("upload", str(source))
        for _ in range(450):
            if marker.exists():
                break
            time.sleep(0.2)
        assert marker.exists(), (tmp_path / "worker.log").read_text()[-3000:]
        assert all(Path(p).exists() for p in first["uploads"])
        assert app.step("status", str(first["run"]))["status"] == "running"
        assert app.step("login") == {"status": 302}  # while the import holds its place mid-way
        stuck.send_signal(signal.SIGKILL)
        stuck.wait(10)
        assert app.step("status", str(first["run"]))["status"] == "running"  # nobody has noticed yet
        assert app.step("login") == {"status": 302}
        # what `make serve` runs: the server with the worker beside it, restarted when it dies
        serve = app.start(sys.executable, "-m", "foljsam.ops.withworker", "--", sys.executable, "-c",
                          "import time; time.sleep(600)", log=log)
        try:
            app.wait_started(tmp_path / "worker.log", count=2)
            failed = app.wait_for(first["run"], lambda s: s["status"] != "running")
            assert failed["status"] == "failed" and "bakgrundsprocessen" in failed["message"]
            assert not any(Path(p).exists() for p in first["uploads"])
            assert [p for p in app.uploads.iterdir() if p.name in {Path(u).name for u in first["uploads"]}] == []
            second = app.step("upload", str(source))
            done = app.wait_for(second["run"], lambda s: s["status"] != "running")
            assert done["status"] == "done", done
            assert not any(Path(p).exists() for p in second["uploads"])
            assert app.step("login") == {"status": 302}
            # kill -9 the worker again: the runner starts a new one, the server is untouched
            pid = int(re.findall(r"bredvid servern \(pid (\d+)\)", (tmp_path / "worker.log").read_text())[-1])
            os.kill(pid, signal.SIGKILL)
            app.wait_started(tmp_path / "worker.log", count=3)
            assert serve.poll() is None
        finally:
            serve.send_signal(signal.SIGTERM)
            assert serve.wait(40) in (0, 143, -15)
        last = int(re.findall(r"bredvid servern \(pid (\d+)\)", (tmp_path / "worker.log").read_text())[-1])
        with pytest.raises(ProcessLookupError):  # the worker stopped with the server
            for _ in range(50):
                os.kill(last, 0)
                time.sleep(0.2)
        # Ctrl-C in `make run`'s terminal: SIGINT to the whole foreground group stops server and worker
        run = subprocess.Popen([sys.executable, "-m", "foljsam.ops.withworker", "--", sys.executable, "-c",
                                "import time; time.sleep(600)"], env=app.env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
        app.wait_started(tmp_path / "worker.log", count=4)
        os.killpg(run.pid, signal.SIGINT)
        run.wait(40)
        last = int(re.findall(r"bredvid servern \(pid (\d+)\)", (tmp_path / "worker.log").read_text())[-1])
        with pytest.raises(ProcessLookupError):
            for _ in range(50):
                os.kill(last, 0)
                time.sleep(0.2)
    finally:
        if stuck.poll() is None:
            stuck.kill()
        log.close()


# --- recovery, the lock, the schedule (in process) ----------------------------------------------

def _stored_upload(text=VISITS):
    path = services.upload_dir() / f"upload-visits-{time.time_ns()}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_recover_fails_what_a_dead_worker_was_running_and_removes_the_uploads(world, settings):
    from foljsam.monthly import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload = _stored_upload()
    run = services.import_run_start(files={"visits": "visits.csv"}, by=world.officer)
    run = services.import_run_check(run=run, paths={"visits": upload})
    services.import_run_confirm(run=run, period="2026-03", by=world.officer)
    tasks.import_execute.enqueue(run_id=run.pk, paths={"visits": str(upload)})
    waiting = _stored_upload()  # another upload, still queued for its check: kept
    queued_run = services.import_run_start(files={"visits": "w.csv"}, by=world.officer)
    tasks.import_check.enqueue(run_id=queued_run.pk, paths={"visits": str(waiting)})
    orphan = _stored_upload()  # written by a view that crashed before it queued anything
    old = time.time() - services.ORPHAN_AGE.total_seconds() - 60
    os.utime(orphan, (old, old))
    fresh = _stored_upload()  # a view writing it right now
    DBTaskResult.objects.filter(task_path="foljsam.monthly.tasks.import_execute").update(
        status="RUNNING", worker_ids=["host:1234"])
    assert worker.recover() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.uploads == {} and run.finished_at
    assert "bakgrundsprocessen" in run.message
    assert not upload.exists() and not orphan.exists() and waiting.exists() and fresh.exists()
    died = DBTaskResult.objects.get(task_path="foljsam.monthly.tasks.import_execute")
    assert died.status == "FAILED" and died.exception_class_path.endswith("WorkerDied")
    assert DBTaskResult.objects.get(task_path="foljsam.monthly.tasks.import_check").status == "READY"
    assert worker.recover() == 0  # nothing left to close


def test_recover_removes_the_engines_temporary_files_unless_an_import_runs(world, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    work = tmp_path / "foljsam-import-abc"
    work.mkdir()
    (work / "sheet.csv").write_text("19400101-1234\n")  # an XLSX converted to CSV: clear ids
    (tmp_path / "foljsam-duckdb-spill").mkdir()
    spill = tmp_path / "foljsam-duckdb-spill" / "duckdb_temp_storage-0.tmp"
    spill.write_bytes(b"x")
    run = services.import_run_start(files={"visits": "v.csv"}, source="command")
    with services.import_lock(run=run):  # an import (a command) is running: its files stay
        worker.recover()
        assert work.exists() and spill.exists()
    worker.recover()
    assert not work.exists() and not spill.exists()


def test_only_one_worker_runs_and_the_lock_is_freed_with_the_process(settings):
    held = worker.lock()
    with pytest.raises(worker.AlreadyRunning):
        worker.lock()
    held.close()  # as the kernel does when the process dies
    worker.lock().close()


def test_the_schedule_is_declared_in_one_place_and_enqueued_once_per_interval(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    names = {job.name: job for job in schedule.SCHEDULE}
    assert {"monthly-pickup", "reminders", "retention"} <= set(names)
    from django.utils import timezone

    now = timezone.now()
    assert set(schedule.enqueue_due(now)) == set(names)
    assert schedule.enqueue_due(now + names["monthly-pickup"].every / 2) == []  # not due yet
    # due again, but the first run is still waiting in the queue: not queued twice
    assert schedule.enqueue_due(now + names["monthly-pickup"].every) == []
    DBTaskResult.objects.update(status="SUCCESSFUL")
    later = now + names["monthly-pickup"].every * 2
    assert "monthly-pickup" in schedule.enqueue_due(later) and "retention" not in schedule.enqueue_due(later)
    assert DBTaskResult.objects.filter(task_path="foljsam.monthly.tasks.inbox_pickup", status="READY").count() == 1


@pytest.mark.django_db(transaction=True)  # the worker loop closes connections between tasks
def test_the_worker_command_runs_queued_tasks_in_batch(world, settings, tmp_path):
    """`foljsam worker --batch` in process: a queued pickup imports the inbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from foljsam.monthly import tasks

    inbox = services.inbox_dir()
    (inbox / "visits-2026-03.csv").write_text(VISITS, encoding="utf-8")
    tasks.inbox_pickup.enqueue()
    call_command("worker", "--batch", "--interval", "0")
    assert ImportRun.objects.get().status == ImportRun.Status.DONE
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert not (inbox / "visits-2026-03.csv").exists()


# --- never block the rest -------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_login_succeeds_while_the_figures_are_computed(world, client, monkeypatch, tmp_path):
    """Item 2: the key figures are computed outside any transaction; on SQLite a refresh that held the
    write lock while computing made logins answer 500 "database is locked"."""
    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    run = services.import_run_start(files={"visits": "visits.csv"}, source="test")
    assert services.import_run_execute(run=run, paths={"visits": path}).status == ImportRun.Status.DONE
    computing, release = threading.Event(), threading.Event()
    real = services.compute_kpis

    def slow(*args, **kwargs):
        computing.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "compute_kpis", slow)
    errors = []

    def refresh():
        try:
            services.snapshots_refresh()
        except Exception as exc:  # noqa: BLE001 – reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=refresh)
    thread.start()
    try:
        assert computing.wait(30)
        response = client.post("/konto/logga-in/", {"username": "officer", "password": PASSWORD})
    finally:
        release.set()
        thread.join(30)
    assert response.status_code == 302 and not errors
    assert KpiSnapshot.objects.filter(period="2026-03").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_second_import_waits_in_the_queue_and_says_so(world, tmp_path):
    """Item 2: two imports of the same month queue instead of failing; the second names the first."""
    first = services.import_run_start(files={"visits": "v.csv"}, source="command", period="2026-03")
    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    second = services.import_run_start(files={"visits": "visits.csv"}, source="command", period="2026-03")
    waited, result = [], {}
    with services.import_lock(run=first):
        def second_import():
            try:
                result["run"] = services.import_run_execute_queued(run=second, paths={"visits": path},
                                                                   on_wait=waited.append)
            finally:
                connection.close()

        thread = threading.Thread(target=second_import)
        thread.start()
        for _ in range(100):
            if waited:
                break
            time.sleep(0.05)
        assert waited == [str(services.QUEUED % {"period": "2026-03"})]
        second.refresh_from_db()
        assert second.phase == "en annan import av 2026-03 pågår, din står i kö"
        assert second.status == ImportRun.Status.RUNNING
    thread.join(30)
    assert result["run"].status == ImportRun.Status.DONE


def test_a_confirmed_upload_behind_another_import_is_shown_queued(world, settings, tmp_path, client,
                                                                 django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.import_run_start(files={"visits": "v.csv"}, source="command", period="2026-03")
    upload = _stored_upload()
    run = services.import_run_start(files={"visits": "visits.csv"}, by=world.officer)
    run = services.import_run_check(run=run, paths={"visits": upload})
    paths = services.import_run_confirm(run=run, period="2026-03", by=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_enqueue(run=run, paths=paths)
    run.refresh_from_db()
    assert run.phase == "en annan import av 2026-03 pågår, din står i kö"
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"run_id": run.pk, "paths": {"visits": str(upload)}}
    client.force_login(world.officer)
    assert "en annan import av 2026-03 pågår, din står i kö" in client.get(
        f"/manadsuppfoljning/import/{run.pk}/").content.decode()


def test_refresh_can_be_left_to_the_worker(world, tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    run = services.import_run_start(files={"visits": "visits.csv"}, source="test")
    services.import_run_execute(run=run, paths={"visits": path})
    KpiSnapshot.objects.all().delete()
    call_command("monthly", "refresh", "--queue")  # the tests' immediate backend runs it at once
    assert KpiSnapshot.objects.filter(period="2026-03").count() == 2


def test_the_daily_retention_job_prunes_finished_tasks(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from foljsam.ops import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    old = tasks.send_mail.enqueue(subject="s", body="b", to=["x@example.org"])
    recent = tasks.send_mail.enqueue(subject="s", body="b", to=["y@example.org"])
    DBTaskResult.objects.filter(pk=old.id).update(status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=31))
    DBTaskResult.objects.filter(pk=recent.id).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert "1 avslutade bakgrundsjobb rensade" in tasks.retention.call()
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [DBTaskResult.objects.get(pk=recent.id).pk]
