"""Issue 7 items 1–5: a month has figures only when an import declared it (no phantom months), no data
is grey and never a colour, unknown provider ids refuse the run, who is followed is a setting per area,
and a fresh install (only `foljsam migrate`) can import providers and a month."""

import json
import os
import smtplib
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.utils import timezone

from foljsam.monthly import selectors, services
from foljsam.monthly.engine import storage
from foljsam.monthly.models import ImportRun, KpiSnapshot, MatrixDispatch
from foljsam.registry.models import Contract, ContractForm, Ownership, Provider

HEADER = "visit_id,provider_id,client_id,staff_id,check_in,check_out,method,services\n"


def october_export() -> str:
    """A real-shaped October export of provider A only: two night visits on 30 September, 40 October
    visits, and late registrations of 1 November (provider B, followed, has no rows)."""
    rows = ["s1,P-A,19400101-1234,S1,2026-09-30T22:00:00,2026-09-30T22:20:00,electronic,tillsyn",
            "s2,P-A,19400101-1234,S1,2026-09-30T23:30:00,2026-09-30T23:40:00,manual,tillsyn"]
    for day in range(1, 21):
        rows.append(f"o{day}a,P-A,19400101-1234,S1,2026-10-{day:02d}T08:00:00,2026-10-{day:02d}T08:30:00,"
                    "electronic,dusch")
        rows.append(f"o{day}b,P-A,19500505-5555,S2,2026-10-{day:02d}T09:00:00,2026-10-{day:02d}T09:25:00,"
                    "electronic,inkop")
    rows += ["n1,P-A,19400101-1234,S1,2026-11-01T00:10:00,2026-11-01T00:20:00,manual,tillsyn",
             "n2,P-A,19500505-5555,,2026-11-01T06:00:00,2026-11-01T06:01:00,manual,tillsyn"]
    return HEADER + "\n".join(rows) + "\n"


GRANTS = ("client_id,provider_id,service_code,minutes_per_month,valid_from,valid_to\n"
          "19400101-1234,P-A,hemtjanst,600,2026-01-01,\n"
          "19600606-6666,P-B,hemtjanst,300,2026-01-01,\n")


def _import(tmp_path, period="", **texts):
    paths = {}
    for kind, text in texts.items():
        paths[kind] = tmp_path / f"{kind}.csv"
        paths[kind].write_text(text, encoding="utf-8")
    run = services.import_run_start(files={k: p.name for k, p in paths.items()}, source="test", period=period)
    return services.import_run_execute(run=run, paths=paths)


def test_a_boundary_day_export_gives_figures_for_its_month_only(world, client, tmp_path):
    run = _import(tmp_path, visits=october_export(), grants=GRANTS)
    assert run.status == ImportRun.Status.DONE and run.period == "2026-10"
    assert run.report["months"] == {"2026-09": 2, "2026-10": 40, "2026-11": 2}
    assert sorted(set(KpiSnapshot.objects.values_list("period", flat=True))) == ["2026-10"]
    assert services.declared_periods() == ["2026-10"]
    # The rows outside the month are kept (for the neighbours' sequence checks) ...
    import duckdb
    stored = duckdb.sql(f"SELECT count(*) FROM {storage.table_sql(services.data_dir(), 'visits')}").fetchall()[0][0]
    assert stored == 44
    # ... but give no figures, colours, proposals or deviation offers.
    client.force_login(world.officer)
    page = client.get("/manadsuppfoljning/").content.decode()
    assert "Nyckeltal per utförare, 2026-10" in page and "2026-11" not in page and "2026-09" not in page
    assert selectors.red_streaks(user=world.officer) == []
    pa = world.provider_a.pk
    for month in ("2026-09", "2026-11"):
        assert client.get(f"/manadsuppfoljning/utforare/{pa}/{month}/manual_share/").status_code == 404
        assert client.get(f"/manadsuppfoljning/utforare/{pa}/{month}/manual_share/avvikelse/").status_code == 404
    assert client.get(f"/manadsuppfoljning/utforare/{pa}/2026-10/manual_share/").status_code == 200
    assert client.get(f"/manadsuppfoljning/utforare/{pa}/2026-10/manual_share/avvikelse/").status_code == 200
    provider_page = client.get(f"/manadsuppfoljning/utforare/{pa}/").content.decode()
    assert "2026-11" not in provider_page and "2026-09" not in provider_page
    from foljsam.monthly import exports
    data = exports.quarter_matrix(user=world.officer, year=2026, quarter=4)
    assert [p for p in data.periods if any(k[0] == p for k in data.values)] == ["2026-10"]


