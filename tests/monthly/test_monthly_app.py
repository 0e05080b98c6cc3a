"""The monthly follow-up in the web app: imports, snapshots, thresholds, deviations, exports, access."""

import io
import json
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from foljsam.actions.models import ActionPlan, Deviation
from foljsam.monthly import selectors, services
from foljsam.monthly.engine import storage
from foljsam.monthly.models import ImportRun, KpiSnapshot, Threshold
from foljsam.registry.models import TenderDocument

from ..conftest import people_of, statuses

VISITS = (
    "visit_id,provider_id,client_id,staff_id,check_in,check_out,method,services\n"
    "1,P-A,19400101-1234,S1,2026-03-02T08:00:00,2026-03-02T08:30:00,electronic,dusch\n"
    "2,P-A,19400101-1234,S1,2026-03-02T12:00:00,2026-03-02T12:20:00,manual,inkop\n"
    "3,P-A,19500505-5555,,2026-03-03T09:00:00,2026-03-03T09:10:00,electronic,tillsyn\n"
    "4,P-B,19600606-6666,S9,2026-03-02T08:00:00,2026-03-02T08:40:00,electronic,dusch\n"
    "6,P-B,19600606-6666,S9,2026-03-02T10:00:00,2026-03-02T09:40:00,electronic,dusch\n"
)
GRANTS = (
    "client_id,provider_id,service_code,minutes_per_month,valid_from,valid_to\n"
    "19400101-1234,P-A,hemtjanst,100,2026-01-01,\n"
    "19600606-6666,P-B,hemtjanst,62,2026-03-01,2026-03-31\n"
)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(tmp_path, **texts):
    paths = {k: _write(tmp_path, f"{k}.csv", v) for k, v in texts.items()}
    run = services.import_run_start(files={k: p.name for k, p in paths.items()}, source="test")
    return services.import_run_execute(run=run, paths=paths)


def test_import_stores_rows_reports_rejections_and_computes_snapshots(world, tmp_path):
    run = _import(tmp_path, visits=VISITS, grants=GRANTS)
    assert run.status == ImportRun.Status.DONE
    assert (run.accepted, run.rejected) == (4 + 2, 1)
    reasons = {(r["line"], r["column"]) for r in run.report["rejected"]}
    assert reasons == {(6, "check_out")}
    assert run.period == "2026-03"
    a = KpiSnapshot.objects.get(provider=world.provider_a, period="2026-03").values
    # 3 rows: 30 + 20 + 10 minutes; one manual, one generic; grant 100 min for the whole month.
    assert (a["visits"], a["clients"], a["staff"], a["executed_minutes"]) == (3, 2, 1, 60)
    assert a["manual_share"] == pytest.approx(1 / 3) and a["generic_share"] == pytest.approx(1 / 3)
    assert a["execution_rate"] == pytest.approx(0.6)
    assert a["visits_without_grant_share"] == pytest.approx(1 / 3)
    b = KpiSnapshot.objects.get(provider=world.provider_b, period="2026-03").values
    assert (b["visits"], b["granted_minutes"], b["execution_rate"]) == (1, 62, pytest.approx(40 / 62))


def test_reimport_changes_nothing(world, tmp_path):
    first = _import(tmp_path, visits=VISITS)
    second = _import(tmp_path, visits=VISITS)
    assert second.report["files"][0]["unchanged"] == first.accepted == 4
    assert second.report["files"][0]["new"] == 0
    assert KpiSnapshot.objects.get(provider=world.provider_a, period="2026-03").values["visits"] == 3


def test_a_wrong_file_refuses_the_whole_import_and_it_can_be_retried(world, tmp_path):
    run = _import(tmp_path, visits=VISITS, grants=VISITS)  # visits given as grants
    assert run.status == ImportRun.Status.REFUSED
    assert "Kolumner saknas i filen med beviljade insatser" in run.message or "inte beviljade" in run.message
    assert not storage.has_data(services.data_dir(), "visits")
    assert KpiSnapshot.objects.count() == 0
    run = _import(tmp_path, visits=GRANTS)
    assert run.status == ImportRun.Status.REFUSED
    assert "beviljade insatser, inte besök" in run.message
    assert _import(tmp_path, visits=VISITS, grants=GRANTS).status == ImportRun.Status.DONE


