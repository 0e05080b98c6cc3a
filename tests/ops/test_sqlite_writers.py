"""SQLite (the embedded default) shared by the web, the worker and commands: a transaction that reads and
then writes must wait for another process's write instead of failing at once with "database is locked"
(settings: transaction_mode IMMEDIATE). The scenario runs in a subprocess on a file database, as
configured and with SQLite's default (DEFERRED) to show that it is the setting that makes it pass."""

from __future__ import annotations

import os
import subprocess
import sys

SCENARIO = r"""
import sqlite3, sys, threading, time
import django
django.setup()
from django.db import connection, transaction
if sys.argv[1] != "configured":
    connection.settings_dict["OPTIONS"]["transaction_mode"] = sys.argv[1]
with connection.cursor() as c:
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
    c.execute("INSERT INTO t VALUES (1, 0)")
ready = threading.Event()

def other_process():  # another connection holds a write transaction for a second
    db = sqlite3.connect(connection.settings_dict["NAME"], timeout=20, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE t SET v = v + 1")
    ready.set()
    time.sleep(1)
    db.execute("COMMIT")

writer = threading.Thread(target=other_process)
writer.start()
ready.wait()
try:
    with transaction.atomic(), connection.cursor() as c:  # read, then write: like a confirm step
        c.execute("SELECT v FROM t")
        c.execute("UPDATE t SET v = v + 10")
    print("saved")
except Exception as exc:
    print(type(exc).__name__, exc)
writer.join()
"""


def _run(tmp_path, mode: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "foljsam.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path}/{mode}.sqlite3", "FOLJSAM_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCENARIO, mode], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_read_then_write_transaction_waits_for_another_writer(tmp_path):
    assert _run(tmp_path, "configured") == "saved"
    assert _run(tmp_path, "DEFERRED") == "OperationalError database is locked"  # what it was before