def test_the_declared_month_can_differ_from_the_dominant_one(world, tmp_path):
    run = _import(tmp_path, period="2026-11", visits=october_export())
    assert run.period == "2026-11"
    assert sorted(set(KpiSnapshot.objects.values_list("period", flat=True))) == ["2026-11"]
    assert KpiSnapshot.objects.get(provider=world.provider_a).values["visits"] == 2


def test_kpis_of_a_month_never_imported_exit_non_zero(world, tmp_path, capsys):
    path = tmp_path / "visits.csv"
    path.write_text(october_export(), encoding="utf-8")
    call_command("monthly", "import", "--visits", str(path), "--period", "2026-10", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == "2026-10" and [p["code"] for p in out["no_rows_for"]] == ["P-B"]
    call_command("monthly", "kpis", "--period", "2026-10", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["provider_id"] for r in rows] == ["P-A"] and rows[0]["visits"] == 40
    for month in ("2026-11", "2026-09"):
        with pytest.raises(CommandError, match="Ingen import gäller"):
            call_command("monthly", "kpis", "--period", month, "--json")
    with pytest.raises(CommandError):
        call_command("monthly", "import", "--visits", str(path), "--period", "2026-13")


def test_kpis_reads_the_stored_snapshot(world, tmp_path, capsys):
    _import(tmp_path, visits=october_export(), grants=GRANTS)
    snap = KpiSnapshot.objects.get(provider=world.provider_a, period="2026-10")
    snap.values = {**snap.values, "visits": 12345}  # only a read of the stored figures can print this
    snap.save()
    call_command("monthly", "kpis", "--period", "2026-10", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows == [snap.values] and rows[0]["visits"] == 12345


def test_a_followed_provider_without_rows_is_grey_no_data_never_a_colour(world, client, tmp_path):
    run = _import(tmp_path, visits=october_export(), grants=GRANTS)
    assert run.report["no_rows_for"] == [{"code": "P-B", "name": "Beta Hemtjänst AB"}]
    # B has grants (execution rate would be 0 %, red) but no visit rows: no snapshot, no colour.
    assert not KpiSnapshot.objects.filter(provider=world.provider_b).exists()
    rows = dict(selectors.matrix(user=world.officer, period="2026-10"))
    assert {c.status for c in rows[world.provider_b]} == {selectors.NO_DATA}
    assert {c.value for c in rows[world.provider_b]} == {None}
    client.force_login(world.officer)
    page = client.get("/manadsuppfoljning/?period=2026-10").content.decode()
    assert 'class="num grey">ingen data' in page and "Beta Hemtjänst AB" in page
    report = client.get(f"/manadsuppfoljning/import/{run.pk}/").content.decode()
    assert "Inga rader för 2026-10 för:" in report and "Beta Hemtjänst AB (P-B)" in report
    # Provider B's own start page and matrix say no data, not red.
    client.force_login(world.user_b)
    page = client.get("/manadsuppfoljning/?period=2026-10").content.decode()
    assert "ingen data" in page and 'class="num red"' not in page


def test_a_provider_is_not_shown_before_its_contract_started(world, tmp_path):
    late = Provider.objects.create(code="P-C", name="Cesam Omsorg AB", ownership=Ownership.PRIVATE)
    Contract.objects.create(provider=late, area=world.area, form=ContractForm.LOV, start=date(2026, 11, 1))
    _import(tmp_path, visits=october_export())
    october = [p for p, _c in selectors.matrix(user=world.officer, period="2026-10")]
    assert late not in october and world.provider_b in october
    assert late in selectors.followed_providers(period="2026-11")


def test_unknown_provider_ids_fail_the_run_with_one_message(world, client, tmp_path):
    text = october_export() + "".join(
        f"u{i},HT-OKAND,19400101-1234,S1,2026-10-05T10:00:00,2026-10-05T10:30:00,electronic,dusch\n"
        for i in range(3000))
    run = _import(tmp_path, visits=text)
    assert run.status == ImportRun.Status.REFUSED
    assert run.report["unknown_providers"] == {"HT-OKAND": 3000}
    assert "HT-OKAND (3000 rader)" in run.message
    assert not storage.has_data(services.data_dir(), "visits") and not KpiSnapshot.objects.exists()
    client.force_login(world.officer)
    page = client.get(f"/manadsuppfoljning/import/{run.pk}/").content.decode()
    assert "/utforare/importera/" in page and page.count("HT-OKAND") <= 3  # one message, not 3,000 lines
    assert services.declared_periods() == []


def test_unknown_ids_in_the_grants_file_leave_the_visits_unstored(world, tmp_path):
    grants = GRANTS + "19400101-1234,P-NY,hemtjanst,100,2026-01-01,\n"
    run = _import(tmp_path, visits=october_export(), grants=grants)
    assert run.status == ImportRun.Status.REFUSED and run.report["unknown_providers"] == {"P-NY": 1}
    assert not storage.has_data(services.data_dir(), "visits")


def test_an_import_recomputes_only_the_months_it_changes(world, tmp_path, monkeypatch):
    _import(tmp_path, visits=october_export())
    november = HEADER + "m1,P-A,19400101-1234,S1,2026-11-03T08:00:00,2026-11-03T08:30:00,electronic,dusch\n"
    _import(tmp_path, visits=november)
    assert services.declared_periods() == ["2026-10", "2026-11"]
    # November now counts the late registrations of 1 November from the October file too.
    assert KpiSnapshot.objects.get(provider=world.provider_a, period="2026-11").values["visits"] == 3
    called = []
    real = services.compute_kpis
    monkeypatch.setattr(services, "compute_kpis", lambda d, p, *a, **k: called.append(p) or real(d, p, *a, **k))
    december = HEADER + "d1,P-A,19400101-1234,S1,2026-12-03T08:00:00,2026-12-03T08:30:00,electronic,dusch\n"
    _import(tmp_path, visits=december)
    assert called == ["2026-12"]  # not October or November
    called.clear()
    late_october = HEADER + "x1,P-A,19400101-1234,S1,2026-10-31T23:50:00,2026-10-31T23:59:00,electronic,dusch\n"
    _import(tmp_path, period="2026-12", visits=late_october)
    assert called == ["2026-10", "2026-11", "2026-12"]  # its rows' month, that month's neighbour, its own


def test_refreshing_twice_stores_identical_figures(world, tmp_path):
    _import(tmp_path, visits=october_export(), grants=GRANTS)
    before = {s.provider_id: json.dumps(s.values, sort_keys=True) for s in KpiSnapshot.objects.all()}
    services.snapshots_refresh()
    services.snapshots_refresh()
    assert {s.provider_id: json.dumps(s.values, sort_keys=True) for s in KpiSnapshot.objects.all()} == before


# --- Who is followed (item 4) ----------------------------------------------------------------------

def test_own_units_appear_only_where_the_area_says_so(world, client, tmp_path):
    own = Provider.objects.create(code="P-EGEN", name="Hemtjänst egen regi", ownership=Ownership.MUNICIPAL)
    Contract.objects.create(provider=own, area=world.area, form=ContractForm.OWN, start=date(2010, 1, 1))
    text = october_export() + (
        "e1,P-EGEN,19600606-6666,S7,2026-10-05T10:00:00,2026-10-05T10:30:00,manual,dusch\n")
    _import(tmp_path, visits=text)
    assert own not in dict(selectors.matrix(user=world.officer, period="2026-10"))
    client.force_login(world.officer)
    page = client.get("/manadsuppfoljning/").content.decode()
    assert "Hemtjänst: LOV; privata utförare" in page and "Hemtjänst egen regi" not in page
    response = client.post("/manadsuppfoljning/omfattning/", {
        "area": world.area.pk, f"a{world.area.pk}-contract_forms": ["LOV", "egen_regi"],
        f"a{world.area.pk}-ownerships": ["private", "municipal"]})
    assert response.status_code == 302
    assert own in dict(selectors.matrix(user=world.officer, period="2026-10"))
    assert "Hemtjänst egen regi" in client.get("/manadsuppfoljning/").content.decode()


def test_scope_needs_a_form_and_an_ownership_and_an_officer(world):
    with pytest.raises(ValidationError) as exc:
        services.scope_set(area=world.area, contract_forms=[], ownerships=["private"], by=world.officer)
    assert exc.value.code == "bad_scope"
    with pytest.raises(ValidationError) as exc:
        services.scope_set(area=world.area, contract_forms=["LOV"], ownerships=["private"], by=world.reader)
    assert exc.value.code == "forbidden"


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("officer", 200), ("reader", 403),
                                          ("user_a", 403), ("user_b", 403)])
