"""Writes of the monthly follow-up: imports, key-figure snapshots, thresholds, deviations."""

import errno
import fcntl
import logging
import math
import os
import re
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from foljsam.accounts import policy
from foljsam.accounts.services import NOT_OFFICER
from foljsam.actions import services as actions
from foljsam.actions.models import Deviation, Severity, Source
from foljsam.audit.log import Action, log_event
from foljsam.lib.documents import safe_filename
from foljsam.registry.models import Provider

from .engine import importer, storage
from .engine.kpis import BY_KEY, compute_kpis
from .engine.refresh import months_to_refresh, next_period  # noqa: F401 – part of this module's API
from .models import ColumnMapping, FollowUpScope, ImportRun, KpiSnapshot, MatrixDispatch, QuarterSnapshot, Threshold

log = logging.getLogger(__name__)

KIND_ORDER = ("visits", "grants", "additional_reports")
NO_FILES = _lazy("Välj minst en fil att importera.")
UNKNOWN_MAPPING = _lazy("Okänd kolumnmappning: %(name)s")
THRESHOLD_ORDER_HIGHER = _lazy("För det här nyckeltalet ska den gula gränsen vara lägre än eller lika med den röda.")
THRESHOLD_ORDER_LOWER = _lazy("För det här nyckeltalet ska den gula gränsen vara högre än eller lika med den röda.")
NO_THRESHOLD = _lazy("Nyckeltalet har inga tröskelvärden.")
ALREADY_DEVIATION = _lazy("Det finns redan en öppen avvikelse för det här nyckeltalet och månaden.")
STALE_RUN = _lazy("Importen avbröts (servern startades om under importen). Inget halvfärdigt sparades; importera igen.")
WORKER_DIED = _lazy("Importen avbröts: bakgrundsprocessen som körde den stoppades (%(when)s). De uppladdade filerna "
                    "är raderade; importera filerna igen – importen kan köras om.")
QUEUED = _lazy("en annan import av %(period)s pågår, din står i kö")
QUEUED_WORKER = _lazy("i kö hos bakgrundsprocessen")
QUEUED_UNKNOWN = _lazy("en annan import pågår, din står i kö")
DISK_FULL = _lazy("disken är full")
DB_BUSY = _lazy("databasen var upptagen av en annan skrivning")
FAILED_CAUSE = _lazy("Importen avbröts: %(cause)s. Inget halvfärdigt sparades; importera igen när det är åtgärdat.")
FAILED_STORED_CAUSE = _lazy("Raderna i de godkända filerna är sparade, men nyckeltalen kunde inte räknas om: "
                            "%(cause)s. Importera filerna igen när det är åtgärdat (importen kan köras om).")
STALE_AWAITING = _lazy("Importen bekräftades inte och avbröts; de uppladdade filerna är raderade.")
STALE_AFTER = timedelta(hours=2)
PROGRESS_EVERY = 1.0  # seconds between progress writes to the database
PERIOD_RE = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
BAD_PERIOD = _lazy("Ogiltig månad ”%(p)s”: ange den som ÅÅÅÅ-MM.")
NOT_AWAITING = _lazy("Importen väntar inte längre på bekräftelse.")


def data_dir() -> Path:
    return Path(settings.DATA_DIR) / "monthly"


def pseudonym_key() -> bytes:
    return settings.PSEUDONYM_KEY.encode()


def _engine_mapping(name: str, kind: str) -> importer.ColumnMapping | None:
    if not name:
        return None
    preset = ColumnMapping.objects.filter(name=name, kind=kind).first()
    if preset is None:
        return None
    return importer.ColumnMapping(
        columns=preset.columns or {}, timestamp_format=preset.timestamp_format or None,
        date_format=preset.date_format or None, method_values=preset.method_values or {},
        sheet=preset.sheet or None,
    )


def quarter_of(period: str) -> str:
    return f"{period[:4]}-Q{(int(period[5:]) - 1) // 3 + 1}"


