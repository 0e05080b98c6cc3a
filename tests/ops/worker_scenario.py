"""Steps of tests/ops/test_worker.py, each run as its own process against one SQLite file (the worker
is a separate process there too): `python tests/ops/worker_scenario.py STEP [ARG]`."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foljsam.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from foljsam.accounts.models import Role, User  # noqa: E402
from foljsam.monthly import services  # noqa: E402
from foljsam.monthly.models import ImportRun  # noqa: E402
from foljsam.registry.models import Ownership, Provider  # noqa: E402

PASSWORD = "correct-horse-battery"


def setup():
    for code in ("P-A", "P-B"):
        Provider.objects.create(code=code, name=f"Utförare {code}", ownership=Ownership.PRIVATE)
    User.objects.create_user(username="officer", password=PASSWORD, role=Role.OFFICER)


def upload(source: str):
    """What the web upload does: the file into the upload directory, step one, the month confirmed,
    step two queued for the worker."""
    officer = User.objects.get(username="officer")
    path = services.upload_dir() / f"upload-visits-{time.time_ns()}.csv"
    path.write_bytes(Path(source).read_bytes())
    run = services.import_run_start(files={"visits": "visits.csv"}, by=officer)
    run = services.import_run_check(run=run, paths={"visits": path})
    paths = services.import_run_confirm(run=run, period=run.period, by=officer)
    services.import_run_enqueue(run=run, paths=paths)
    print(json.dumps({"run": run.pk, "uploads": [str(p) for p in paths.values()]}))


def status(pk: str):
    run = ImportRun.objects.get(pk=int(pk))
    print(json.dumps({"status": run.status, "message": run.message, "phase": run.phase}))


def login():
    setup_test_environment()
    response = Client().post("/konto/logga-in/", {"username": "officer", "password": PASSWORD})
    print(json.dumps({"status": response.status_code}))


def stuck_worker(marker: str):
    """The real worker, with the figures step of an import made to hang after the rows are stored."""
    def hang(**kwargs):
        Path(marker).write_text("computing")
        time.sleep(600)

    services.snapshots_refresh = hang
    call_command("worker", "--no-schedule", "--interval", "0.2")


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    {"setup": setup, "upload": upload, "status": status, "login": login, "stuck_worker": stuck_worker}[step](*args)