def test_scope_page_is_for_officers(world, client, who, expected):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    assert client.get("/manadsuppfoljning/omfattning/").status_code == expected


# --- Quarterly mailing (item 4, issue 8 item 3) -------------------------------------------------------

class FailingBackend(EmailBackend):
    """The mail server refuses every mail to Beta's users."""

    refused = 0

    def send_messages(self, messages):
        for message in messages:
            if any(to.startswith("bob@") for to in message.to):
                FailingBackend.refused += 1
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no")})
        return super().send_messages(messages)


def test_a_failed_mail_records_no_dispatch_and_shows_no_sent(world, client, settings, mailoutbox, tmp_path,
                                                              django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.monthly.test_periods.FailingBackend"
    FailingBackend.refused = 0
    october = october_export() + (
        "b1,P-B,19600606-6666,S9,2026-10-02T08:00:00,2026-10-02T08:40:00,electronic,dusch\n")
    _import(tmp_path, visits=october)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.quarter_matrix_send(year=2026, quarter=4, by=world.officer)
    assert result.queued == [world.provider_a, world.provider_b] and result.skipped == []
    # Both were tried (B's again, FOLJSAM_MAIL_ATTEMPTS times); only the accepted one has a dispatch.
    assert list(MatrixDispatch.objects.values_list("provider__code", flat=True)) == ["P-A"]
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]
    assert FailingBackend.refused == settings.FOLJSAM_MAIL_ATTEMPTS
    # When every mail fails the page does not say "skickad".
    MatrixDispatch.objects.all().delete()
    world.user_a.email = "bob@example.org"
    world.user_a.save()
    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/manadsuppfoljning/kvartal/2026-Q4/skicka/", follow=True)
    assert not MatrixDispatch.objects.exists()
    page = client.get("/manadsuppfoljning/").content.decode()
    assert "skickad 20" not in page


