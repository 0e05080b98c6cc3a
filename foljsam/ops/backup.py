"""Backup and restore of the database plus FOLJSAM_DATA_DIR as one .tar.gz (docs/deploy.md).

The archive holds `manifest.json`, the database and `data/` (the data directory's files):
- SQLite: a consistent copy through SQLite's online backup API (`sqlite3.Connection.backup`), taken
  from Django's own connection, so it is safe while the service runs.
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot), restored with
  `pg_restore --clean --if-exists --no-owner --single-transaction`; needs the PostgreSQL client
  programs of the server's major version (Debian: postgresql-client).

Not in the archive: the secrets (DJANGO_SECRET_KEY, FOLJSAM_PSEUDONYM_KEY – kept in the environment or
a secret store; `local-secrets.env` of `make serve` is skipped too), SQLite's -wal/-shm side files,
`backups/` inside the data directory and the monthly inbox (see SKIPPED); restore leaves those alone.
Restore replaces the database and the data directory's other files with the archive's; run
`foljsam migrate` afterwards when the code is newer than the backup.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
DATA = "data"
# Neither backed up nor touched by a restore: make serve's local secrets, backups kept in the data
# directory, and the monthly inbox (the export system's files with clear personal ids wait there only
# until imported; keeping them in backups would keep those ids for as long as the backups).
SKIPPED = (("local-secrets.env",), ("backups",), ("monthly", "inbox"))
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")

ERR_NOT_ARCHIVE = "Filen {name} är ingen säkerhetskopia från Följsam (manifest.json saknas eller är trasig)."
ERR_VENDOR = ("Säkerhetskopian är från en {archive}-databas men Följsam använder nu {current}; "
              "återställ till samma slags databas.")
ERR_FORMAT = "Säkerhetskopian har formatet {found}; den här versionen läser format {expected}."
ERR_TOOL = "{tool} misslyckades: {detail}"
ERR_TOOL_MISSING = "{tool} saknas: installera PostgreSQL-klienten (Debian: postgresql-client) i serverns version."
ERR_EXISTS = "Filen {name} finns redan; välj ett annat namn."


def _vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _sqlite_path() -> Path | None:
    name = str(connection.settings_dict["NAME"])
    if _vendor() != "sqlite" or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).resolve()


def _skip(path: Path, *, data_dir: Path, excluded: set[Path]) -> bool:
    parts = path.relative_to(data_dir).parts
    return (any(parts[:len(prefix)] == prefix for prefix in SKIPPED) or parts[0].startswith(".restore-")
            or path.name.endswith(SKIPPED_SUFFIXES) or path.resolve() in excluded
            or (_sqlite_path() is not None and path.resolve() == _sqlite_path()))


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": s["NAME"], "PGUSER": s.get("USER") or "", "PGHOST": s.get("HOST") or "",
           "PGPORT": str(s.get("PORT") or ""), "PGPASSWORD": s.get("PASSWORD") or ""}
    return {k: v for k, v in env.items() if v != ""}


def _run(tool: str, args: list[str]) -> None:
    try:
        result = subprocess.run([tool, *args], env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise ValidationError(ERR_TOOL_MISSING.format(tool=tool), code="tool_missing") from None
    if result.returncode != 0:
        raise ValidationError(ERR_TOOL.format(tool=tool, detail=result.stderr.strip()[-500:]), code="tool_failed")


def _dump_database(target_dir: Path) -> str:
    if _vendor() == "sqlite":
        connection.ensure_connection()
        target = target_dir / "database.sqlite3"
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # a consistent snapshot even while others write
        finally:
            copy.close()
        return target.name
    target = target_dir / "database.pgdump"
    _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(target)])
    return target.name


def backup_create(*, output: Path) -> dict:
    """Write the archive to `output` (written under a temporary name, renamed when complete)."""
    output = output.resolve()
    if output.exists():
        raise ValidationError(ERR_EXISTS.format(name=output), code="exists")
    data_dir = Path(settings.DATA_DIR).resolve()
    recorder = MigrationRecorder(connection)
    manifest = {
        "format": FORMAT, "created": datetime.now(UTC).isoformat(timespec="seconds"), "vendor": _vendor(),
        "migrations": sorted([app, name] for app, name in recorder.applied_migrations()),
    }
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix="foljsam-backup-") as tmp:
        manifest["database"] = _dump_database(Path(tmp))
        files = []
        if data_dir.exists():
            for path in sorted(data_dir.rglob("*")):
                if path.is_file() and not _skip(path, data_dir=data_dir, excluded={output, partial.resolve()}):
                    files.append(path)
        manifest["files"] = len(files)
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=1))
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
                tar.add(Path(tmp) / manifest["database"], arcname=manifest["database"])
                for path in files:
                    tar.add(path, arcname=f"{DATA}/{path.relative_to(data_dir).as_posix()}", recursive=False)
            os.chmod(partial, 0o600)  # personal data inside
            partial.rename(output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError, TypeError):
        raise ValidationError(ERR_NOT_ARCHIVE.format(name=archive.name), code="not_archive") from None
    if manifest.get("format") != FORMAT:
        raise ValidationError(ERR_FORMAT.format(found=manifest.get("format"), expected=FORMAT), code="format")
    if manifest.get("vendor") != _vendor():
        raise ValidationError(ERR_VENDOR.format(archive=manifest.get("vendor"), current=_vendor()), code="vendor")
    return manifest


def _restore_database(dump: Path) -> None:
    if _vendor() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)  # replaces every page of the live database
        finally:
            source.close()
        return
    connection.close()
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "--dbname", connection.settings_dict["NAME"], str(dump)])


def backup_restore(*, archive: Path) -> dict:
    """Replace the database and the data directory's files with the archive's.

    The whole archive is read and checked (manifest, database dump, safe paths) before anything is
    replaced; the database is restored before the files, so a failing database restore leaves the files.
    """
    archive = archive.resolve()
    data_dir = Path(settings.DATA_DIR).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError):
        raise ValidationError(ERR_NOT_ARCHIVE.format(name=archive.name), code="not_archive") from None
    with tar, tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as tmp:
        manifest = _read_manifest(tar, archive)
        try:
            tar.extractall(tmp, filter="data")  # refuses absolute paths, '..', links out of the tree
        except (tarfile.TarError, OSError) as exc:
            raise ValidationError(ERR_NOT_ARCHIVE.format(name=archive.name), code="not_archive") from exc
        dump = Path(tmp) / manifest.get("database", "")
        if not manifest.get("database") or not dump.is_file():
            raise ValidationError(ERR_NOT_ARCHIVE.format(name=archive.name), code="not_archive")
        _restore_database(dump)
        staged = Path(tmp) / DATA
        staged.mkdir(exist_ok=True)
        for path in sorted(data_dir.rglob("*"), reverse=True):  # children before their directories
            if path.is_relative_to(tmp) or _skip(path, data_dir=data_dir, excluded={archive}):
                continue
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        for path in sorted(staged.rglob("*")):
            if path.is_file():
                target = data_dir / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)  # same file system: the staging directory is inside data_dir
    return manifest


def pending_migrations() -> list[tuple[str, str]]:
    """Migrations the code has and the restored database lacks (run `foljsam migrate`)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return [(m.app_label, m.name) for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]
