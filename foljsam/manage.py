"""The `foljsam` console script: Django's manage.py for the installed package."""

import gc
import os
import sys

NOT_MIGRATED = ("Databasen har inte tabellerna som kommandot behöver ({cause}). Kör `foljsam migrate` först "
                "(en ny installation, eller en uppgradering med nya migreringar).\n")


def missing_table(exc: BaseException) -> bool:
    """The error of a query against a table that does not exist: SQLite's "no such table", PostgreSQL's
    undefined_table (SQLSTATE 42P01)."""
    cause = exc.__cause__
    return "no such table" in str(exc) or getattr(cause, "sqlstate", None) == "42P01"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foljsam.settings")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError, ProgrammingError

    try:
        execute_from_command_line(sys.argv)
    except (OperationalError, ProgrammingError) as exc:
        # A command run before `foljsam migrate` would otherwise end in a traceback.
        if not missing_table(exc):
            raise
        sys.stderr.write(NOT_MIGRATED.format(cause=str(exc).splitlines()[0]))
        sys.exit(1)


def cli() -> None:
    """The console script (`foljsam …`, `python -m foljsam.manage`): main(), then an exit without the
    interpreter's last collections. Those walk every object Django's start made (about 70,000) and took
    0.1–0.3 s of each command here, a third of `foljsam monthly kpis` (bench/RESULTS.md); frozen objects are
    left to the operating system. What must happen at the end is done here and by the code that opened it
    (DuckDB sessions, temporary files), not by the collector: the database connections are closed first."""
    try:
        main()
    finally:
        _close_connections()
        gc.freeze()


def _close_connections() -> None:
    """Close the database connections the command opened, without ever replacing its outcome: with
    settings that did not load (`foljsam --version` still answers then) there is nothing to close, and a
    connection that fails to close is left to the operating system."""
    if "django.db" not in sys.modules:
        return
    from django.conf import settings

    if not settings.configured:
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001,S110 – the command's own result or error is what the caller must get
        pass


if __name__ == "__main__":
    cli()
