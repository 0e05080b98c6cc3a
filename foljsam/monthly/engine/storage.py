"""Storage layout and DuckDB connections for the monthly engine (no Django here).

Layout under the data directory the caller passes (normally FOLJSAM_DATA_DIR/monthly):

    visits.parquet              all imported visit rows (pseudonymised), key (provider_id, visit_id)
    grants.parquet              granted services, key (provider_id, client, service_code, valid_from)
    additional_reports.parquet  tilläggsrapporter, key (provider_id, report_id)
    import_reports/*.json       one JSON import report per imported file
    .lock                       serialises imports (flock)

One file per kind is rewritten on every import (temp file + os.replace), so a reader always sees
either the old or the new complete file.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb

SCHEMAS: dict[str, str] = {
    "visits": (
        "provider_id VARCHAR, visit_id VARCHAR, client VARCHAR, staff VARCHAR, check_in TIMESTAMP, "
        "check_out TIMESTAMP, method VARCHAR, services VARCHAR"
    ),
    "grants": (
        "provider_id VARCHAR, client VARCHAR, service_code VARCHAR, minutes_per_month DOUBLE, "
        "valid_from DATE, valid_to DATE"
    ),
    "additional_reports": (
        "provider_id VARCHAR, report_id VARCHAR, client VARCHAR, kind VARCHAR, event_date DATE, "
        "reported_at TIMESTAMP"
    ),
}

KEYS: dict[str, tuple[str, ...]] = {
    "visits": ("provider_id", "visit_id"),
    "grants": ("provider_id", "client", "service_code", "valid_from"),
    "additional_reports": ("provider_id", "report_id"),
}


def parquet_path(data_dir: str | os.PathLike, kind: str) -> Path:
    return Path(data_dir) / f"{kind}.parquet"


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded memory.

    Spill files go to the system temp dir, never the data directory: during import they may hold
    clear ids, and the data directory must not.
    """
    spill = Path(tempfile.gettempdir()) / "foljsam-duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    config = {
        "threads": threads or int(os.environ.get("FOLJSAM_DUCKDB_THREADS", os.cpu_count() or 2)),
        "memory_limit": memory_limit or os.environ.get("FOLJSAM_DUCKDB_MEMORY_LIMIT", "1GB"),
        "temp_directory": str(spill),
    }
    return duckdb.connect(":memory:", config=config)


def table_sql(data_dir: str | os.PathLike, kind: str) -> str:
    """A FROM-clause source for a stored kind; an empty typed relation when nothing is imported yet."""
    path = parquet_path(data_dir, kind)
    if path.exists():
        return f"read_parquet('{_sql_str(str(path))}')"
    cols = ", ".join(f"NULL::{c.split()[1]} AS {c.split()[0]}" for c in SCHEMAS[kind].split(", "))
    return f"(SELECT {cols} WHERE false)"


@contextmanager
def locked(data_dir: str | os.PathLike):
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(data_dir) / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sql_str(value: str) -> str:
    return value.replace("'", "''")


def sql_literal(value: str) -> str:
    return "'" + _sql_str(value) + "'"