def test_not_utf8_is_refused(world, tmp_path):
    path = tmp_path / "visits.csv"
    path.write_bytes(VISITS.replace("dusch", "duschå").encode("latin-1"))
    run = services.import_run_start(files={"visits": "visits.csv"})
    run = services.import_run_execute(run=run, paths={"visits": path})
    assert run.status == ImportRun.Status.REFUSED and "UTF-8" in run.message


def test_clear_ids_never_reach_database_or_data_dir(world, tmp_path, settings):
    _import(tmp_path, visits=VISITS, grants=GRANTS)
    for path in settings.DATA_DIR.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"19400101-1234" not in data and b"19600606" not in data, path
    dumped = json.dumps([list(ImportRun.objects.values()), list(KpiSnapshot.objects.values())], default=str)
    assert "19400101" not in dumped


def test_command_json_outputs(world, tmp_path, capsys):
    visits = _write(tmp_path, "visits.csv", VISITS)
    call_command("monthly", "import", "--visits", str(visits), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] == 4 and out["period"] == "2026-03"
    assert {"line": 6, "column": "check_out"}.items() <= out["rejected"][0].items()
    assert set(out["rejected"][0]) >= {"line", "column", "reason"}
    call_command("monthly", "kpis", "--period", "2026-03", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["provider_id"] for r in rows] == ["P-A", "P-B"]
    assert rows[0]["visits"] == 3 and rows[0]["execution_rate"] is None  # no grants imported
    assert set(rows[0]) >= {"continuity_mean", "late_additional_reports", "quick_succession_share"}
    with pytest.raises(CommandError):
        call_command("monthly", "kpis", "--period", "2026-13")
    with pytest.raises(CommandError, match="finns inte"):
        call_command("monthly", "import", "--visits", str(tmp_path / "nope.csv"))


def test_command_refusal_exits_with_error(world, tmp_path):
    grants = _write(tmp_path, "g.csv", GRANTS)
    with pytest.raises(CommandError, match="inte besök"):
        call_command("monthly", "import", "--visits", str(grants))


def test_pickup_imports_the_inbox_and_deletes_the_export(world, settings, capsys):
    """The export holds clear personal ids: deleted after a successful import (FOLJSAM_PICKUP_KEEP_DAYS=0)."""
    inbox = services.data_dir() / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "visits-2026-03.csv").write_text(VISITS)
    call_command("monthly", "pickup")
    assert ImportRun.objects.get().source == "pickup" and ImportRun.objects.get().status == ImportRun.Status.DONE
    assert [p for p in inbox.rglob("*") if p.is_file()] == []  # nowhere in the inbox any more
    call_command("monthly", "pickup")
    assert "tom" in capsys.readouterr().out


def test_pickup_keeps_the_export_0600_for_the_set_days_then_deletes_it(world, settings):
    import os

    settings.FOLJSAM_PICKUP_KEEP_DAYS = 3
    inbox = services.data_dir() / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "visits-2026-03.csv").write_text(VISITS)
    exported = time.time() - 10 * 86400  # the export system wrote it long ago: the days count from the import
    os.utime(inbox / "visits-2026-03.csv", (exported, exported))
    call_command("monthly", "pickup")
    call_command("monthly", "pickup")
    kept = list((inbox / "done").iterdir())
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == 0o600
    old = kept[0].stat().st_mtime - 4 * 86400
    os.utime(kept[0], (old, old))
    call_command("monthly", "pickup")  # the next pickup (the worker's schedule) removes what is older
    assert not kept[0].exists()