def quarter_figures(*, year: int, quarter: int) -> dict[int, dict]:
    """{provider pk: figures} of a quarter, computed by the engine over the rows of the quarter's
    imported months together (distinct clients and staff over the quarter, medians and continuity
    over its rows). Stored on first use; an import that recomputes one of the months drops them."""
    label = f"{year}-Q{quarter}"
    declared = set(declared_periods())
    periods = [p for p in (f"{year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)) if p in declared]
    stored = list(QuarterSnapshot.objects.filter(quarter=label))
    if stored and all(s.periods == periods for s in stored):
        return {s.provider_id: s.values for s in stored}
    if not periods:
        return {}
    with_rows = set(KpiSnapshot.objects.filter(period__in=periods).values_list("provider_id", flat=True))
    providers = {p.code: p for p in Provider.objects.filter(pk__in=with_rows)}
    out = {providers[v["provider_id"]].pk: _json_safe(v)
           for v in compute_kpis(data_dir(), periods, provider_ids=sorted(providers))}  # outside the transaction
    with transaction.atomic():
        QuarterSnapshot.objects.filter(quarter=label).delete()
        QuarterSnapshot.objects.bulk_create([QuarterSnapshot(provider_id=pk, quarter=label, periods=periods, values=v)
                                             for pk, v in out.items()])
    return out


def declared_periods() -> list[str]:
    """The months that have figures: those a finished import declared (its period)."""
    return sorted(set(ImportRun.objects.filter(status=ImportRun.Status.DONE).exclude(period="")
                      .values_list("period", flat=True)))


def dominant_period(months: dict[str, int]) -> str:
    """The month with most rows (a tie goes to the later month: a file is exported after its month)."""
    return max(months.items(), key=lambda kv: (kv[1], kv[0]))[0] if months else ""


def _check_period(period: str) -> str:
    period = (period or "").strip()
    if period and not PERIOD_RE.match(period):
        raise ValidationError(BAD_PERIOD, code="bad_period", params={"p": period})
    return period


def import_run_start(*, files: dict[str, str], by=None, mapping: str = "", source: str = "web",
                     period: str = "") -> ImportRun:
    """Record a new import (files: kind → original file name; period: the month it has figures for,
    empty = the file's dominant month)."""
    files = {k: v for k, v in files.items() if v}
    if not files:
        raise ValidationError(NO_FILES, code="no_files")
    if mapping and not ColumnMapping.objects.filter(name=mapping).exists():
        raise ValidationError(UNKNOWN_MAPPING, code="unknown_mapping", params={"name": mapping})
    return ImportRun.objects.create(by=by, files=files, mapping=mapping, source=source, period=_check_period(period))


def _months_of(reports: list[importer.FileImport]) -> dict[str, int]:
    """Rows per month of the visits file: only visits give a month its figures (grants and additional
    reports alone recompute the imported months they touch but declare none)."""
    return next((f.months for f in reports if f.kind == "visits"), {})


def _refused(run: ImportRun, exc: importer.FileRefused, reports: list) -> None:
    run.status, run.message = ImportRun.Status.REFUSED, str(exc)
    if isinstance(exc, importer.UnknownProviders):
        run.report = {"unknown_providers": exc.counts, "unknown_file": exc.file}


def import_run_check(*, run: ImportRun, paths: dict[str, Path]) -> ImportRun:
    """Step one of a web upload: read and check every file without storing anything, propose the
    file's dominant month as the run's period and wait for the officer to confirm or change it.
    A refused file (wrong columns, unknown provider ids) ends the run here, nothing stored."""
    known = set(Provider.objects.values_list("code", flat=True))
    kinds = [k for k in KIND_ORDER if k in paths]
    reports = []
    try:
        for kind in kinds:
            importer.check_file(paths[kind], kind, _engine_mapping(run.mapping, kind))
        for kind in kinds:
            ImportRun.objects.filter(pk=run.pk).update(phase=_("kontrollerar %(f)s") % {"f": run.files.get(kind)})
            reports.extend(importer.import_file(
                paths[kind], kind, data_dir(), pseudonym_key(), known_providers=known,
                mapping=_engine_mapping(run.mapping, kind), filename=run.files.get(kind), dry_run=True).files)
    except importer.FileRefused as exc:
        _refused(run, exc, reports)
        for path in paths.values():
            Path(path).unlink(missing_ok=True)
        run.uploads, run.finished_at = {}, timezone.now()
    except Exception as exc:  # noqa: BLE001 – recorded for the user, logged with the traceback
        log.exception("monthly import check %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.message = failure_message(exc, stored=False)
        for path in paths.values():
            Path(path).unlink(missing_ok=True)
        run.uploads, run.finished_at = {}, timezone.now()
    else:
        report = importer.ImportReport(files=reports)
        months = _months_of(reports)
        run.report = {**report.to_json(), "months": months, "checked": True}
        run.status, run.period = ImportRun.Status.AWAITING, run.period or dominant_period(months)
        run.uploads = {k: str(p) for k, p in paths.items()}
        run.accepted, run.rejected = report.accepted, report.rejected_total
    run.progress, run.phase = 0.0, ""
    run.save()
    return run


def import_run_confirm(*, run: ImportRun, period: str, by) -> dict[str, Path]:
    """The officer confirms (or changes) the month of a checked upload; returns the files to import."""
    policy.ensure(by, "monthly.import", message=NOT_OFFICER)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ImportRun.Status.AWAITING:
            raise ValidationError(NOT_AWAITING, code="not_awaiting")
        period = _check_period(period)
        if not period and run.files.get("visits"):
            raise ValidationError(BAD_PERIOD, code="bad_period", params={"p": ""})
        run.period, run.status, run.started_at = period, ImportRun.Status.RUNNING, timezone.now()
        paths = {k: Path(v) for k, v in run.uploads.items()}
        run.save()
    return paths


def import_run_cancel(*, run: ImportRun, by) -> ImportRun:
    policy.ensure(by, "monthly.import", message=NOT_OFFICER)
    if run.status != ImportRun.Status.AWAITING:
        raise ValidationError(NOT_AWAITING, code="not_awaiting")
    for path in run.uploads.values():
        Path(path).unlink(missing_ok=True)
    run.status, run.uploads, run.finished_at = ImportRun.Status.CANCELLED, {}, timezone.now()
    run.save()
    return run


def rejects_path(run: ImportRun, kind: str) -> Path:
    """Every rejected row of one file of a run (line, column, reason – never a value)."""
    return data_dir() / "import_reports" / f"run-{run.pk}-{kind}-avvisade.csv"


def import_run_execute(*, run: ImportRun, paths: dict[str, Path], on_progress=None) -> ImportRun:
    """Import the files of `run` (visits first), then recompute the key figures of the months it changes.

    Every file's header is checked before anything is read, and the files are stored in one store
    transaction (all of them or none), so a wrong file, an unknown provider id or a full disk leaves
    the store as it was. A row-level problem rejects only that row. A failed import can be re-run: the
    import is idempotent. The run's period (given, else the visits file's dominant month) is the one
    month that gets figures from it.
    """
    known = set(Provider.objects.values_list("code", flat=True))
    kinds = [k for k in KIND_ORDER if k in paths]
    mappings = {k: _engine_mapping(run.mapping, k) for k in kinds}
    reports = []

    last_write = [0.0]

    def progress_for(i):
        def progress(phase: str, fraction: float):
            done = (i + max(0.0, min(1.0, fraction))) / (len(kinds) + 1)
            text = f"{run.files.get(kinds[i], '')}: {phase}"
            if time.monotonic() - last_write[0] >= PROGRESS_EVERY:  # each write is a commit: not per step
                ImportRun.objects.filter(pk=run.pk).update(phase=text, progress=done)
                last_write[0] = time.monotonic()
            if on_progress:
                on_progress(text, done)
        return progress

    stored = False
    try:
        for kind in kinds:
            importer.check_file(paths[kind], kind, mappings[kind])
        with storage.transaction(data_dir()) as tx:  # all files or none (a full disk stores nothing)
            for i, kind in enumerate(kinds):
                report = importer.import_file(
                    paths[kind], kind, data_dir(), pseudonym_key(), known_providers=known,
                    mapping=mappings[kind], progress=progress_for(i), filename=run.files.get(kind),
                    rejects_csv=rejects_path(run, kind), tx=tx,
                )
                reports.extend(report.files)
        stored = True
        run.period = run.period or dominant_period(_months_of(reports))
        ImportRun.objects.filter(pk=run.pk).update(
            phase=_("beräknar nyckeltal"), progress=len(kinds) / (len(kinds) + 1), period=run.period)
        declared = set(declared_periods()) | ({run.period} if run.period else set())
        refreshed = months_to_refresh(period=run.period, reports=reports, declared=declared)
        snapshots_refresh(periods=refreshed, declared=declared)
        run.status = ImportRun.Status.DONE
    except importer.FileRefused as exc:
        _refused(run, exc, reports)
        reports = []
    except storage.StoreError as exc:  # nothing committed; the message names the cause (disk full)
        log.warning("monthly import %s not stored: %s", run.pk, exc)
        run.status, run.message, reports = ImportRun.Status.FAILED, str(exc), []
    except Exception as exc:  # noqa: BLE001 – recorded for the user, logged with the traceback
        log.exception("monthly import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.message = failure_message(exc, stored=stored)
    report = importer.ImportReport(files=reports)
    run.report = {**run.report, **report.to_json(), "months": _months_of(reports)} if reports else run.report
    if run.status == ImportRun.Status.DONE:
        from .selectors import followed_providers

        missing = followed_providers(period=run.period).exclude(kpi_snapshots__period=run.period) if run.period else []
        run.report["no_rows_for"] = [{"code": p.code, "name": p.name} for p in missing]
        run.report["refreshed"] = refreshed
    run.accepted, run.rejected = report.accepted, report.rejected_total
    run.finished_at = timezone.now()
    run.progress, run.phase, run.uploads = 1.0, "", {}
    log_event(user=run.by, action=Action.IMPORT, obj=run, detail=f"{run.get_status_display()}: {', '.join(run.files.values())}; {run.accepted} rader godkända, {run.rejected} avvisade")  # noqa: E501
    run.save()
    return run


FAILED_KEEP = timedelta(days=7)


def inbox_dir() -> Path:
    path = data_dir() / "inbox"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _keep_private(path: Path, folder: Path, name: str) -> Path:
    """Move an export (clear personal ids) to `folder`, readable by the service's user only; its time
    is set to now, from which its days kept are counted."""
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / name
    path.replace(target)
    target.chmod(0o600)
    os.utime(target)
    return target


def _purge_older(folder: Path, age: timedelta) -> int:
    if not folder.is_dir():
        return 0
    limit, removed = time.time() - age.total_seconds(), 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def inbox_pickup(*, on_progress=None, on_wait=None) -> ImportRun | None:
    """Import what the export system dropped in the inbox (`monthly pickup`, and the worker's schedule).

    Files are recognised by name: visits*, grants*, additional_reports* (.csv or .xlsx), checked
    against the upload limits before any work, and imported together. The export holds clear
    personal ids: after a successful import it is deleted, or – with FOLJSAM_PICKUP_KEEP_DAYS – kept
    that many days in inbox/done/ with mode 0600; a refused or failed one goes to inbox/failed/ (0600)
    for seven days, for someone to look at.
    """
    from foljsam.lib.uploads import UploadRefused, check_upload

    inbox = inbox_dir()
    keep_days = settings.FOLJSAM_PICKUP_KEEP_DAYS
    _purge_older(inbox / "done", timedelta(days=keep_days))
    _purge_older(inbox / "failed", FAILED_KEEP)
    paths = {}
    for path in sorted(inbox.iterdir()):
        if path.is_file() and path.suffix.lower() in (".csv", ".xlsx"):
            kind = next((k for k in KIND_ORDER if path.name.lower().startswith(k)), None)
            if kind and kind not in paths:
                paths[kind] = path
    if not paths:
        return None
    run = import_run_start(files={k: p.name for k, p in paths.items()}, source="pickup")
    try:
        for path in paths.values():
            check_upload(path, kind="monthly")
    except UploadRefused as exc:
        run.status, run.message, run.finished_at = ImportRun.Status.REFUSED, " ".join(exc.messages), timezone.now()
        run.report = {"limit": exc.code}
        run.save()
        log_event(user=None, action=Action.IMPORT, obj=run, detail=f"{run.get_status_display()}: {run.message}")
    else:
        run = import_run_execute_queued(run=run, paths=paths, on_progress=on_progress, on_wait=on_wait)
    for path in paths.values():
        if run.status != ImportRun.Status.DONE:
            _keep_private(path, inbox / "failed", f"{run.pk}-{path.name}")
        elif keep_days:
            _keep_private(path, inbox / "done", f"{run.pk}-{path.name}")
        else:
            path.unlink(missing_ok=True)
    return run


def upload_dir() -> Path:
    """Uploaded exports still hold clear ids: keep them out of the data directory, in the system's
    temporary directory, and delete them after the import."""
    path = Path(tempfile.gettempdir()) / "foljsam-uploads"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def failure_cause(exc: BaseException) -> str | None:
    """What the officer (or the operations staff) can act on, in words; None for the unexpected."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "No space left on device" in str(exc):
        return str(DISK_FULL)  # Python's OSError, or DuckDB's IOException wrapping the same errno
    if isinstance(exc, OperationalError) and "locked" in str(exc):
        return str(DB_BUSY)
    if isinstance(exc, ValidationError):  # a limit (lib/uploads.py) names itself
        return " ".join(exc.messages)
    return None


def failure_message(exc: BaseException, *, stored: bool) -> str:
    cause = failure_cause(exc)
    if cause is None and not stored:
        return _("Importen misslyckades oväntat (%(err)s). Inget halvfärdigt sparades; försök igen.") % {
            "err": exc.__class__.__name__}
    if cause is None:
        return _("Raderna i de godkända filerna är sparade, men nyckeltalen kunde inte räknas om (%(err)s). "
                 "Kontakta administratören.") % {"err": exc.__class__.__name__}
    return str(FAILED_STORED_CAUSE if stored else FAILED_CAUSE) % {"cause": cause}


def _import_in_progress(*, exclude: ImportRun | None = None) -> ImportRun | None:
    """Another run importing now (step two of a web upload, or a command), if any."""
    running = ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exclude(pk=getattr(exclude, "pk", None))
    return next((r for r in running.order_by("started_at") if r.source != "web" or r.report.get("checked")), None)


def queued_message(other: ImportRun | None) -> str:
    return str(QUEUED % {"period": other.period}) if other and other.period else str(QUEUED_UNKNOWN)


def _import_lock_path() -> Path:
    """The file whose lock an import holds (import_lock) and the worker's start tests (spill_remove_orphans)."""
    path = data_dir() / "import.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def import_lock(*, run: ImportRun, on_wait=None):
    """One import at a time (they write the same Parquet files and recompute shared months): a second
    one waits here – its page says "en annan import av 2026-03 pågår, din står i kö" – instead of
    failing. A file lock, so the kernel frees it when the holder dies, even by kill -9."""
    with open(_import_lock_path(), "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = queued_message(_import_in_progress(exclude=run))
            ImportRun.objects.filter(pk=run.pk).update(phase=message[:100])
            if on_wait:
                on_wait(message)
            while True:  # poll rather than block, so a waiting worker still answers SIGTERM
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def import_run_execute_queued(*, run: ImportRun, paths: dict[str, Path], on_progress=None,
                              on_wait=None) -> ImportRun:
    """import_run_execute after any other import has finished (the worker's task and the commands)."""
    with import_lock(run=run, on_wait=on_wait):
        run.refresh_from_db()
        if run.status != ImportRun.Status.RUNNING:  # closed meanwhile (e.g. recovered after a crash)
            return run
        return import_run_execute(run=run, paths=paths, on_progress=on_progress)


def import_run_enqueue(*, run: ImportRun, paths: dict[str, Path], check_only: bool = False) -> None:
    """Hand step one (check) or step two (import) of a web upload to the task worker, after the commit.
    A second import while one is running says it is queued (the worker runs them one at a time)."""
    from . import tasks

    other = None if check_only else _import_in_progress(exclude=run)
    ImportRun.objects.filter(pk=run.pk).update(phase=(queued_message(other) if other else str(QUEUED_WORKER))[:100])
    task = tasks.import_check if check_only else tasks.import_execute
    kwargs = {"run_id": run.pk, "paths": {k: str(v) for k, v in paths.items()}}
    transaction.on_commit(lambda: task.enqueue(**kwargs), robust=False)


def import_run_worker_died(*, run_id: int, paths: dict[str, str]) -> ImportRun | None:
    """The worker that ran this run's check or import died (kill -9, out of memory, power): the run
    fails with that reason at once, and its uploads – clear personal ids – are deleted."""
    run = ImportRun.objects.filter(pk=run_id).first()
    for path in {*paths.values(), *((run.uploads or {}).values() if run else ())}:
        Path(path).unlink(missing_ok=True)
    if run is None or run.status not in (ImportRun.Status.RUNNING, ImportRun.Status.AWAITING):
        return run
    run.status = ImportRun.Status.FAILED
    run.message = str(WORKER_DIED % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    run.uploads, run.finished_at, run.phase = {}, timezone.now(), ""
    run.save()
    log_event(user=run.by, action=Action.IMPORT, obj=run, detail=f"{run.get_status_display()}: {run.message}")
    return run


ORPHAN_AGE = timedelta(minutes=10)


def uploads_remove_orphans(*, min_age: timedelta = ORPHAN_AGE) -> int:
    """Delete upload files no live run refers to (left by a crash between the upload and its task);
    only those older than `min_age`, so a file a view is writing right now is not taken."""
    from django_tasks_db.models import DBTaskResult

    keep = set()
    for uploads in ImportRun.objects.filter(status__in=[ImportRun.Status.AWAITING, ImportRun.Status.RUNNING]
                                            ).values_list("uploads", flat=True):
        keep |= set((uploads or {}).values())
    for args in DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path__startswith="foljsam.monthly."
                                            ).values_list("args_kwargs", flat=True):
        keep |= set(((args or {}).get("kwargs") or {}).get("paths", {}).values())
    removed, limit = 0, time.time() - min_age.total_seconds()
    for path in upload_dir().iterdir():
        if path.is_file() and str(path) not in keep and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def spill_remove_orphans() -> int:
    """Delete what an import killed mid-way leaves in the temporary directory: DuckDB's spill files and
    the importer's working directories (an XLSX converted to CSV – clear ids). Only when no import runs
    anywhere (the import lock is free); a web query's open spill file stays usable after the unlink."""
    import shutil

    tmp = Path(tempfile.gettempdir())
    removed = 0
    with open(_import_lock_path(), "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        try:
            for work in tmp.glob("foljsam-import-*"):
                shutil.rmtree(work, ignore_errors=True)
                removed += 1
            spill = storage.spill_root()  # files of connections without a directory of their own
            for file in spill.iterdir() if spill.is_dir() else ():
                if file.is_file():
                    file.unlink(missing_ok=True)
                    removed += 1
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    # the store's staging, half-built generation and the spill directories of dead processes
    storage.recover(data_dir())
    return removed


def import_runs_close_stale() -> int:
    """A run still "running" long after it started lost its worker (a restart): say so. An upload left
    waiting for its month that long is cancelled and its files (clear ids) deleted. (A worker that
    died is noticed at once when the next one starts: import_run_worker_died.)"""
    from django_tasks_db.models import DBTaskResult

    old = ImportRun.objects.filter(started_at__lt=timezone.now() - STALE_AFTER)
    queued = set()
    for args in DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path__startswith="foljsam.monthly."
                                            ).values_list("args_kwargs", flat=True):
        queued.add(((args or {}).get("kwargs") or {}).get("run_id"))
    count = 0
    for run in old.filter(status__in=[ImportRun.Status.RUNNING, ImportRun.Status.AWAITING]).exclude(pk__in=queued):
        for path in run.uploads.values():
            Path(path).unlink(missing_ok=True)
        if run.status == ImportRun.Status.RUNNING:
            run.status, run.message = ImportRun.Status.FAILED, str(STALE_RUN)
        else:
            run.status, run.message = ImportRun.Status.CANCELLED, str(STALE_AWAITING)
        run.uploads, run.finished_at = {}, timezone.now()
        run.save()
        count += 1
    return count


def _json_safe(values: dict) -> dict:
    """JSON has no NaN or infinity: an undefined figure is stored as None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in values.items()}


def snapshots_refresh(*, periods: list[str] | None = None, declared: set[str] | None = None) -> int:
    """Recompute the stored key figures of `periods` (default: every declared month).

    Only declared months have figures, and in them only providers with visit rows: a provider
    without rows has no snapshot and shows "ingen data", never a colour. Snapshots of months no
    import declared (left by older versions) are removed.

    The figures are computed first, outside any transaction (DuckDB reads Parquet; minutes for a
    large month), then written in one short transaction: on SQLite a write lock held for the whole
    computation made logins fail with "database is locked".
    """
    declared = set(declared_periods()) if declared is None else declared
    periods = sorted(declared) if periods is None else [p for p in periods if p in declared]
    providers = {p.code: p for p in Provider.objects.all()}
    computed = {}
    for period in periods:
        computed[period] = [(providers[v["provider_id"]], _json_safe(v)) for v in compute_kpis(data_dir(), period)
                            if v["provider_id"] in providers and v.get("visits")]
    count = 0
    with transaction.atomic():
        KpiSnapshot.objects.exclude(period__in=declared).delete()
        QuarterSnapshot.objects.filter(quarter__in={quarter_of(p) for p in periods}).delete()
        for period, rows in computed.items():
            existing = {s.provider_id: s for s in KpiSnapshot.objects.filter(period=period)}
            for provider, values in rows:
                snapshot = existing.pop(provider.pk, None)
                if snapshot is None:
                    KpiSnapshot.objects.create(provider=provider, period=period, values=values)
                else:
                    snapshot.values = values
                    snapshot.save(update_fields=["values", "computed_at"])
                count += 1
            KpiSnapshot.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
    return count


@transaction.atomic
def threshold_set(*, key: str, tender=None, yellow: float, red: float, by) -> Threshold:
    policy.ensure(by, "monthly.settings", message=NOT_OFFICER)
    kpi = BY_KEY.get(key)
    if kpi is None or kpi.worse is None:
        raise ValidationError(NO_THRESHOLD)
    if kpi.worse == "higher" and yellow > red:
        raise ValidationError(THRESHOLD_ORDER_HIGHER)
    if kpi.worse == "lower" and yellow < red:
        raise ValidationError(THRESHOLD_ORDER_LOWER)
    threshold = Threshold.objects.filter(key=key, tender=tender).first() or Threshold(key=key, tender=tender)
    threshold.yellow, threshold.red = yellow, red
    threshold.save()
    return threshold


@transaction.atomic
def threshold_reset(*, key: str, tender=None, by) -> None:
    """Back to the default: delete the row (the audit log keeps what it was)."""
    policy.ensure(by, "monthly.settings", message=NOT_OFFICER)
    for threshold in Threshold.objects.filter(key=key, tender=tender):
        threshold.delete()


def deviation_from_figure(*, provider, period: str, key: str, by, text: str, submit_within_weeks: int = 2,
                          value_text: str = ""):
    """A red (or yellow) figure becomes a deviation and an action plan request in one step."""
    kpi = BY_KEY.get(key)
    if kpi is None or kpi.worse is None:
        raise ValidationError(NO_THRESHOLD)
    source_ref = f"monthly:{period}:{key}"
    with transaction.atomic():
        if Deviation.objects.select_for_update().filter(provider=provider, source_ref=source_ref,
                                                        closed_on__isnull=True).exists():
            raise ValidationError(ALREADY_DEVIATION)
        deviation = actions.deviation_create(
            provider=provider, by=by, source=Source.MONTHLY, requirement=f"{kpi.label_sv} ({key})",
            text=text or _("%(label)s %(period)s: %(value)s.") % {"label": kpi.label_sv, "period": period,
                                                                  "value": value_text},
            severity=Severity.DEVIATION, source_ref=source_ref,
        )
        plan = actions.action_plan_request(
            deviations=[deviation], by=by, title=f"{kpi.label_sv} {period}", submit_within_weeks=submit_within_weeks,
            request_note=_("Redogör för hur bristen ska åtgärdas (månadsuppföljning %(period)s).") % {"period": period},
        )
    return deviation, plan


NO_RECIPIENTS = _lazy("Ingen utförare med e-postadress har nyckeltal det här kvartalet.")
SKIP_NO_DATA = _lazy("inga nyckeltal under kvartalet")
SKIP_NO_ADDRESS = _lazy("ingen e-postadress (varken aktiva användare eller utförarens e-post)")
SKIP_MAIL_FAILED = _lazy("e-posten kunde inte skickas (%(err)s)")


@dataclass
class QuarterSend:
    """What a quarterly mailing did: whose matrix is queued for the mail (the worker sends it, tries a
    failed send again, and records the dispatch only when the mail server accepted it), who gets
    nothing and why, and which months of the quarter have no figures yet (a quarter not yet complete)."""

    queued: list = field(default_factory=list)  # Provider
    skipped: list = field(default_factory=list)  # (provider, reason)
    missing_months: list = field(default_factory=list)


def quarter_matrix_send(*, year: int, quarter: int, by, providers=None) -> QuarterSend:
    """E-mail each followed provider its quarterly matrix (Excel and PDF) – the seed's "en gång per kvartal".

    Recipients: the provider's active users and its contact address. One mail task per provider
    (`tasks.quarter_matrix_mail`): it builds the files, sends, and creates the provider's
    MatrixDispatch only when the mail server accepted the mail, so a failed mail never leaves a
    dispatch (nor "skickad" on the page); a failed send is tried again (ops/mail.py).
    """
    from . import tasks
    from .selectors import followed_providers

    policy.ensure(by, "monthly.send", message=NOT_OFFICER)
    periods = [f"{year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)]
    result = QuarterSend(missing_months=[p for p in periods if p not in set(declared_periods())])
    with_data = set(KpiSnapshot.objects.filter(period__in=periods).values_list("provider_id", flat=True))
    followed = set()
    for period in periods:
        followed |= set(followed_providers(period=period).values_list("pk", flat=True))
    candidates = Provider.objects.filter(pk__in=followed | with_data).order_by("name")
    if providers is not None:
        candidates = candidates.filter(pk__in=[p.pk for p in providers])
    for provider in candidates:
        if provider.pk not in with_data:
            result.skipped.append((provider, str(SKIP_NO_DATA)))
            continue
        to = sorted({u.email for u in provider.users.filter(is_active=True) if u.email}
                    | ({provider.contact_email} if provider.contact_email else set()))
        if not to:
            result.skipped.append((provider, str(SKIP_NO_ADDRESS)))
            continue
        kwargs = {"year": year, "quarter": quarter, "provider_id": provider.pk, "by_id": by.pk, "to": to}
        transaction.on_commit(lambda kwargs=kwargs: tasks.quarter_matrix_mail.enqueue(**kwargs), robust=True)
        result.queued.append(provider)
    if not result.queued and not result.skipped:
        raise ValidationError(NO_RECIPIENTS, code="no_recipients")
    return result


def quarter_matrix_message(*, year: int, quarter: int, provider, by, to: list[str]):
    """The mail of one provider's quarterly matrix, with its Excel and PDF (built in the worker)."""
    from django.core.mail import EmailMessage

    from . import exports

    label = f"{year}-Q{quarter}"
    data = exports.quarter_matrix(user=by, year=year, quarter=quarter, provider=provider)
    # a provider code may hold a newline or a quote
    name = safe_filename(f"matris-manadsuppfoljning-hemtjanst-{label}-{provider.code}")
    body = _("Hej!\n\nHär är er matris från månadsuppföljningen av hemtjänsten för kvartal %(q)s %(y)s, "
             "som Excel och PDF. Gröna, gula och röda värden är jämförda med avtalets krav. Frågor besvaras "
             "av er uppföljare.\n\nVänliga hälsningar\n%(officer)s") % {
        "q": quarter, "y": year, "officer": by.get_full_name() or by.username}
    message = EmailMessage(_("Matris – månadsuppföljning hemtjänst, kvartal %(q)s %(y)s") % {
        "q": quarter, "y": year}, body, None, to)
    message.attach(f"{name}.xlsx", exports.to_xlsx(data),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    message.attach(f"{name}.pdf", exports.to_pdf(data), "application/pdf")
    return message


def quarter_matrix_sent(*, provider, quarter: str, by, to: list[str], reached: int) -> MatrixDispatch | None:
    """After the worker's last attempt: a dispatch only for a mail the server accepted."""
    if reached:
        dispatch = MatrixDispatch.objects.create(provider=provider, quarter=quarter, by=by, recipients=", ".join(to))
        log_event(user=by, action=Action.SEND, obj=provider, detail=f"Kvartalsmatris {quarter} till {', '.join(to)}")
        return dispatch
    log_event(user=by, action=Action.SEND, obj=provider,
              detail=f"Kvartalsmatris {quarter}: e-posten kunde inte skickas till {', '.join(to)}")
    return None

BAD_SCOPE = _lazy("Välj minst en avtalsform och en regiform, eller stäng av månadsuppföljningen för området.")


@transaction.atomic
def scope_set(*, area, contract_forms: list[str], ownerships: list[str], by) -> FollowUpScope:
    """Which providers of an area are followed monthly (shown on the matrix, used by the mailing)."""
    policy.ensure(by, "monthly.settings", message=NOT_OFFICER)
    if not contract_forms or not ownerships:
        raise ValidationError(BAD_SCOPE, code="bad_scope")
    scope = FollowUpScope.objects.filter(area=area).first() or FollowUpScope(area=area)
    scope.contract_forms, scope.ownerships = sorted(contract_forms), sorted(ownerships)
    scope.save()
    return scope
