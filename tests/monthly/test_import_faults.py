"""Issue 12 item 8: a failed import names its cause (faults injected), never "oväntat (IOException)" or
"kontakta administratören" for something that can be acted on."""

import errno

import duckdb
import pytest

from foljsam.monthly import services
from foljsam.monthly.models import ImportRun

from .test_monthly_app import VISITS


def _run(tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    return services.import_run_start(files={"visits": "visits.csv"}, source="test"), {"visits": path}


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _assert_names_the_cause(run, cause):
    assert run.status == ImportRun.Status.FAILED
    assert cause in run.message
    assert "oväntat" not in run.message and "Kontakta" not in run.message and "IOException" not in run.message


def test_disk_full_while_storing_says_disk_full(world, tmp_path, monkeypatch):
    monkeypatch.setattr(services.importer, "import_file", _disk_full)
    run, paths = _run(tmp_path)
    run = services.import_run_execute(run=run, paths=paths)
    _assert_names_the_cause(run, "disken är full")
    assert "Inget halvfärdigt sparades" in run.message


def test_disk_full_in_duckdb_while_computing_the_figures_says_disk_full(world, tmp_path, monkeypatch):
    def spill_failed(*args, **kwargs):
        raise duckdb.IOException('IO Error: Could not write to file "/tmp/duckdb_temp_storage-0.tmp": '
                                 "No space left on device")

    monkeypatch.setattr(services, "compute_kpis", spill_failed)
    run, paths = _run(tmp_path)
    run = services.import_run_execute(run=run, paths=paths)
    _assert_names_the_cause(run, "disken är full")
    assert "kan köras om" in run.message


def test_disk_full_in_the_check_step_says_disk_full(world, tmp_path, monkeypatch):
    monkeypatch.setattr(services.importer, "import_file", _disk_full)
    run, paths = _run(tmp_path)
    run = services.import_run_check(run=run, paths=paths)
    _assert_names_the_cause(run, "disken är full")


@pytest.mark.parametrize("exc, cause", [
    (OSError(errno.ENOSPC, "No space left on device"), "disken är full"),
    (duckdb.IOException("IO Error: No space left on device"), "disken är full"),
])
def test_failure_cause(exc, cause):
    assert services.failure_cause(exc) == cause
    assert services.failure_cause(RuntimeError("boom")) is None  # the truly unexpected keeps its class name
    assert "RuntimeError" in services.failure_message(RuntimeError("boom"), stored=False)