def test_pickup_and_the_command_check_the_upload_limits_first(world, settings, tmp_path):
    """Item 5: the limits of lib/uploads.py apply to `monthly pickup` and `monthly import` too, before any
    work, and the message names the limit."""
    long_line = "visit_id," + "x" * (70 * 1024) + "\n"
    path = _write(tmp_path, "v.csv", long_line)
    with pytest.raises(CommandError, match="längre än 65536 byte"):
        call_command("monthly", "import", "--visits", str(path))
    assert not ImportRun.objects.exists()
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "monthly": {**settings.UPLOAD_LIMITS["monthly"],
                                                                    "max_bytes": 100}}
    with pytest.raises(CommandError, match="högst 100 byte"):
        call_command("monthly", "import", "--visits", str(_write(tmp_path, "w.csv", VISITS)))
    inbox = services.data_dir() / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "visits-2026-03.csv").write_text(VISITS)
    with pytest.raises(CommandError, match="högst 100 byte"):
        call_command("monthly", "pickup")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and run.report == {"limit": "too_big"}
    failed = list((inbox / "failed").iterdir())
    assert len(failed) == 1 and failed[0].stat().st_mode & 0o777 == 0o600
    assert not (services.data_dir() / "visits.parquet").exists()


def test_thresholds_precedence_and_validation(world):
    tender = TenderDocument.objects.create(area=world.area, name="FFU", version="2026", valid_from="2026-01-01")
    contract = world.provider_a.contracts.get()
    contract.tender = tender
    contract.save()
    assert selectors.Limits().get("manual_share", world.provider_a.pk) == (0.05, 0.10)
    services.threshold_set(key="manual_share", yellow=0.03, red=0.06, by=world.officer)
    services.threshold_set(key="manual_share", tender=tender, yellow=0.2, red=0.3, by=world.officer)
    limits = selectors.Limits()
    assert limits.get("manual_share", world.provider_a.pk) == (0.2, 0.3)
    assert limits.get("manual_share", world.provider_b.pk) == (0.03, 0.06)
    assert limits.status("manual_share", 0.25, world.provider_a.pk) == "yellow"
    assert limits.status("manual_share", 0.25, world.provider_b.pk) == "red"
    with pytest.raises(ValidationError, match="gula gränsen vara lägre"):
        services.threshold_set(key="manual_share", yellow=0.2, red=0.1, by=world.officer)
    with pytest.raises(ValidationError, match="högre än eller lika med"):
        services.threshold_set(key="execution_rate", yellow=0.7, red=0.85, by=world.officer)
    with pytest.raises(ValidationError, match="inga tröskelvärden"):
        services.threshold_set(key="visits", yellow=1, red=2, by=world.officer)
    with pytest.raises(ValidationError, match="Bara uppföljare"):
        services.threshold_set(key="manual_share", yellow=0.01, red=0.02, by=world.user_a)
    services.threshold_reset(key="manual_share", tender=tender, by=world.officer)
    assert Threshold.objects.count() == 1


def _snap(provider, period, **values):
    KpiSnapshot.objects.create(provider=provider, period=period, values={"provider_id": provider.code, **values})


def test_three_red_months_in_a_row_propose_an_indepth_followup(world, client):
    for period in ("2026-01", "2026-02", "2026-03"):
        _snap(world.provider_a, period, manual_share=0.2)
    _snap(world.provider_b, "2026-01", manual_share=0.2)
    _snap(world.provider_b, "2026-02", manual_share=0.01)
    _snap(world.provider_b, "2026-03", manual_share=0.2)
    streaks = selectors.red_streaks(user=world.officer)
    assert [(s.provider.code, s.labels, s.first, s.last) for s in streaks] == [
        ("P-A", ["Andel manuella registreringar"], "2026-01", "2026-03")]
    client.force_login(world.officer)
    body = client.get("/").content.decode()
    assert "Föreslås för fördjupad uppföljning" in body and "Alfa Omsorg AB" in body
    assert selectors.red_streaks(user=world.user_b) == []


def test_a_gap_month_breaks_the_streak(world):
    for period in ("2025-12", "2026-01", "2026-03"):
        _snap(world.provider_a, period, manual_share=0.2)
    assert selectors.red_streaks(user=world.officer) == []