class FlakyBackend(EmailBackend):
    """The mail server fails the first two attempts, then accepts."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures < 2:
            FlakyBackend.failures += 1
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


def test_a_failed_send_is_retried_and_recorded_once_accepted(world, settings, mailoutbox, tmp_path,
                                                             django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.monthly.test_periods.FlakyBackend"
    FlakyBackend.failures = 0
    _import(tmp_path, visits=october_export())
    with django_capture_on_commit_callbacks(execute=True):
        services.quarter_matrix_send(year=2026, quarter=4, by=world.officer)
    assert FlakyBackend.failures == 2 and [m.to for m in mailoutbox] == [["alice@example.org"]]
    assert MatrixDispatch.objects.get().provider == world.provider_a


def test_the_retry_waits_in_the_queue_with_the_database_backend(world, settings, tmp_path):
    """With the worker's backend a failed send is queued again for later, not retried at once."""
    from django_tasks_db.models import DBTaskResult

    from foljsam.ops import mail, tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.monthly.test_periods.FlakyBackend"
    FlakyBackend.failures = 0
    assert tasks.send_mail.call(subject="s", body="b", to=["x@example.org"]) == "retry"
    again = DBTaskResult.objects.get()
    assert again.args_kwargs["kwargs"]["attempt"] == 2
    assert again.run_after > timezone.now() + mail.retry_delay(1) - timedelta(seconds=5)


def test_quarterly_mailing_names_who_got_nothing_and_warns_of_an_incomplete_quarter(world, client, mailoutbox,
                                                                                     tmp_path):
    _import(tmp_path, visits=october_export())
    world.user_b.email = ""
    world.user_b.save()
    result = services.quarter_matrix_send(year=2026, quarter=4, by=world.officer)
    assert result.queued == [world.provider_a]
    assert [(p, str(r)) for p, r in result.skipped] == [(world.provider_b, str(services.SKIP_NO_DATA))]
    assert result.missing_months == ["2026-11", "2026-12"]
    client.force_login(world.officer)
    page = client.post("/manadsuppfoljning/kvartal/2026-Q4/skicka/", follow=True).content.decode()
    assert "Kvartalet är inte komplett: 2026-11, 2026-12" in page
    assert "Beta Hemtjänst AB – inga nyckeltal under kvartalet" in page


def test_quarterly_mailing_names_a_provider_without_address(world, tmp_path):
    october = october_export() + (
        "b1,P-B,19600606-6666,S9,2026-10-02T08:00:00,2026-10-02T08:40:00,electronic,dusch\n")
    _import(tmp_path, visits=october)
    world.user_b.email = ""
    world.user_b.save()
    result = services.quarter_matrix_send(year=2026, quarter=4, by=world.officer)
    assert [(p, str(r)) for p, r in result.skipped] == [(world.provider_b, str(services.SKIP_NO_ADDRESS))]


# --- A fresh install (item 5) -------------------------------------------------------------------------

