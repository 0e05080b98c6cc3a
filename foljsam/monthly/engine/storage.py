"""Storage layout and DuckDB connections for the monthly engine (no Django here).

Layout under the data directory the caller passes (normally FOLJSAM_DATA_DIR/monthly):

    CURRENT                         the name of the current generation ("g000042"), swapped with os.replace
    generations/g000042/
        _manifest.json              every file of the generation, per kind and period
        visits/[municipality=NNNN/]period=YYYY-MM/part-*.parquet
        grants/[municipality=NNNN/]period=YYYY-MM/part-*.parquet
        additional_reports/[municipality=NNNN/]period=YYYY-MM/part-*.parquet
    staging/<id>/                   partitions an import is writing (removed after it, or at the next import)
    import_reports/*.json           one JSON import report per imported file
    .lock                           serialises imports (flock)

Partitions (hive style, the directory names the value; the files hold the SCHEMAS columns only):
- visits by the month of check_in: a month's figures read its partition and the month before (sequence
  checks), nothing else, so they cost the same whatever the size of the store;
- additional reports by the month of event_date: the figures of a month count the reports of events in it;
- grants by the month of valid_from: valid_from is part of a grant's key, so a corrected grant never moves
  between partitions, and a month's figures read the partitions up to that month (grants still in force).
- municipality=NNNN/ when FOLJSAM_STORE_MUNICIPALITY is set (fixed for a store's lifetime): the stores of
  several municipalities then merge into one tree without collisions.

An import writes only the partitions it changes: rows new to a month that replace nothing are added as
one more file of the partition (part-gN-0.parquet); a partition with a replaced or moved row, or with
MAX_FILES files already, is rewritten whole (part-0.parquet). Every write goes to staging first;
commit() builds the next generation from hard links to the unchanged files plus the staged ones,
writes its manifest, then swaps CURRENT in one os.replace: all kinds of an import or none. The
previous generation stays readable (a query that started before the swap can finish); older ones are
removed at the next commit.

Another engine reads a generation in place: kind_uri() is the directory of one kind, e.g.
spark.read.parquet(kind_uri(data_dir, "visits")) gives the SCHEMAS columns plus `period` (and
`municipality`) as partition columns (read them as strings: spark.sql.sources.partitionColumnTypeInference
.enabled=false, else "0180" becomes 180). A store in the single-file layout of earlier versions
(<kind>.parquet) is converted on first use.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from foljsam.monthly.engine.refresh import next_period

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)

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

#: The column whose month is a row's partition (period=YYYY-MM).
PARTITION_COLUMN: dict[str, str] = {"visits": "check_in", "grants": "valid_from", "additional_reports": "event_date"}

CURRENT = "CURRENT"
MANIFEST = "_manifest.json"  # a leading _ : Spark and DuckDB globs skip it
FORMAT = 2
MAX_FILES = 8  # appended files per partition before an import compacts it
DISK_FULL = ("Importen kunde inte sparas: disken är full ({where}). Ingenting av importen sparades; "
             "frigör utrymme och importera igen.")
WRITE_FAILED = ("Importen kunde inte sparas ({cause}). Ingenting av importen sparades; "
                "importera igen när felet är åtgärdat.")
MUNICIPALITY_CHANGED = ("Lagret är ordnat för kommun {stored!r} men FOLJSAM_STORE_MUNICIPALITY är {now!r}; "
                        "indelningen kan inte ändras i efterhand.")


class StoreError(Exception):
    """The store could not be written; nothing of the import was committed. str(exc) is Swedish."""


def columns(kind: str) -> list[str]:
    return [c.split()[0] for c in SCHEMAS[kind].split(", ")]


def partition_sql(kind: str, alias: str = "") -> str:
    """SQL of a row's partition value (YYYY-MM)."""
    return month_sql(f"{alias}{PARTITION_COLUMN[kind]}")