def test_red_figure_becomes_deviation_and_plan(world, client):
    _snap(world.provider_a, "2026-03", manual_share=0.2, visits=10)
    client.force_login(world.officer)
    url = f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/manual_share/avvikelse/"
    page = client.get(url).content.decode()
    assert "20,0 %" in page
    response = client.post(url, {"text": "Manuell registrering 20 %.", "submit_within_weeks": "2"})
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    deviation = Deviation.objects.get()
    assert deviation.source == "monthly" and deviation.source_ref == "monthly:2026-03:manual_share"
    assert list(plan.deviations.all()) == [deviation] and plan.provider == world.provider_a


def test_quarter_exports(world, client):
    from openpyxl import load_workbook

    _snap(world.provider_a, "2026-01", manual_share=0.2, visits=10)
    _snap(world.provider_b, "2026-02", manual_share=0.01, visits=10)
    client.force_login(world.officer)
    response = client.get("/manadsuppfoljning/kvartal/2026-Q1.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Januari 2026", "Februari 2026", "Mars 2026", "Kvartalet"]
    ws = wb["Januari 2026"]
    assert [r[0].value for r in ws.iter_rows(min_row=5)] == ["Alfa Omsorg AB", "Beta Hemtjänst AB"]
    column = [c.value for c in ws[4]].index("Andel manuella registreringar")
    manual = ws.cell(row=5, column=column + 1)
    assert manual.value == 0.2 and manual.fill.fgColor.rgb.endswith("FBD9D7")  # details in test_exports.py
    pdf = client.get("/manadsuppfoljning/kvartal/2026-Q1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # A provider user gets only their own matrix, whatever they ask for.
    client.force_login(world.user_b)
    wb = load_workbook(io.BytesIO(client.get("/manadsuppfoljning/kvartal/2026-Q1.xlsx").content))
    assert [r[0].value for r in wb["Februari 2026"].iter_rows(min_row=5)] == ["Beta Hemtjänst AB"]
    response = client.get(f"/manadsuppfoljning/kvartal/2026-Q1.xlsx?utforare={world.provider_a.pk}")
    assert response.status_code == 404


def test_matrix_and_drilldown_isolation(world, client):
    _snap(world.provider_a, "2026-03", manual_share=0.2, visits=10)
    _snap(world.provider_b, "2026-03", manual_share=0.0, visits=10)
    client.force_login(world.user_b)
    body = client.get("/manadsuppfoljning/").content.decode()
    assert "Beta Hemtjänst AB" in body and "Alfa Omsorg AB" not in body
    assert client.get(f"/manadsuppfoljning/utforare/{world.provider_a.pk}/").status_code == 404
    assert client.get(f"/manadsuppfoljning/utforare/{world.provider_b.pk}/").status_code == 200
    flagged = f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/manual_share/"
    assert client.get(flagged).status_code == 404
    client.force_login(world.officer)
    body = client.get("/manadsuppfoljning/").content.decode()
    assert "Beta Hemtjänst AB" in body and "Alfa Omsorg AB" in body and "20,0 %" in body


OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302
URLS = [
    # url, anonymous, officer, reader, user A, user B
    ("/manadsuppfoljning/", LOGIN, OK, OK, OK, OK),
    ("/manadsuppfoljning/utforare/{a}/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/manadsuppfoljning/utforare/{a}/2026-03/manual_share/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/manadsuppfoljning/utforare/{a}/2026-03/manual_share/avvikelse/", LOGIN, OK, FORBIDDEN, FORBIDDEN,
     FORBIDDEN),
    ("/manadsuppfoljning/import/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/import/{run}/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/import/{run}/avvisade.csv", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/omfattning/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/troskelvarden/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/troskelvarden/manual_share/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/mappningar/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/mappningar/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/manadsuppfoljning/kvartal/2026-Q1.xlsx?utforare={a}", LOGIN, OK, OK, OK, NOT_FOUND),
]


@pytest.mark.parametrize("case", URLS, ids=[u[0] for u in URLS])
def test_access_matrix(case, world, client, tmp_path):
    _import(tmp_path, visits=VISITS)
    run = ImportRun.objects.get()
    url = case[0].format(a=world.provider_a.pk, run=run.pk)
    people = people_of(world, "anon", "officer", "reader", "user_a", "user_b")
    assert statuses(client, url, people) == dict(zip(people, case[1:], strict=True)), url


def test_upload_form_rejects_other_file_types(world, client):
    client.force_login(world.officer)
    response = client.post("/manadsuppfoljning/import/", {"visits": SimpleUploadedFile("visits.pdf", b"%PDF-1.4")})
    assert response.status_code == 400 and "varken CSV eller XLSX" in response.content.decode()
    response = client.post("/manadsuppfoljning/import/", {})
    assert "minst en fil" in response.content.decode()


def test_upload_limits_apply_to_the_monthly_import_before_any_work(world, client, settings):
    from foljsam.monthly.models import ImportRun

    client.force_login(world.officer)
    long_line = b"visit_id," + b"x" * (70 * 1024) + b"\n"
    response = client.post("/manadsuppfoljning/import/", {"visits": SimpleUploadedFile("visits.csv", long_line)})
    assert response.status_code == 400 and not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_web_upload_runs_in_background_with_progress(world, client):
    client.force_login(world.officer)
    response = client.post("/manadsuppfoljning/import/", {
        "visits": SimpleUploadedFile("visits.csv", VISITS.encode()),
        "grants": SimpleUploadedFile("grants.csv", GRANTS.encode()),
    })
    assert response.status_code == 302
    run = _wait(ImportRun.objects.get())
    # Step one: checked, nothing stored, the file's month proposed.
    assert run.status == ImportRun.Status.AWAITING and run.period == "2026-03"
    assert not storage.has_data(services.data_dir(), "visits")
    page = client.get(f"/manadsuppfoljning/import/{run.pk}/").content.decode()
    assert 'value="2026-03" selected' in page and "check_out" in page
    uploads = [Path(p) for p in run.uploads.values()]
    assert len(uploads) == 2 and all(p.exists() for p in uploads)
    response = client.post(f"/manadsuppfoljning/import/{run.pk}/bekrafta/", {"period": "2026-03"})
    assert response.status_code == 302
    run = _wait(run)
    assert run.status == ImportRun.Status.DONE and run.by == world.officer and run.period == "2026-03"
    page = client.get(f"/manadsuppfoljning/import/{run.pk}/").content.decode()
    assert "Klar" in page and "visits.csv" in page and "check_out" in page
    for _ in range(50):  # the worker removes the uploads right after it saved the run
        if not any(p.exists() for p in uploads):
            break
        time.sleep(0.1)
    assert not any(p.exists() for p in uploads)  # temporary uploads are removed
    csv_text = b"".join(client.get(f"/manadsuppfoljning/import/{run.pk}/avvisade.csv").streaming_content).decode()
    assert csv_text.splitlines()[0] == "fil,rad,kolumn,orsak" and "visits.csv,6,check_out," in csv_text


def _wait(run):
    for _ in range(100):
        run.refresh_from_db()
        if run.status != ImportRun.Status.RUNNING:
            break
        time.sleep(0.1)
    return run


def test_a_figure_becomes_a_deviation_only_once(world, client):
    _snap(world.provider_a, "2026-03", manual_share=0.2, visits=10)
    client.force_login(world.officer)
    url = f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/manual_share/avvikelse/"
    assert client.post(url, {"text": "Första.", "submit_within_weeks": "2"}).status_code == 302
    response = client.post(url, {"text": "Andra.", "submit_within_weeks": "2"})
    assert response.status_code == 400 and "redan en öppen avvikelse" in response.content.decode()
    assert Deviation.objects.count() == 1
    no_threshold = f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/visits/avvikelse/"
    assert client.get(no_threshold).status_code == 404


@pytest.mark.parametrize("url", [
    "/manadsuppfoljning/utforare/{a}/9999-12/manual_share/", "/manadsuppfoljning/utforare/{a}/0000-01/manual_share/",
    "/manadsuppfoljning/kvartal/0000-Q1.xlsx", "/manadsuppfoljning/?period=9999-12",
    "/manadsuppfoljning/troskelvarden/manual_share/?underlag=abc",
])
def test_absurd_urls_give_404_not_500(world, client, url):
    client.force_login(world.officer)
    status = client.get(url.format(a=world.provider_a.pk)).status_code
    assert status == (200 if "underlag" in url else 404)


def test_stale_running_imports_are_closed(world):
    from datetime import timedelta

    from django.utils import timezone

    run = services.import_run_start(files={"visits": "v.csv"})
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=3))
    fresh = services.import_run_start(files={"visits": "w.csv"})
    assert services.import_runs_close_stale() == 1
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "avbröts" in run.message
    assert fresh.status == ImportRun.Status.RUNNING