@pytest.mark.django_db(transaction=False)
def test_a_fresh_install_imports_providers_and_a_month_after_only_migrate(tmp_path):
    """`foljsam migrate` on an empty database, then the three commands of the issue's "Done when"."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3", "FOLJSAM_DATA_DIR": str(tmp_path / "d"),
           "FOLJSAM_PSEUDONYM_KEY": "a-test-key-of-some-length"}
    foljsam = [sys.executable, "-m", "foljsam.manage"] if not Path(sys.prefix, "bin", "foljsam").exists() else [
        str(Path(sys.prefix, "bin", "foljsam"))]

    def run(*args):
        done = subprocess.run([*foljsam, *args], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    run("migrate", "--verbosity", "0")
    (tmp_path / "providers.csv").write_text(
        "provider_id,name,org_number,area,ownership,contract_form,contract_start\n"
        "P-A,Alfa Omsorg AB,556000-0001,hemtjanst,private,LOV,2020-01-01\n"
        "P-B,Beta Hemtjänst AB,556000-0002,hemtjanst,private,LOV,2020-01-01\n", encoding="utf-8")
    run("providers", "import", str(tmp_path / "providers.csv"))
    (tmp_path / "visits.csv").write_text(october_export(), encoding="utf-8")
    out = json.loads(run("monthly", "import", "--visits", str(tmp_path / "visits.csv"), "--json"))
    assert out["status"] == "done" and out["period"] == "2026-10" and out["accepted"] == 44
    assert [p["code"] for p in out["no_rows_for"]] == ["P-B"]
    rows = json.loads(run("monthly", "kpis", "--period", "2026-10", "--json"))
    assert [r["provider_id"] for r in rows] == ["P-A"] and rows[0]["visits"] == 40


# --- Exact quarter figures (item 9) --------------------------------------------------------------------

def test_quarter_figures_are_computed_over_the_quarters_rows(world, tmp_path):
    from foljsam.monthly import exports

    october = HEADER + (
        "q1,P-A,c1,S1,2026-10-05T08:00:00,2026-10-05T08:10:00,electronic,A\n"
        "q2,P-A,c2,S2,2026-10-06T08:00:00,2026-10-06T08:20:00,electronic,A\n"
        "q3,P-A,c2,S2,2026-10-07T08:00:00,2026-10-07T08:30:00,manual,A\n")
    november = HEADER + (
        "r1,P-A,c1,S1,2026-11-05T08:00:00,2026-11-05T08:40:00,electronic,A\n"
        "r2,P-A,c3,S3,2026-11-06T08:00:00,2026-11-06T08:50:00,electronic,A\n")
    _import(tmp_path, visits=october)
    _import(tmp_path, visits=november)
    q = services.quarter_figures(year=2026, quarter=4)[world.provider_a.pk]
    # Distinct over the quarter (c1, c2, c3 / S1, S2, S3), not the highest month (2 / 2).
    assert (q["visits"], q["clients"], q["staff"]) == (5, 3, 3)
    # The median of the quarter's five visits (10, 20, 30, 40, 50), not the mean of the monthly medians (25).
    assert q["median_visit_minutes"] == 30.0
    assert q["manual_share"] == pytest.approx(1 / 5)
    data = exports.quarter_matrix(user=world.officer, year=2026, quarter=4)
    assert data.values[("Q", world.provider_a.pk)]["clients"] == 3
    # Stored, and dropped when one of its months is imported again.
    from foljsam.monthly.models import QuarterSnapshot
    assert QuarterSnapshot.objects.filter(quarter="2026-Q4").count() == 1
    _import(tmp_path, visits=november + "r3,P-A,c4,S4,2026-11-07T08:00:00,2026-11-07T08:05:00,electronic,A\n")
    assert not QuarterSnapshot.objects.exists()
    assert services.quarter_figures(year=2026, quarter=4)[world.provider_a.pk]["clients"] == 4


def test_quarter_figures_leave_out_months_no_import_declared(world, tmp_path):
    _import(tmp_path, visits=october_export())  # holds 1 November rows, November never imported
    q = services.quarter_figures(year=2026, quarter=4)[world.provider_a.pk]
    assert q["visits"] == 40


def test_grants_alone_declare_no_month_but_recompute_the_ones_they_touch(world, tmp_path):
    _import(tmp_path, visits=october_export())
    before = KpiSnapshot.objects.get(provider=world.provider_a, period="2026-10").values
    assert before["granted_minutes"] == 0
    run = _import(tmp_path, grants=GRANTS)
    assert run.status == ImportRun.Status.DONE and run.period == ""
    assert services.declared_periods() == ["2026-10"]
    assert KpiSnapshot.objects.get(provider=world.provider_a, period="2026-10").values["granted_minutes"] == 600
    reports = ("report_id,provider_id,client_id,kind,event_date,reported_at\n"
               "r1,P-A,19400101-1234,sjukhusvistelse,2026-12-03,2026-12-04\n")
    run = _import(tmp_path, additional_reports=reports)
    assert run.period == "" and services.declared_periods() == ["2026-10"]
