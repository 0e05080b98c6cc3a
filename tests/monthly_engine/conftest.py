from __future__ import annotations

from pathlib import Path

import pytest

from foljsam.monthly.engine.importer import import_file
from foljsam.monthly.engine.kpis import compute_kpis

KEY = b"test-key-0123456789-abcdef"
PROVIDERS = {"P1", "P2", "P3"}
VISITS_HEADER = "visit_id,provider_id,client_id,staff_id,check_in,check_out,method,services\n"
GRANTS_HEADER = "client_id,provider_id,service_code,minutes_per_month,valid_from,valid_to\n"
REPORTS_HEADER = "report_id,provider_id,client_id,kind,event_date,reported_at\n"


class Loader:
    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.data = tmp_path / "monthly"
        self.n = 0

    def write(self, text: str, name: str | None = None, encoding: str = "utf-8") -> Path:
        self.n += 1
        path = self.tmp / (name or f"f{self.n}.csv")
        path.write_bytes(text.encode(encoding))
        return path

    def load(self, visits: str = "", grants: str = "", reports: str = ""):
        if visits:
            import_file(self.write(VISITS_HEADER + visits), "visits", self.data, KEY, PROVIDERS)
        if grants:
            import_file(self.write(GRANTS_HEADER + grants), "grants", self.data, KEY, PROVIDERS)
        if reports:
            import_file(self.write(REPORTS_HEADER + reports), "additional_reports", self.data, KEY, PROVIDERS)
        return self

    def kpis(self, period: str = "2026-03", provider: str = "P1") -> dict:
        rows = {r["provider_id"]: r for r in compute_kpis(self.data, period)}
        return rows[provider]


@pytest.fixture
def loader(tmp_path) -> Loader:
    return Loader(tmp_path)


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run (its start-up costs ~10-30 s): 2 threads, no UI,
    few shuffle partitions."""
    pytest.importorskip("pyspark")
    import os

    from foljsam.monthly.engine.spark import session

    os.environ.setdefault("FOLJSAM_SPARK_MASTER", "local[2]")
    os.environ.setdefault("FOLJSAM_SPARK_SHUFFLE_PARTITIONS", "2")
    os.environ.setdefault("FOLJSAM_SPARK_DRIVER_MEMORY", "1g")
    s = session()
    yield s
    s.stop()