def test_uploads_never_land_in_the_data_directory(settings):
    assert settings.DATA_DIR not in services.upload_dir().parents


def test_quarter_matrix_is_sent_to_each_provider(world, client, mailoutbox, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    _snap(world.provider_a, "2026-01", manual_share=0.2, visits=10)
    _snap(world.provider_b, "2026-02", manual_share=0.01, visits=10)
    client.force_login(world.user_a)
    assert client.post("/manadsuppfoljning/kvartal/2026-Q1/skicka/").status_code == 403
    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manadsuppfoljning/kvartal/2026-Q1/skicka/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]
    to_bob = next(m for m in mailoutbox if m.to == ["bob@example.org"])
    names = [a[0] for a in to_bob.attachments]
    assert names == ["matris-manadsuppfoljning-hemtjanst-2026-Q1-P-B.xlsx",
                     "matris-manadsuppfoljning-hemtjanst-2026-Q1-P-B.pdf"]
    wb = load_workbook(io.BytesIO(to_bob.attachments[0][1]))
    assert [r[0].value for r in wb["Februari 2026"].iter_rows(min_row=5)] == ["Beta Hemtjänst AB"]  # only B's own
    assert "kvartal 1 2026" in to_bob.subject
    page = client.get("/manadsuppfoljning/").content.decode()
    assert "skickad" in page


