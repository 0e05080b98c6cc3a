"""Benchmark: how long `foljsam demo` takes to load the demo municipality into a fresh database.

    .venv/bin/python bench/demo.py            # a fresh SQLite file in a temporary FOLJSAM_DATA_DIR
    .venv/bin/python bench/demo.py --runs 3

Timing lives here, not in the test suite (tests/followups/test_demo.py keeps the functional checks):
on a machine busy with other work the load took 21.9 s and 60.7 s, so a time limit in a test fails
for no fault. Each run uses its own temporary data directory and SQLite database, migrated first
(migration time is printed separately and not counted in the demo load).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RUN = """
import time, django
django.setup()
from django.core.management import call_command
t = time.monotonic(); call_command("migrate", verbosity=0); migrate = time.monotonic() - t
t = time.monotonic(); call_command("demo", stdout=open("/dev/null", "w")); demo = time.monotonic() - t
print(f"{migrate:.2f} {demo:.2f}")
"""


def one_run() -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="foljsam-bench-demo-") as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # always a fresh SQLite file
        env.update(FOLJSAM_DATA_DIR=data, DJANGO_SETTINGS_MODULE="foljsam.settings",
                   EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        out = subprocess.run([sys.executable, "-c", _RUN], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
        return float(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    for i in range(args.runs):
        migrate, demo = one_run()
        print(f"RESULT run={i + 1} migrate={migrate:.2f}s demo_load={demo:.2f}s load_average={load:.1f}")


if __name__ == "__main__":
    main()