def month_sql(expr: str) -> str:
    """SQL of the month (YYYY-MM) of a date or timestamp expression: the partition values' format."""
    return f"strftime({expr}, '%Y-%m')"


def municipality_setting() -> str:
    return os.environ.get("FOLJSAM_STORE_MUNICIPALITY", "").strip()


# --------------------------------------------------------------------------------------------------
# Reading


def _generation(data_dir: Path) -> Path | None:
    try:
        name = (data_dir / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return data_dir / "generations" / name


def manifest(data_dir: str | os.PathLike) -> dict:
    """The current generation's manifest: {"generation": n, "municipality": str, "files": {kind: {period:
    [relative paths]}}}; an empty one when nothing is stored."""
    data_dir = Path(data_dir)
    _convert_legacy(data_dir)
    gen = _generation(data_dir)
    if gen is None:
        return {"format": FORMAT, "generation": 0, "municipality": municipality_setting(), "files": {}}
    return json.loads((gen / MANIFEST).read_text())


def periods(data_dir: str | os.PathLike, kind: str) -> list[str]:
    """The stored partitions of a kind, ascending."""
    return sorted(manifest(data_dir)["files"].get(kind, {}))


def has_data(data_dir: str | os.PathLike, kind: str | None = None) -> bool:
    files = manifest(data_dir)["files"]
    return any(files.get(k) for k in ([kind] if kind else SCHEMAS))


def _selected(m: dict, kind: str, periods_: list[str] | None, upto: str | None) -> list[str]:
    files = m["files"].get(kind, {})
    wanted = set(periods_) if periods_ is not None else None
    return [f for p, fs in sorted(files.items())
            if (wanted is None or p in wanted) and (upto is None or p <= upto) for f in fs]


def table_sql(data_dir: str | os.PathLike, kind: str, periods: list[str] | None = None,
              upto: str | None = None, with_period: bool = False) -> str:
    """A FROM-clause source for a stored kind (the SCHEMAS columns, plus `period` when with_period);
    an empty typed relation when nothing is stored.

    periods: read only these partitions (months); upto: only partitions up to this month. Both are
    resolved against the current generation now, so one query sees one generation.
    """
    data_dir = Path(data_dir)
    m = manifest(data_dir)
    files = _selected(m, kind, periods, upto)
    cols = columns(kind)
    if not files:
        typed = ", ".join(f"NULL::{c.split()[1]} AS {c.split()[0]}" for c in SCHEMAS[kind].split(", "))
        return f"(SELECT {typed}{', NULL::VARCHAR AS period' if with_period else ''} WHERE false)"
    gen = data_dir / "generations" / f"g{m['generation']:06d}"
    paths = ", ".join(sql_literal(str(gen / f)) for f in files)
    if with_period:
        return (f"(SELECT {', '.join(cols)}, period FROM read_parquet([{paths}], hive_partitioning=true, "
                "hive_types={'period': VARCHAR}))")
    return f"(SELECT {', '.join(cols)} FROM read_parquet([{paths}], hive_partitioning=false))"


def kind_uri(data_dir: str | os.PathLike, kind: str) -> str:
    """The directory of one kind in the current generation, for an engine that reads Parquet in place
    (spark.read.parquet(uri)): hive partitions period=YYYY-MM (under municipality=NNNN when set). It
    stays readable until two more imports have committed. Empty string when nothing is stored."""
    data_dir = Path(data_dir)
    m = manifest(data_dir)
    if not m["files"].get(kind):
        return ""
    return str((data_dir / "generations" / f"g{m['generation']:06d}" / kind).resolve())


# --------------------------------------------------------------------------------------------------
# Connections


def connect(threads: int | None = None, memory_limit: str | None = None,
            spill_dir: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded memory.

    Spill files go to the system temp dir, never the data directory: during import they may hold
    clear ids, and the data directory must not. Use session() to get a spill directory of one's own
    that is removed afterwards.
    """
    # Imported here: Django loads this module with the catalogue at every start (models), and most
    # commands and requests never open a connection (duckdb takes ~40 ms to import).
    import duckdb

    spill = Path(spill_dir) if spill_dir else spill_root()
    spill.mkdir(parents=True, exist_ok=True)
    config = {
        "threads": threads or int(os.environ.get("FOLJSAM_DUCKDB_THREADS", os.cpu_count() or 2)),
        "memory_limit": memory_limit or os.environ.get("FOLJSAM_DUCKDB_MEMORY_LIMIT", "1GB"),
        "temp_directory": str(spill),
    }
    return duckdb.connect(":memory:", config=config)


def spill_root() -> Path:
    return Path(tempfile.gettempdir()) / "foljsam-duckdb-spill"


@contextmanager
def session(**kwargs):
    """A connection whose spill directory (<pid>-<id> under the spill root) is removed when it closes,
    also after an exception; directories of dead processes are removed at the next import."""
    spill = spill_root() / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    con = connect(spill_dir=spill, **kwargs)
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def remove_stale_spill() -> int:
    """Spill directories of processes that no longer run (a crash mid-import): they may hold clear ids."""
    removed = 0
    root = spill_root()
    for path in root.iterdir() if root.exists() else []:
        pid = path.name.split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------------------------------
# Writing: staged partitions, one atomic commit


_held = threading.local()


@contextmanager
def locked(data_dir: str | os.PathLike):
    """The store's exclusive lock (flock); re-entrant within one thread (a read that converts a legacy
    store inside an import's transaction must not wait for itself)."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    key = str(Path(data_dir).resolve())
    held = _held.__dict__.setdefault("paths", set())
    if key in held:
        yield
        return
    with open(Path(data_dir) / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(fh, fcntl.LOCK_UN)


class Transaction:
    """Partitions staged for one commit. Use through transaction()."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.base = manifest(data_dir)
        stored = self.base.get("municipality", "")
        now = municipality_setting()
        if self.base["generation"] and stored != now:
            raise StoreError(MUNICIPALITY_CHANGED.format(stored=stored, now=now))
        self.municipality = now
        self.generation = self.base["generation"] + 1
        self.staging = data_dir / "staging" / uuid.uuid4().hex
        self.replaced: dict[str, set[str]] = {}  # kind -> periods whose stored files are dropped
        self.added: dict[str, dict[str, list[str]]] = {}  # kind -> period -> staged relative paths
        self.after_commit: list = []  # callables run once the commit succeeded (e.g. an import's report)

    def _prefix(self, kind: str) -> str:
        return f"{kind}/municipality={self.municipality}" if self.municipality else kind

    def write(self, con, kind: str, select: str, rewrite: set[str], append: bool = False,
              periods: list[str] | None = None) -> None:
        """Stage the rows of `select` (SCHEMAS columns + period) as partitions of `kind`.

        rewrite: periods whose stored files are all replaced by what is staged (a period in it without
        staged rows is removed). append: the staged files are added beside the stored ones instead.
        periods: every period the rows of `select` fall in, when the caller knows them (a faster write).
        """
        import duckdb  # loaded by the connection already; not at the top (see connect())

        folder = self.staging / self._prefix(kind)
        name = "part-{i}" if not append else f"part-g{self.generation}-{{i}}"
        try:
            write_partitions(con, select, folder, name, periods=periods, column=PARTITION_COLUMN[kind])
        except OSError as exc:
            raise StoreError(_describe(exc, kind)) from exc
        except duckdb.Error as exc:
            raise StoreError(_describe(exc, kind)) from exc
        self.replaced.setdefault(kind, set()).update(rewrite)
        added = self.added.setdefault(kind, {})
        for part in sorted(folder.glob("period=*")) if folder.exists() else []:
            period = part.name.split("=", 1)[1]
            for f in sorted(part.glob("*.parquet")):
                if str(f.relative_to(self.staging)) not in added.get(period, []):
                    added.setdefault(period, []).append(str(f.relative_to(self.staging)))

    def commit(self) -> None:
        if not self.added and not any(self.replaced.values()):
            return  # nothing changes: the store keeps its generation
        gens = self.data_dir / "generations"
        gen = gens / f"g{self.generation:06d}"
        old = gens / f"g{self.base['generation']:06d}"
        files: dict[str, dict[str, list[str]]] = {}
        try:
            gen.mkdir(parents=True)
            for kind, by_period in self.base["files"].items():
                for period, rels in by_period.items():
                    if period in self.replaced.get(kind, ()):
                        continue
                    for rel in rels:
                        _link(old / rel, gen / rel)
                        files.setdefault(kind, {}).setdefault(period, []).append(rel)
            for kind, by_period in self.added.items():
                for period, rels in by_period.items():
                    for rel in rels:
                        (gen / rel).parent.mkdir(parents=True, exist_ok=True)
                        os.replace(self.staging / rel, gen / rel)
                        files.setdefault(kind, {}).setdefault(period, []).append(rel)
            body = {"format": FORMAT, "generation": self.generation, "municipality": self.municipality,
                    "files": {k: dict(sorted(v.items())) for k, v in files.items() if v}}
            _write_atomic(gen / MANIFEST, json.dumps(body, indent=1))
            _write_atomic(self.data_dir / CURRENT, gen.name)  # the one step that commits
        except OSError as exc:
            raise StoreError(_describe(exc, "")) from exc
        _remove_old_generations(self.data_dir)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


@contextmanager
def transaction(data_dir: str | os.PathLike):
    """Hold the store's lock, stage writes, and commit them all at the end of the block (none when it
    raises). Leftovers of an interrupted import (staging, spill files, an unfinished generation) are
    removed first. Callables in tx.after_commit run after a successful commit only."""
    data_dir = Path(data_dir)
    with locked(data_dir):
        cleanup(data_dir)
        tx = Transaction(data_dir)
        try:
            yield tx
            tx.commit()
        finally:
            tx.discard()
        for callback in tx.after_commit:  # the rows are stored: a failing callback must not say otherwise
            try:
                callback()
            except Exception:  # noqa: BLE001 – logged; the commit stands
                log.exception("after an import's commit")


def recover(data_dir: str | os.PathLike) -> bool:
    """For a worker's start: remove what an interrupted import left (see cleanup), unless an import holds
    the store now (then it cleans up itself). True when it ran."""
    data_dir = Path(data_dir)
    if not data_dir.exists():
        remove_stale_spill()
        return True
    with open(data_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        try:
            cleanup(data_dir)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return True


def cleanup(data_dir: Path) -> None:
    """Under the lock: staging directories and generations other than the current and previous one
    are leftovers of an interrupted import; spill files of dead processes may hold clear ids."""
    shutil.rmtree(data_dir / "staging", ignore_errors=True)
    _remove_old_generations(data_dir)
    for tmp in data_dir.glob(f".{CURRENT}.*.tmp"):
        tmp.unlink(missing_ok=True)
    remove_stale_spill()


def _remove_old_generations(data_dir: Path) -> None:
    gen = _generation(data_dir)
    if gen is None:
        return
    n = int(gen.name[1:])
    keep = {f"g{n:06d}", f"g{n - 1:06d}"}
    for path in (data_dir / "generations").iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


#: Up to this many partitions, a write is one COPY per partition, filtered on a range of its partition
#: column, instead of one COPY … PARTITION_BY: about half the time for a month's visits
#: (bench/RESULTS.md). More partitions (grants span many months) would scan `select` once each.
PER_PARTITION_MAX = 4
#: Distinct values per row group (122,880 rows) up to which a column is dictionary-encoded. DuckDB's default,
#: a fifth of the row group (24,576), sent the client pseudonyms of a large export (27,000 clients in a
#: day and a half of visits) to plain encoding: 81 MB of 32-character strings a month to compress and read
#: back, three quarters of the month's file. With the limit at 65,536 the month's visits take 26 MB instead
#: of 49 MB and read faster; visit ids, unique per row, exceed it in a full row group and stay plain
#: (bench/RESULTS.md).
DICTIONARY_LIMIT = 65_536
# zstd level 1: about as fast to write as snappy, half the size of snappy.
_PARQUET = f"FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT {DICTIONARY_LIMIT}"


def write_partitions(con, select: str, folder: Path, name: str, periods: list[str] | None = None,
                     column: str | None = None) -> None:
    """COPY the rows of `select` to folder/period=YYYY-MM/<name>.parquet (the failure point tests inject).

    periods: every period of the rows, when known, and column: the column whose month is the period;
    then each period is written on its own (a period without rows gets no file).
    """
    folder.mkdir(parents=True, exist_ok=True)
    if periods is None or column is None or len(periods) > PER_PARTITION_MAX:
        con.execute(f"COPY ({select}) TO {sql_literal(str(folder))} ({_PARQUET}, PARTITION_BY (period), "
                    f"FILENAME_PATTERN {sql_literal(name)}, OVERWRITE_OR_IGNORE)")
        return
    for period in periods:
        start, end = f"{period}-01", f"{next_period(period)}-01"
        target = folder / f"period={period}" / f"{name.replace('{i}', '0')}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        # A range on the partition column (not period = …): DuckDB skips the other rows at the scan.
        written = con.execute(
            f"COPY (SELECT * EXCLUDE (period) FROM ({select}) AS s WHERE {column} >= DATE '{start}' "
            f"AND {column} < DATE '{end}') TO {sql_literal(str(target))} ({_PARQUET})").fetchone()[0]
        if not written:
            target.unlink(missing_ok=True)


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(src, dst)  # a file system without hard links


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _describe(exc: BaseException, kind: str) -> str:
    text = str(exc)
    full = (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or "No space left" in text
    where = {"visits": "besöken", "grants": "beviljade insatser", "additional_reports": "tilläggsrapporter"}
    if full:
        return DISK_FULL.format(where=f"när {where.get(kind, 'lagret')} skrevs" if kind else "vid sparandet")
    cause = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else exc.__class__.__name__
    return WRITE_FAILED.format(cause=cause)


# --------------------------------------------------------------------------------------------------
# Conversion of the single-file layout (<kind>.parquet) of earlier versions


def _convert_legacy(data_dir: Path) -> None:
    if not any((data_dir / f"{k}.parquet").exists() for k in SCHEMAS):
        return
    with locked(data_dir):
        legacy = [k for k in SCHEMAS if (data_dir / f"{k}.parquet").exists()]
        if not legacy:
            return  # another process converted it meanwhile
        _convert_locked(data_dir, legacy)


def _convert_locked(data_dir: Path, legacy: list[str]) -> None:
    gen = _generation(data_dir)
    base = json.loads((gen / MANIFEST).read_text()) if gen else {
        "format": FORMAT, "generation": 0, "municipality": municipality_setting(), "files": {}}
    tx = Transaction.__new__(Transaction)
    tx.data_dir, tx.base, tx.municipality = data_dir, base, base.get("municipality", "")
    tx.generation = base["generation"] + 1
    tx.staging = data_dir / "staging" / uuid.uuid4().hex
    tx.replaced, tx.added = {}, {}
    try:
        with session() as con:
            for kind in legacy:
                src = f"read_parquet({sql_literal(str(data_dir / f'{kind}.parquet'))})"
                tx.write(con, kind, f"SELECT {', '.join(columns(kind))}, {partition_sql(kind)} AS period "
                         f"FROM {src}", set(base["files"].get(kind, {})))
        tx.commit()
    finally:
        tx.discard()
    for kind in legacy:
        (data_dir / f"{kind}.parquet").unlink()


def _sql_str(value: str) -> str:
    return value.replace("'", "''")


def sql_literal(value: str) -> str:
    return "'" + _sql_str(value) + "'"
