"""Gallring: remove row-level monthly data, import reports and access-log entries older than the
configured number of years. Whole months are kept or removed: the boundary is the first day of the
month `years` before today, so a month is never cut in half. The run itself goes into the audit log.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .log import Action, log_event
from .models import AccessEntry

# The date column that dates each stored row; a grant is dated by the day it ended (open grants stay).
ROW_DATES = {"visits": "CAST(check_in AS DATE)", "additional_reports": "event_date", "grants": "valid_to"}


@dataclass
class RetentionResult:
    cutoffs: dict[str, date | None] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    import_runs: int = 0
    report_files: int = 0
    access_entries: int = 0
    login_attempts: int = 0

    def describe(self) -> str:
        parts = [f"{kind}: {n} rader före {self.cutoffs['rows']}" for kind, n in self.rows.items()]
        if self.cutoffs.get("imports"):
            parts.append(f"importrapporter: {self.import_runs} importer och {self.report_files} filer "
                         f"före {self.cutoffs['imports']}")
        if self.cutoffs.get("access"):
            parts.append(f"åtkomstloggen: {self.access_entries} poster och {self.login_attempts} inloggningsförsök "
                         f"före {self.cutoffs['access']}")
        return "; ".join(parts) or "inget att gallra (gallring avstängd)"


def cutoff(today: date, years: int) -> date | None:
    """First kept day: the first of the month `years` years before `today`; None when years is 0 (keep all)."""
    if years <= 0:
        return None
    return date(today.year - years, today.month, 1)


def _monthly_dir() -> Path:
    return Path(settings.DATA_DIR) / "monthly"


def _prune_rows(data_dir: Path, kind: str, before: date, tx) -> int:
    """Stage one stored kind without its rows dated before `before`: only the partitions holding such
    rows are rewritten (committed with the other kinds in one step, like an import)."""
    from foljsam.monthly.engine import storage

    if not storage.has_data(data_dir, kind):
        return 0
    with storage.session(threads=1) as con:
        source = storage.table_sql(data_dir, kind, with_period=True)
        old = f"{ROW_DATES[kind]} < DATE {storage.sql_literal(before.isoformat())}"
        found = con.execute(f"SELECT period, count(*) FROM {source} WHERE {old} GROUP BY 1").fetchall()
        if found:
            periods = sorted(p for p, _n in found)
            kept = storage.table_sql(data_dir, kind, periods=periods, with_period=True)
            tx.write(con, kind, f"SELECT {', '.join(storage.columns(kind))}, period FROM {kept} "
                     f"WHERE NOT ({old}) OR {ROW_DATES[kind]} IS NULL", rewrite=set(periods), periods=periods)
        return sum(n for _p, n in found)


def _prune_report_files(data_dir: Path, before: date, runs: list[int]) -> int:
    """The engine's JSON reports, named by their import time (YYYYMMDDTHHMMSS-…), and the rejected-row
    files of the removed runs (run-<id>-…)."""
    folder = data_dir / "import_reports"
    removed = 0
    prefixes = tuple(f"run-{pk}-" for pk in runs)
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        stamp = path.name[:8]
        old_report = path.suffix == ".json" and stamp.isdigit() and stamp < before.strftime("%Y%m%d")
        if old_report or (prefixes and path.name.startswith(prefixes)):
            path.unlink()
            removed += 1
    return removed


def retention_run(*, today: date | None = None) -> RetentionResult:
    # The monthly app is imported here, not at module level: the audit app is part of the foundation.
    from foljsam.accounts.models import LoginAttempt, LoginThrottle
    from foljsam.monthly.engine import storage
    from foljsam.monthly.models import ImportRun

    today = today or timezone.localdate()
    result = RetentionResult()
    rows_before = cutoff(today, settings.RETENTION_YEARS_ROWS)
    imports_before = cutoff(today, settings.RETENTION_YEARS_IMPORT_REPORTS)
    access_before = cutoff(today, settings.RETENTION_YEARS_ACCESS_LOG)
    result.cutoffs = {"rows": rows_before, "imports": imports_before, "access": access_before}
    data_dir = _monthly_dir()
    if rows_before and data_dir.exists():
        with storage.transaction(data_dir) as tx:  # no import writes meanwhile; all kinds or none
            for kind in ROW_DATES:
                result.rows[kind] = _prune_rows(data_dir, kind, rows_before, tx)
    with transaction.atomic():
        old_runs = []
        if imports_before:
            old_runs = list(ImportRun.objects.filter(started_at__date__lt=imports_before).values_list("pk", flat=True))
            result.import_runs, _ = ImportRun.objects.filter(pk__in=old_runs).delete()
        if access_before:
            result.access_entries, _ = AccessEntry.objects.filter(at__date__lt=access_before).delete()
            # Login attempts name an account and an address: kept like the access log.
            result.login_attempts, _ = LoginAttempt.objects.filter(at__date__lt=access_before).delete()
        # Lock-out counters whose window ended more than a day ago hold nothing anybody needs.
        LoginThrottle.objects.filter(reset_at__lt=timezone.now() - timedelta(days=1)).delete()
        log_event(user=None, action=Action.RETENTION, detail=result.describe())
    if imports_before and data_dir.exists():
        result.report_files = _prune_report_files(data_dir, imports_before, old_runs)
    return result
