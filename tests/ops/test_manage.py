"""The `foljsam` console script on a database that `foljsam migrate` has not set up: a clear message and
exit status 1, not a traceback; other database errors are not hidden."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import OperationalError, ProgrammingError

from foljsam import manage


def test_a_command_before_migrate_says_so_instead_of_a_traceback(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3", "FOLJSAM_DATA_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "foljsam.manage", "monthly", "kpis", "--period", "2026-03", "--json"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "foljsam migrate" in run.stderr and "no such table" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


class _UndefinedTable(Exception):
    sqlstate = "42P01"  # what psycopg sets on PostgreSQL's undefined_table


def _error(cls, text, cause=None):
    exc = cls(text)
    exc.__cause__ = cause
    return exc


def test_missing_tables_are_told_apart_from_other_database_errors(monkeypatch, capsys):
    assert manage.missing_table(_error(OperationalError, "no such table: monthly_importrun"))
    assert manage.missing_table(_error(ProgrammingError, 'relation "x" does not exist', _UndefinedTable()))
    assert not manage.missing_table(_error(OperationalError, "database is locked"))
    assert not manage.missing_table(_error(ProgrammingError, "syntax error", Exception()))

    import django.core.management

    def locked(argv):
        raise OperationalError("database is locked")

    monkeypatch.setattr(django.core.management, "execute_from_command_line", locked)
    with pytest.raises(OperationalError, match="locked"):  # not turned into the migrate message
        manage.main()

    def undefined(argv):
        raise _error(ProgrammingError, 'relation "monthly_importrun" does not exist', _UndefinedTable())

    monkeypatch.setattr(django.core.management, "execute_from_command_line", undefined)
    with pytest.raises(SystemExit) as exit_:
        manage.main()
    assert exit_.value.code == 1 and "foljsam migrate" in capsys.readouterr().err


def _stub_command_close_and_freeze(monkeypatch, command, close=None) -> list[str]:
    """cli()'s three steps replaced by stubs that record their order: the command, closing the connections
    (or `close`), freezing the heap."""
    import gc

    import django.core.management
    import django.db

    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(django.db.connections, "close_all", close or (lambda: calls.append("close")))
    monkeypatch.setattr(django.core.management, "execute_from_command_line", lambda argv: command(calls))
    return calls


def test_the_console_script_closes_the_connections_and_freezes_the_heap_before_the_exit(monkeypatch):
    """The console script is cli(): after the command, also one that exits with an error, the database
    connections are closed and then the heap frozen, so the interpreter's last collections skip it."""
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(manage.__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["foljsam"] == "foljsam.manage:cli"

    calls = _stub_command_close_and_freeze(monkeypatch, lambda calls: calls.append("run"))
    manage.cli()
    assert calls == ["run", "close", "freeze"]

    def fails(calls):
        calls.append("run")
        raise SystemExit(2)

    calls = _stub_command_close_and_freeze(monkeypatch, fails)
    with pytest.raises(SystemExit) as exit_:
        manage.cli()
    assert exit_.value.code == 2 and calls == ["run", "close", "freeze"]


def test_closing_the_connections_never_replaces_the_commands_outcome(monkeypatch):
    """A connection that fails to close does not turn the command's exit status into another one."""

    def fails_to_close():
        raise RuntimeError("server gone")

    calls = _stub_command_close_and_freeze(monkeypatch, lambda calls: calls.append("run"), close=fails_to_close)
    manage.cli()  # no exception from the close
    assert calls == ["run", "freeze"]

    def exits(calls):
        raise SystemExit(3)  # e.g. runserver's reload code

    calls = _stub_command_close_and_freeze(monkeypatch, exits, close=fails_to_close)
    with pytest.raises(SystemExit) as exit_:
        manage.cli()
    assert exit_.value.code == 3 and calls == ["freeze"]


def test_the_version_is_answered_even_when_the_settings_do_not_load(tmp_path):
    """DEBUG off without DJANGO_SECRET_KEY: the settings refuse to load, but `--version` needs none of them
    and must still exit 0 without a traceback (nothing to close at the exit)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DATABASE_URL")}
    env.update(DEBUG="False", FOLJSAM_DATA_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-m", "foljsam.manage", "--version"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip().startswith("5.2")
    assert "Traceback" not in run.stderr


def test_commands_start_without_loading_what_only_some_of_them_use():
    """Integrators run `foljsam monthly …` per month in scripts: Django's start loads the catalogue, and
    the command module loads services, but DuckDB, PyYAML and sqlglot are loaded only where they are used
    (tens of ms each of every command's start)."""
    code = ("import django, sys; django.setup(); "
            "from django.core.management import load_command_class; "
            "[load_command_class(app, name) for app, name in (('foljsam.monthly', 'monthly'), "
            "('foljsam.registry', 'providers'))]; "
            "loaded = [m for m in ('duckdb', 'yaml', 'sqlglot') if m in sys.modules]; "
            "assert not loaded, loaded; "
            "from foljsam.monthly.engine import storage; storage.connect().close(); "
            "assert 'duckdb' in sys.modules")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "foljsam.settings"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