def _awaiting_run(tmp_path):
    upload = tmp_path / "upload-visits.csv"
    upload.write_text(VISITS, encoding="utf-8")
    run = services.import_run_start(files={"visits": "visits.csv"}, source="web")
    return services.import_run_check(run=run, paths={"visits": upload}), upload


def test_confirm_and_cancel_are_for_officers_only(world, client, tmp_path):
    run, upload = _awaiting_run(tmp_path)
    assert run.status == ImportRun.Status.AWAITING and run.period == "2026-03"
    people = people_of(world, "anon", "reader", "user_a", "user_b")
    for action in ("bekrafta", "avbryt"):
        url = f"/manadsuppfoljning/import/{run.pk}/{action}/"
        assert statuses(client, url, people, method="post", data={"period": "2026-03"}) == {
            "anon": LOGIN, "reader": FORBIDDEN, "user_a": FORBIDDEN, "user_b": FORBIDDEN}
    run.refresh_from_db()
    assert run.status == ImportRun.Status.AWAITING and upload.exists()
    client.force_login(world.officer)
    # A month the file does not hold is not offered: refused, nothing started.
    assert client.post(f"/manadsuppfoljning/import/{run.pk}/bekrafta/", {"period": "2026-07"}).status_code == 400
    assert client.post(f"/manadsuppfoljning/import/{run.pk}/avbryt/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED and not upload.exists()
    # A cancelled run cannot be confirmed any more.
    assert client.post(f"/manadsuppfoljning/import/{run.pk}/bekrafta/", {"period": "2026-03"}).status_code == 400
    with pytest.raises(ValidationError) as exc:
        services.import_run_confirm(run=run, period="2026-03", by=world.officer)
    assert exc.value.code == "not_awaiting"


def test_a_forgotten_awaiting_upload_is_closed_and_its_files_removed(world, tmp_path):
    run, upload = _awaiting_run(tmp_path)
    ImportRun.objects.filter(pk=run.pk).update(started_at=run.started_at - services.STALE_AFTER * 2)
    assert services.import_runs_close_stale() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED and not upload.exists() and run.uploads == {}
