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
    interpreter's last collections. Those walk every object Django's start made (about 65,000) and took
    0.1–0.3 s of each command here, a third of `foljsam monthly kpis` (bench/RESULTS.md); frozen objects are
    left to the operating system. What must happen at the end is done here and by the code that opened it
    (DuckDB sessions, temporary files), not by the collector: the database connections are closed first."""
    try:
        main()
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        gc.freeze()


if __name__ == "__main__":
    cli()
