"""Issue 12 item 3 and issue 7 item 11 through the service: an import of visits, grants and additional
reports commits all three or none, names a full disk, and a month refreshed twice stores the same bits."""

import errno
import json

from foljsam.monthly import services
from foljsam.monthly.engine import storage
from foljsam.monthly.models import ImportRun, KpiSnapshot

from .test_periods import GRANTS, _import, october_export

REPORTS = ("report_id,provider_id,client_id,kind,event_date,reported_at\n"
           "r1,P-A,19400101-1234,sjukhusvistelse,2026-10-03,2026-10-04\n")


def _stored():
    return {k: sorted(map(repr, storage_rows(k))) for k in storage.SCHEMAS}


def storage_rows(kind):
    import duckdb
    return duckdb.sql(f"SELECT * FROM {storage.table_sql(services.data_dir(), kind)}").fetchall()


def test_a_full_disk_while_storing_the_second_file_stores_nothing(world, tmp_path, monkeypatch):
    first = _import(tmp_path, visits=october_export(), grants=GRANTS, additional_reports=REPORTS)
    assert first.status == ImportRun.Status.DONE
    before, snapshots = _stored(), list(KpiSnapshot.objects.values_list("provider_id", "period", "values"))
    real, calls = storage.write_partitions, []

    def full(con, select, folder, name, **kw):
        calls.append(folder)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(con, select, folder, name, **kw)

    monkeypatch.setattr(storage, "write_partitions", full)
    november = october_export().replace("2026-10-", "2026-11-").replace("2026-09-30", "2026-10-31")
    grants = GRANTS + "19500505-5555,P-A,hemtjanst,200,2026-11-01,\n"
    run = _import(tmp_path, visits=november.replace(",o", ",x"), grants=grants,
                  additional_reports=REPORTS.replace("2026-10", "2026-11"))
    assert run.status == ImportRun.Status.FAILED and "disken är full" in run.message
    assert len(calls) == 2
    assert _stored() == before  # visits, grants and reports exactly as before
    assert list(KpiSnapshot.objects.values_list("provider_id", "period", "values")) == snapshots
    assert services.declared_periods() == ["2026-10"]
    staging = services.data_dir() / "staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_a_month_refreshed_twice_stores_identical_figures(world, tmp_path):
    _import(tmp_path, visits=october_export(), grants=GRANTS, additional_reports=REPORTS)
    first = {s.provider_id: json.dumps(s.values, sort_keys=True) for s in KpiSnapshot.objects.all()}
    services.snapshots_refresh(periods=["2026-10"])
    again = {s.provider_id: json.dumps(s.values, sort_keys=True) for s in KpiSnapshot.objects.all()}
    assert first and first == again


def test_rows_of_a_neighbouring_month_sent_again_unchanged_do_not_recompute_it(world, tmp_path):
    _import(tmp_path, visits=october_export(), grants=GRANTS)
    september = services.next_period("2026-08")
    # The October export again, declared as November's import with one new November row: the September
    # and October rows are identical to the stored ones, so only November (and December) could change.
    text = october_export() + "x1,P-A,19400101-1234,S1,2026-11-03T08:00:00,2026-11-03T08:30:00,electronic,dusch\n"
    run = _import(tmp_path, period="2026-11", visits=text, grants=GRANTS)
    visits = next(f for f in run.report["files"] if f["kind"] == "visits")
    assert visits["changed_months"] == ["2026-11"] and visits["unchanged"] == 44
    assert run.report["refreshed"] == ["2026-11"] and september not in run.report["refreshed"]
    # A changed October row does recompute October (and the month after it).
    changed = text.replace("2026-10-05T08:30:00", "2026-10-05T08:40:00")
    run = _import(tmp_path, period="2026-11", visits=changed, grants=GRANTS)
    assert run.report["refreshed"] == ["2026-10", "2026-11"]
