"""Gallring: rows, import reports and access-log entries on both sides of the boundary."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest
from django.core.management import call_command
from django.utils import timezone

from foljsam.audit.models import AccessEntry, AuditEntry
from foljsam.audit.retention import cutoff, retention_run
from foljsam.monthly import services
from foljsam.monthly.engine import storage
from foljsam.monthly.models import ImportRun

TODAY = date(2026, 3, 15)  # with 3 years: keep from 2023-03-01
VISITS = (
    "visit_id,provider_id,client_id,staff_id,check_in,check_out,method,services\n"
    "1,P-A,19400101-1234,S1,2023-02-28T23:30:00,2023-02-28T23:50:00,electronic,dusch\n"
    "2,P-A,19400101-1234,S1,2023-03-01T00:10:00,2023-03-01T00:30:00,electronic,dusch\n"
    "3,P-B,19600606-6666,S9,2026-03-02T08:00:00,2026-03-02T08:40:00,electronic,dusch\n"
)


def _at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=ZoneInfo("Europe/Stockholm"))


def _visit_ids():
    source = storage.table_sql(services.data_dir(), "visits")
    return sorted(r[0] for r in duckdb.sql(f"SELECT visit_id FROM {source}").fetchall())


@pytest.fixture
def years(settings):
    settings.RETENTION_YEARS_ROWS = 3
    settings.RETENTION_YEARS_IMPORT_REPORTS = 3
    settings.RETENTION_YEARS_ACCESS_LOG = 3


def test_cutoff_keeps_whole_months():
    assert cutoff(TODAY, 3) == date(2023, 3, 1)
    assert cutoff(date(2026, 1, 1), 1) == date(2025, 1, 1)
    assert cutoff(TODAY, 0) is None


def test_rows_before_the_boundary_month_are_removed(world, tmp_path, years):
    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    run = services.import_run_start(files={"visits": path.name}, source="test")
    assert services.import_run_execute(run=run, paths={"visits": path}).status == ImportRun.Status.DONE
    assert _visit_ids() == ["1", "2", "3"]
    result = retention_run(today=TODAY)
    assert _visit_ids() == ["2", "3"]  # 2023-02-28 23:30 goes, 2023-03-01 00:10 stays
    assert result.rows["visits"] == 1
    assert retention_run(today=TODAY).rows["visits"] == 0  # nothing more the second time


def test_import_reports_and_access_entries_on_both_sides(world, years, settings):
    old_run = ImportRun.objects.create(files={"visits": "gammal.csv"})
    new_run = ImportRun.objects.create(files={"visits": "ny.csv"})
    ImportRun.objects.filter(pk=old_run.pk).update(started_at=_at(2023, 2, 28, 23))
    ImportRun.objects.filter(pk=new_run.pk).update(started_at=_at(2023, 3, 1, 0))
    reports = services.data_dir() / "import_reports"
    reports.mkdir(parents=True)
    (reports / "20230228T235959-visits-aaaa.json").write_text("{}")
    (reports / "20230301T000001-visits-bbbb.json").write_text("{}")
    (reports / f"run-{old_run.pk}-visits-avvisade.csv").write_text("rad;kolumn;orsak\n")
    (reports / f"run-{new_run.pk}-visits-avvisade.csv").write_text("rad;kolumn;orsak\n")
    old = AccessEntry.objects.create(username="officer", kind="view", what="Flaggade rader")
    new = AccessEntry.objects.create(username="officer", kind="view", what="Flaggade rader")
    AccessEntry.objects.filter(pk=old.pk).update(at=_at(2023, 2, 28, 23))
    AccessEntry.objects.filter(pk=new.pk).update(at=_at(2023, 3, 1, 0))

    result = retention_run(today=TODAY)
    assert list(ImportRun.objects.values_list("pk", flat=True)) == [new_run.pk]
    assert sorted(p.name for p in reports.iterdir()) == [
        "20230301T000001-visits-bbbb.json", f"run-{new_run.pk}-visits-avvisade.csv"]
    assert list(AccessEntry.objects.values_list("pk", flat=True)) == [new.pk]
    assert (result.import_runs, result.report_files, result.access_entries) == (1, 2, 1)


def test_zero_years_keeps_everything_and_the_run_is_logged(world, settings):
    settings.RETENTION_YEARS_ROWS = settings.RETENTION_YEARS_IMPORT_REPORTS = settings.RETENTION_YEARS_ACCESS_LOG = 0
    entry = AccessEntry.objects.create(username="officer", kind="view", what="x")
    AccessEntry.objects.filter(pk=entry.pk).update(at=timezone.now().replace(year=2000))
    call_command("retention")
    assert AccessEntry.objects.filter(pk=entry.pk).exists()
    logged = AuditEntry.objects.get(action="retention")
    assert logged.username == "system" and "avstängd" in logged.detail


def test_the_command_logs_what_it_removed(world, years):
    entry = AccessEntry.objects.create(username="officer", kind="view", what="x")
    AccessEntry.objects.filter(pk=entry.pk).update(at=_at(2020, 1, 1))
    call_command("retention", "--today", "2026-03-15")
    assert not AccessEntry.objects.exists()
    assert "åtkomstloggen: 1 poster" in AuditEntry.objects.get(action="retention").detail


def test_login_attempts_and_stale_lockout_counters_are_removed(world, years):
    from datetime import timedelta

    from foljsam.accounts.models import LoginAttempt, LoginThrottle

    old = LoginAttempt.objects.create(username="officer", ip="10.0.0.1")
    new = LoginAttempt.objects.create(username="officer", ip="10.0.0.1")
    LoginAttempt.objects.filter(pk=old.pk).update(at=_at(2023, 2, 28, 23))
    LoginAttempt.objects.filter(pk=new.pk).update(at=_at(2023, 3, 1, 0))
    now = timezone.now()
    LoginThrottle.objects.create(key="a:stale", failures=5, reset_at=now - timedelta(days=2))
    LoginThrottle.objects.create(key="a:current", failures=5, reset_at=now + timedelta(minutes=5))
    assert retention_run(today=TODAY).login_attempts == 1
    assert list(LoginAttempt.objects.values_list("pk", flat=True)) == [new.pk]
    assert list(LoginThrottle.objects.values_list("key", flat=True)) == ["a:current"]
