from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import duckdb
import pytest

from foljsam.lib.pseudonym import Pseudonymizer
from foljsam.monthly.engine import storage
from foljsam.monthly.engine.importer import (
    MAX_REJECTED_LISTED,
    ColumnMapping,
    FileRefused,
    UnknownProviders,
    import_file,
)

from .conftest import GRANTS_HEADER, KEY, PROVIDERS, REPORTS_HEADER, VISITS_HEADER

PNR = "194501011234"  # a clear client id (personnummer-like)
STAFF = "anna.andersson"


def stored(data_dir, kind="visits", order="1, 2"):
    return duckdb.sql(f"SELECT * FROM {storage.table_sql(data_dir, kind)} ORDER BY {order}").fetchall()


def visits_csv(delim=","):
    rows = [
        ["v1", "P1", PNR, STAFF, "2026-03-01T08:00:00", "2026-03-01T08:30:00", "electronic", "A|B"],
        ["v2", "P1", PNR, "", "2026-03-01 09:00:00", "2026-03-01 09:10:00", "manual", ""],
        ["v3", "P2", "c2", "s2", "2026-03-02T09:00", "2026-03-02T09:15", "electronic", "A"],
    ]
    return VISITS_HEADER.replace(",", delim) + "".join(delim.join(r) + "\n" for r in rows)


def test_pseudonym_is_keyed_stable_and_long_enough():
    p = Pseudonymizer(KEY)
    expected = hmac.new(KEY, PNR.encode(), hashlib.sha256).hexdigest()[:32]
    assert p(PNR) == expected == p(f" {PNR} ")
    assert Pseudonymizer(b"another-key-000000")(PNR) != expected
    assert duckdb.sql(f"SELECT {p.sql_expr(repr(PNR))}").fetchall()[0][0] == expected


def test_semicolon_and_bom(loader):
    path = loader.write("\ufeff" + visits_csv(";"))
    rep = import_file(path, "visits", loader.data, KEY, PROVIDERS)
    assert (rep.accepted, rep.rejected_total, rep.kind("visits").new) == (3, 0, 3)
    rows = stored(loader.data)
    p = Pseudonymizer(KEY)
    assert rows[0] == ("P1", "v1", p(PNR), p(STAFF), dt.datetime(2026, 3, 1, 8),
                       dt.datetime(2026, 3, 1, 8, 30), "electronic", "A|B")
    assert rows[1][3] is None  # generic check-in: staff stays empty
    assert rows[2][4] == dt.datetime(2026, 3, 2, 9, 0)  # minutes-only timestamp accepted


def test_clear_ids_never_stored(loader):
    path = loader.write(visits_csv() + f"v9,P1,{PNR},{STAFF},bad,2026-03-01T08:30:00,electronic,A\n")
    rep = import_file(path, "visits", loader.data, KEY, PROVIDERS)
    assert rep.rejected_total == 1
    for f in loader.data.rglob("*"):
        if f.is_file():
            blob = f.read_bytes()
            assert PNR.encode() not in blob and STAFF.encode() not in blob, f
    # Also decompressed: no stored value equals a clear id.
    values = {v for row in stored(loader.data) for v in row}
    assert PNR not in values and STAFF not in values
    assert PNR not in json.dumps(rep.to_json())


def test_row_rejections_with_line_and_column(loader):
    text = VISITS_HEADER + (
        "v1,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"  # line 2 ok
        "v2,P1,c1,s1,2026-03-01T09:00:00,2026-03-01T08:59:00,electronic,A\n"  # 3: check_out < check_in
        "v3,,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"  # 4: no provider
        "v4,P1,,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"  # 5: empty client
        "v5,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,fax,A\n"  # 6: unknown method
        "v6,P1,c1,s1,2026-02-30T08:00:00,2026-03-01T08:30:00,electronic,A\n"  # 7: bad timestamp
        "v7,P1,c1,s1\n"  # 8: too few columns
        "v8,P1,c1,s1,2026-03-01T10:00:00,2026-03-01T10:30:00,electronic,A\n"  # 9 ok, after a skipped line
        "v8,P1,c1,s1,2026-03-01T11:00:00,2026-03-01T11:30:00,electronic,A\n"  # 10: same key, this one wins
    )
    rep = import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS)
    got = [(r["line"], r["column"]) for r in rep.kind("visits").rejected]
    assert got == [(3, "check_out"), (4, "provider_id"), (5, "client_id"), (6, "method"), (7, "check_in"),
                   (8, None), (9, "provider_id, visit_id")]
    assert "rad 10" in rep.kind("visits").rejected[-1]["reason"]
    assert rep.accepted == 2 and rep.rejected_total == 7
    assert [r[1] for r in stored(loader.data)] == ["v1", "v8"]
    assert stored(loader.data)[1][4] == dt.datetime(2026, 3, 1, 11)
    js = rep.to_json()
    assert js["accepted"] == 2 and js["rejected"][0] == {
        "line": 3, "column": "check_out", "reason": "Utkvittens är före inkvittens", "file": "f1.csv",
        "kind": "visits"}
    assert len(list((loader.data / "import_reports").glob("*.json"))) == 1
    # Grouped by reason: counts and first lines; one group per (column, reason).
    groups = {(g["column"], g["count"]): g["lines"] for g in rep.kind("visits").groups}
    assert groups[("check_out", 1)] == [3] and groups[(None, 1)] == [8] and groups[("provider_id, visit_id", 1)] == [9]


def test_unknown_provider_ids_refuse_the_file_naming_ids_and_counts(loader):
    text = VISITS_HEADER + "".join(
        f"v{i},{p},c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"
        for i, p in enumerate(["P1", "X7", "X7", "X7", "X8", "P2"]))
    with pytest.raises(UnknownProviders) as exc:
        import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS)
    assert exc.value.counts == {"X7": 3, "X8": 1}
    assert "X7 (3 rader)" in str(exc.value) and "X8 (1 rader)" in str(exc.value)
    assert not storage.has_data(loader.data, "visits")  # nothing stored


def test_rejections_grouped_and_all_rows_in_a_csv(loader, tmp_path):
    bad = "".join(f"v{i},P1,,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n" for i in range(1500))
    bad += "w1,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T07:30:00,electronic,A\n"
    out = tmp_path / "rej.csv"
    rep = import_file(loader.write(VISITS_HEADER + bad), "visits", loader.data, KEY, PROVIDERS, rejects_csv=out)
    f = rep.kind("visits")
    assert [(g["column"], g["count"], g["lines"]) for g in f.groups] == [
        ("client_id", 1500, [2, 3, 4, 5, 6]), ("check_out", 1, [1502])]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 1501 and lines[0] == "fil,rad,kolumn,orsak"


def test_dry_run_reports_months_and_stores_nothing(loader):
    text = VISITS_HEADER + (
        "v1,P1,c1,s1,2026-09-30T23:10:00,2026-09-30T23:40:00,electronic,A\n"
        "v2,P1,c1,s1,2026-10-01T08:00:00,2026-10-01T08:30:00,electronic,A\n"
        "v3,P1,c1,s1,2026-10-02T08:00:00,2026-10-02T08:30:00,electronic,A\n"
        "v4,P1,c1,s1,2026-11-01T00:10:00,2026-11-01T00:30:00,electronic,A\n")
    rep = import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS, dry_run=True)
    assert rep.kind("visits").months == {"2026-09": 1, "2026-10": 2, "2026-11": 1}
    assert not storage.has_data(loader.data, "visits")
    grants = GRANTS_HEADER + "c1,P1,A,100,2026-01-01,2026-03-31\nc2,P1,A,100,2026-02-01,\n"
    rep = import_file(loader.write(grants), "grants", loader.data, KEY, PROVIDERS)
    assert rep.kind("grants").span == {"first": "2026-01", "last": None}


def test_rejected_list_is_capped(loader):
    bad = "".join(f"v{i},P1,,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n" for i in range(1500))
    rep = import_file(loader.write(VISITS_HEADER + bad), "visits", loader.data, KEY, PROVIDERS)
    f = rep.kind("visits")
    assert f.rejected_total == 1500 and len(f.rejected) == MAX_REJECTED_LISTED
    assert f.to_json()["rejected_truncated"] is True
    assert not storage.has_data(loader.data, "visits")


@pytest.mark.parametrize("key_hash", ["hash({key})", "length(provider_id)"])
def test_idempotent_reimport_and_replacement_by_key(loader, monkeypatch, key_hash):
    """Stored keys are screened by a hash of the key before they are matched (importer.KEY_HASH); with an
    expression many keys share (the provider id's length) every stored row passes the screen and the
    counts and rows are still decided by the keys."""
    from foljsam.monthly.engine import importer

    monkeypatch.setattr(importer, "KEY_HASH", key_hash)
    path = loader.write(visits_csv())
    first = import_file(path, "visits", loader.data, KEY, PROVIDERS)
    before = stored(loader.data)
    generation = storage.manifest(loader.data)["generation"]
    again = import_file(path, "visits", loader.data, KEY, PROVIDERS)
    assert (first.accepted, again.accepted, again.replaced, again.kind("visits").unchanged) == (3, 3, 0, 3)
    assert stored(loader.data) == before
    assert storage.manifest(loader.data)["generation"] == generation  # not even rewritten

    changed = loader.write(VISITS_HEADER + (
        "v1,P1,c9,s1,2026-03-01T08:00:00,2026-03-01T08:45:00,manual,A\n"  # known key: replaces
        "v1,P2,c9,s1,2026-03-01T08:00:00,2026-03-01T08:45:00,manual,A\n"  # same visit_id, other provider: new
    ))
    rep = import_file(changed, "visits", loader.data, KEY, PROVIDERS)
    f = rep.kind("visits")
    assert (f.accepted, f.new, f.replaced, f.unchanged) == (2, 1, 1, 0)
    rows = stored(loader.data)
    assert len(rows) == 4
    v1 = [r for r in rows if r[:2] == ("P1", "v1")]
    assert v1 == [("P1", "v1", Pseudonymizer(KEY)("c9"), Pseudonymizer(KEY)("s1"), dt.datetime(2026, 3, 1, 8),
                   dt.datetime(2026, 3, 1, 8, 45), "manual", "A")]


def test_missing_columns_refused_and_nothing_stored(loader):
    import_file(loader.write(visits_csv()), "visits", loader.data, KEY, PROVIDERS)
    before = stored(loader.data)
    text = "visit_id,provider_id,client_id,staff_id,check_in,services\nv9,P1,c,s,2026-03-01T08:00:00,A\n"
    with pytest.raises(FileRefused) as exc:
        import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS)
    assert str(exc.value) == "Kolumner saknas i besöksfilen: check_out, method"
    assert stored(loader.data) == before


def test_missing_columns_on_empty_dir_creates_no_file(loader):
    with pytest.raises(FileRefused):
        import_file(loader.write("a,b\n1,2\n"), "grants", loader.data, KEY, PROVIDERS)
    assert not storage.has_data(loader.data, "grants")


def test_wrong_kind_refused(loader):
    grants = loader.write(GRANTS_HEADER + "c1,P1,SERV,100,2026-01-01,\n")
    with pytest.raises(FileRefused, match="ser ut att vara en fil med beviljade insatser, inte besök"):
        import_file(grants, "visits", loader.data, KEY, PROVIDERS)
    visits = loader.write(visits_csv())
    with pytest.raises(FileRefused, match="fil med besök, inte tilläggsrapporter"):
        import_file(visits, "additional_reports", loader.data, KEY, PROVIDERS)


def test_non_utf8_and_non_csv_refused(loader):
    latin = loader.write(visits_csv().replace("c2", "Åsa"), encoding="latin-1")
    with pytest.raises(FileRefused, match="^Filen är inte UTF-8-kodad"):
        import_file(latin, "visits", loader.data, KEY, PROVIDERS)
    pdf = loader.tmp / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n\0\0binary")
    with pytest.raises(FileRefused, match="varken CSV eller XLSX"):
        import_file(pdf, "visits", loader.data, KEY, PROVIDERS)
    assert not storage.has_data(loader.data, "visits")


def test_encoding_checked_while_reading_not_in_a_separate_pass(loader):
    """The rows' encoding is checked by the read itself (no second pass over the file): a byte that is
    not UTF-8 in any row refuses the whole file, naming its offset; so does one in the header line,
    which check_file (before a multi-file import) decodes on its own."""
    from foljsam.monthly.engine.importer import check_file

    good = visits_csv().encode()
    at = good.index(b"c2")  # a client id on the last row, far from the header
    bad_row = loader.tmp / "bad-row.csv"
    bad_row.write_bytes(good[:at] + b"\xc5sa" + good[at + 2:])
    check_file(bad_row, "visits")  # the header is fine: the rows are checked when read
    with pytest.raises(FileRefused, match=f"^Filen är inte UTF-8-kodad.*byte {at}\\)"):
        import_file(bad_row, "visits", loader.data, KEY, PROVIDERS)
    with pytest.raises(FileRefused, match="^Filen är inte UTF-8-kodad"):
        import_file(bad_row, "visits", loader.data, KEY, PROVIDERS, dry_run=True)
    truncated = loader.tmp / "truncated.csv"
    truncated.write_bytes(good.rstrip(b"\n") + b"\xc3")  # ends inside a character
    with pytest.raises(FileRefused, match="^Filen är inte UTF-8-kodad"):
        import_file(truncated, "visits", loader.data, KEY, PROVIDERS)
    bad_header = loader.tmp / "bad-header.csv"
    bad_header.write_bytes(b"\xc5" + good)
    for call in (lambda: check_file(bad_header, "visits"),
                 lambda: import_file(bad_header, "visits", loader.data, KEY, PROVIDERS)):
        with pytest.raises(FileRefused, match="^Filen är inte UTF-8-kodad.*byte 0\\)"):
            call()
    assert not storage.has_data(loader.data, "visits")


def test_swedish_headers_with_formats_and_method_values(loader):
    text = (
        "Besöks-ID;Utförare;Personnummer;Medarbetare;Inkvittens;Utkvittens;Registrering;Insatser\n"
        f"b1;P1;{PNR};{STAFF};01/03/2026 08:00;01/03/2026 08:25;NFC;Dusch\n"
        f"b2;P1;{PNR};;02/03/2026 09:00;02/03/2026 09:05;Manuell;\n"
        f"b3;P1;{PNR};x;2026-03-03 09:00:00;2026-03-03 09:05:00;Okänd;\n"  # ISO ok; unknown method
    )
    mapping = ColumnMapping(
        columns={"visit_id": "Besöks-ID", "provider_id": "utförare", "client_id": "Personnummer",
                 "staff_id": "Medarbetare", "check_in": "Inkvittens", "check_out": "Utkvittens",
                 "method": "Registrering", "services": "Insatser"},
        timestamp_format="%d/%m/%Y %H:%M",
        method_values={"NFC": "electronic", "manuell": "manual"},
    )
    rep = import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS, mapping=mapping)
    assert rep.accepted == 2
    assert rep.rejected == [{"line": 4, "column": "method", "file": "f1.csv", "kind": "visits",
                             "reason": "Okänd registreringsmetod (ska vara electronic eller manual)"}]
    rows = stored(loader.data)
    assert [(r[1], r[4], r[6]) for r in rows] == [
        ("b1", dt.datetime(2026, 3, 1, 8), "electronic"), ("b2", dt.datetime(2026, 3, 2, 9), "manual")]


def test_grants_with_date_format_and_key(loader):
    text = (
        "Personnummer,Utförare,Insats,Minuter,Från,Till\n"
        f"{PNR},P1,SERV,\"120,5\",20260101,\n"
        f"{PNR},P1,SERV,100,20260101,20260331\n"  # same key (client, provider, service, from): last wins
        f"{PNR},P1,TILL,-5,20260101,\n"  # negative minutes
        f"{PNR},P1,TILL,50,20260201,20260101\n"  # valid_to before valid_from
    )
    mapping = ColumnMapping(columns={"client_id": "Personnummer", "provider_id": "Utförare",
                                     "service_code": "Insats", "minutes_per_month": "Minuter",
                                     "valid_from": "Från", "valid_to": "Till"}, date_format="%Y%m%d")
    rep = import_file(loader.write(text), "grants", loader.data, KEY, PROVIDERS, mapping=mapping)
    assert rep.accepted == 1
    assert [(r["line"], r["column"]) for r in rep.rejected] == [
        (2, "provider_id, client_id, service_code, valid_from"), (4, "minutes_per_month"), (5, "valid_to")]
    assert stored(loader.data, "grants") == [
        ("P1", Pseudonymizer(KEY)(PNR), "SERV", 100.0, dt.date(2026, 1, 1), dt.date(2026, 3, 31))]


def test_additional_reports_date_or_timestamp(loader):
    text = REPORTS_HEADER + (
        "r1,P1,c1,sjukhus,2026-03-01,2026-04-05\nr2,P1,c1,resa,2026-03-02,2026-04-06T10:00:00\n")
    rep = import_file(loader.write(text), "additional_reports", loader.data, KEY, PROVIDERS)
    assert rep.accepted == 2
    assert [r[5] for r in stored(loader.data, "additional_reports")] == [
        dt.datetime(2026, 4, 5), dt.datetime(2026, 4, 6, 10)]


def test_xlsx_import_with_typed_cells(loader):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(VISITS_HEADER.strip().split(","))
    ws.append(["x1", "P1", 194501011234, STAFF, dt.datetime(2026, 3, 1, 8), dt.datetime(2026, 3, 1, 8, 20),
               "electronic", "A"])
    ws.append([None] * 8)  # an empty row is skipped, line numbers keep the sheet's row
    ws.append(["x2", "P1", PNR, None, "2026-03-01T09:00:00", "2026-03-01T08:00:00", "manual", None])
    path = loader.tmp / "visits.xlsx"
    wb.save(path)
    phases = []
    rep = import_file(path, "visits", loader.data, KEY, PROVIDERS,
                      progress=lambda p, f: phases.append((p, f)))
    assert rep.accepted == 1
    assert [(r["line"], r["column"]) for r in rep.rejected] == [(4, "check_out")]
    row = stored(loader.data)[0]
    assert row[2] == Pseudonymizer(KEY)(PNR)  # the number 194501011234.0 is read as the same id
    assert row[4] == dt.datetime(2026, 3, 1, 8)
    fractions = [f for _, f in phases]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and phases[-1][0] == "klart"


def test_absurd_values_are_rejected_not_stored(tmp_path):
    """One row with 9999-12-31 or an infinite number must not poison every later month."""
    from foljsam.monthly.engine.kpis import available_periods, compute_kpis

    data = tmp_path / "data"
    visits = tmp_path / "v.csv"
    visits.write_text(
        "visit_id,provider_id,client_id,staff_id,check_in,check_out,method,services\n"
        "1,P1,c1,s1,2026-03-02T08:00:00,2026-03-02T08:30:00,electronic,a\n"
        "2,P1,c1,s1,9999-12-31T08:00:00,9999-12-31T08:30:00,electronic,a\n"
    )
    grants = tmp_path / "g.csv"
    grants.write_text(
        "client_id,provider_id,service_code,minutes_per_month,valid_from,valid_to\n"
        "c1,P1,x,inf,2026-01-01,\n"
        "c1,P1,y,nan,2026-01-01,\n"
        "c1,P1,z,99999999,2026-01-01,\n"
        "c1,P1,w,600,1900-01-01,\n"
        "c1,P1,v,600,2026-01-01,\n"
    )
    reports = tmp_path / "r.csv"
    reports.write_text("report_id,provider_id,client_id,kind,event_date,reported_at\n"
                       "r1,P1,c1,x,9999-12-31,2026-03-01\n")
    v = import_file(visits, "visits", data, KEY)
    g = import_file(grants, "grants", data, KEY)
    r = import_file(reports, "additional_reports", data, KEY)
    assert [(x["line"], x["column"], x["reason"]) for x in v.rejected] == [
        (3, "check_in", "Datumet ligger utanför åren 2000–2099")]
    assert sorted(x["line"] for x in g.rejected) == [2, 3, 4, 5]
    assert {x["column"] for x in g.rejected} == {"minutes_per_month", "valid_from"}
    assert r.accepted == 0 and r.rejected[0]["column"] == "event_date"
    assert available_periods(data) == ["2026-03"]
    [row] = compute_kpis(data, "2026-03")
    assert row["visits"] == 1 and row["granted_minutes"] == 600


@pytest.mark.parametrize("candidate", ["hash({key})", "length(provider_id)"])
def test_duplicate_keys_are_found_by_the_key_whatever_its_hash(loader, monkeypatch, candidate):
    """Rows become duplicate candidates by a hash of their key; the duplicates themselves are decided by
    the key. With an expression shared by every key (here the provider id's length), every row is a
    candidate and still only real repeats are rejected, each naming the line that wins."""
    from foljsam.monthly.engine import importer

    monkeypatch.setattr(importer, "KEY_HASH", candidate)
    text = VISITS_HEADER + (
        "v1,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"  # 2: repeated on 5 and 6
        "v2,P1,c1,s1,2026-03-01T09:00:00,2026-03-01T09:30:00,electronic,A\n"  # 3
        "v1,P2,c1,s1,2026-03-01T09:00:00,2026-03-01T09:30:00,electronic,A\n"  # 4: another provider's v1
        "v1,P1,c1,s1,2026-03-01T10:00:00,2026-03-01T10:30:00,electronic,A\n"  # 5
        "v1,P1,c1,s1,2026-03-01T11:00:00,2026-03-01T11:30:00,electronic,A\n"  # 6: this one wins
    )
    rep = import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS).kind("visits")
    assert [(r["line"], r["column"]) for r in rep.rejected] == [(2, "provider_id, visit_id"),
                                                              (5, "provider_id, visit_id")]
    assert all("rad 6" in r["reason"] for r in rep.rejected)
    assert (rep.accepted, rep.rejected_total) == (3, 2)
    assert [(r[0], r[1], r[4].hour) for r in stored(loader.data)] == [("P1", "v1", 11), ("P1", "v2", 9),
                                                                     ("P2", "v1", 9)]


def test_line_endings_cr_lf_and_crlf_and_an_overlong_header(loader):
    """DuckDB reads all three line endings; the header line is found the same way (a lone CR ends it).
    A first line longer than MAX_HEADER_BYTES is refused as not a header."""
    from foljsam.monthly.engine.importer import MAX_HEADER_BYTES, check_file

    for i, ending in enumerate(("\n", "\r\n", "\r")):
        path = loader.tmp / f"endings-{i}.csv"
        path.write_bytes(visits_csv().replace("\n", ending).encode())
        check_file(path, "visits")
        rep = import_file(path, "visits", loader.tmp / f"data-{i}", KEY, PROVIDERS)
        assert (rep.accepted, rep.rejected_total) == (3, 0), ending
    long = loader.tmp / "long.csv"
    long.write_bytes(("å" * MAX_HEADER_BYTES).encode() + b"\n" + visits_csv().encode())
    for call in (lambda: check_file(long, "visits"), lambda: import_file(long, "visits", loader.data, KEY, PROVIDERS)):
        with pytest.raises(FileRefused, match="^Rubrikraden är längre än"):
            call()


def test_a_report_that_cannot_be_written_after_the_commit_does_not_undo_the_import(loader, monkeypatch):
    """The JSON report is written after the store's commit; if that fails (a full disk) the rows stay
    stored, the error is logged, and the other files' reports are still written."""
    import errno

    from foljsam.monthly.engine import importer

    real, calls = importer._save_report, []

    def save(data_dir, report):
        calls.append(report.files[0].kind)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(data_dir, report)

    monkeypatch.setattr(importer, "_save_report", save)
    with storage.transaction(loader.data) as tx:
        import_file(loader.write(visits_csv()), "visits", loader.data, KEY, PROVIDERS, tx=tx)
        import_file(loader.write(REPORTS_HEADER + "r1,P1,c1,sjukhus,2026-03-02,2026-03-03\n"),
                    "additional_reports", loader.data, KEY, PROVIDERS, tx=tx)
    assert calls == ["visits", "additional_reports"]
    assert len(stored(loader.data)) == 3 and len(stored(loader.data, "additional_reports")) == 1
    assert [p.name.split("-")[1] for p in (loader.data / "import_reports").glob("*.json")] == ["additional_reports"]


# Whitespace of every kind around a value: what the importer reads row by row untrimmed (TRIMMED_LATER)
# must store and reject exactly as the same file without it.
PADS = [" ", "\t", "\u00a0", "\u3000", "\ufeff", " \u2007"]


@pytest.mark.parametrize("pad", PADS)
def test_visits_padded_with_whitespace_store_what_the_clean_file_stores(loader, tmp_path, pad):
    clean = [
        ["v1", "P1", PNR, STAFF, "2026-03-01T08:00:00", "2026-03-01T08:30:00", "electronic", "A|B"],
        ["v2", "P1", "c2", "", "2026-03-01 09:00", "2026-03-01 09:10", "manual", "B"],
        ["v3", "P2", "c3", "s3", "2026-03-02T09:00", "2026-03-02T09:15", "Electronic", ""],
        ["v4", "P2", "", "s3", "2026-03-02T10:00", "2026-03-02T10:15", "manual", "A"],  # no client: rejected
        ["v5", "P2", "c3", "s3", "2026-03-02T11:00", "2026-03-02T11:15", "fax", "A"],  # unknown method
        ["v6", "P2", "c3", "s3", "2026-03-02 12", "2026-03-02T12:15", "manual", "A"],  # bad check-in
    ]

    def write(rows, name):
        path = tmp_path / name
        path.write_text(VISITS_HEADER + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in rows),
                        encoding="utf-8")
        return path

    padded = [[f"{pad}{v}{pad[::-1]}" if i > 1 else v for i, v in enumerate(r)] for r in clean]
    padded[0][7] = f"{pad}A{pad}|{pad}B{pad}"  # around each code too
    ref = import_file(write(clean, "clean.csv"), "visits", tmp_path / "clean", KEY, PROVIDERS)
    rep = import_file(write(padded, "padded.csv"), "visits", loader.data, KEY, PROVIDERS)
    expected = [(5, "client_id"), (6, "method"), (7, "check_in")]
    assert [(r["line"], r["column"]) for r in rep.kind("visits").rejected] == expected
    assert [(r["line"], r["column"]) for r in ref.kind("visits").rejected] == expected
    assert stored(loader.data) == stored(tmp_path / "clean")
    rows = stored(loader.data)
    assert [r[3] is None for r in rows] == [False, True, False]  # a blank staff id is a generic check-in
    assert [r[7] for r in rows] == ["A|B", "B", ""]


def test_a_file_read_in_many_buffers_numbers_its_lines_as_one_read_does(loader, tmp_path, monkeypatch):
    """DuckDB reads a file in buffers of CSV_BUFFER_BYTES in parallel; the order-preserving read keeps the
    line numbers of rejected rows and which of two rows with the same key is the later one."""
    from foljsam.monthly.engine import importer

    lines, bad = [], {}
    for i in range(20_000):
        if i % 997 == 5:
            bad[i + 2] = "check_out"
            lines.append(f"v{i},P1,c{i % 50},s{i % 7},2026-03-02T08:00:00,2026-03-02T07:00:00,electronic,A\n")
        elif i % 1499 == 7:
            bad[i + 2] = None  # too few columns
            lines.append(f"v{i},P1,c{i % 50}\n")
        else:
            key = "dup" if i in (3, 19_990) else f"v{i}"  # the later row (line 19992) wins
            lines.append(f"{key},P1,c{i % 50},s{i % 7},2026-03-02T08:{i % 60:02d}:00,2026-03-02T09:00:00,manual,A\n")
    path = tmp_path / "big.csv"
    path.write_text(VISITS_HEADER + "".join(lines), encoding="utf-8")
    assert path.stat().st_size > 10 * 64 * 1024
    one = import_file(path, "visits", tmp_path / "one", KEY, PROVIDERS)
    monkeypatch.setattr(importer, "CSV_BUFFER_BYTES", 64 * 1024)
    many = import_file(path, "visits", loader.data, KEY, PROVIDERS)
    for rep in (one, many):
        got = {r["line"]: r["column"] for r in rep.kind("visits").rejected}
        assert got == {**bad, 5: "provider_id, visit_id"}
    assert stored(loader.data) == stored(tmp_path / "one")
    dup = [r for r in stored(loader.data) if r[1] == "dup"]
    assert len(dup) == 1 and dup[0][4] == dt.datetime(2026, 3, 2, 8, 19_990 % 60)


@pytest.mark.parametrize("buffer", [None, 16 * 1024])
def test_an_unclosed_quote_refuses_the_file_naming_its_line(loader, monkeypatch, buffer):
    """A quote that is never closed made DuckDB read the following lines into one value and reject that one
    record: 1,899 rows vanished from a report of 100 accepted and 1 rejected. Such a record refuses the
    whole file, naming the line where it starts; nothing is stored. Also when the file is read in several
    buffers (every file of 16 MB and more; here 16 kB buffers): there the record ends at its buffer's end
    and the rest of that buffer's rows vanished (an 18 MB file: 22,332 accepted, 1 rejected)."""
    lines = [f'v{i},P1,"c{i},s1,2026-03-01 08:00,2026-03-01 09:00,manual\n' if i == 100 else
             f"v{i},P1,c{i % 50},s1,2026-03-01 08:00,2026-03-01 09:00,manual,A\n" for i in range(2000)]
    from foljsam.monthly.engine import importer

    if buffer:
        monkeypatch.setattr(importer, "CSV_BUFFER_BYTES", buffer)
    with pytest.raises(FileRefused) as exc:
        import_file(loader.write(VISITS_HEADER + "".join(lines)), "visits", loader.data, KEY, PROVIDERS)
    assert str(exc.value) == importer.UNCLOSED_QUOTE.format(line=102)
    assert storage.periods(loader.data, "visits") == []
    # A quote closed too early ("c1"x) loses no other row. Read in one buffer, its row is rejected and the
    # file imported; read in several, DuckDB's report cannot tell it from a quote never closed: refused.
    early = [f'v{i},P1,"c1"x,s1,2026-03-01 08:00,2026-03-01 09:00,manual,A\n' if i == 100 else line
             for i, line in enumerate(lines)]
    if buffer:
        with pytest.raises(FileRefused) as exc:
            import_file(loader.write(VISITS_HEADER + "".join(early)), "visits", loader.data, KEY, PROVIDERS)
        assert str(exc.value) == importer.UNCLOSED_QUOTE.format(line=102)
    else:
        rep = import_file(loader.write(VISITS_HEADER + "".join(early)), "visits", loader.data, KEY, PROVIDERS)
        assert (rep.accepted, rep.rejected_total) == (1999, 1)
        assert [r["line"] for r in rep.kind("visits").rejected] == [102]
    # A quoted value that holds a line break but closes is still read (the line numbers after it shift).
    ok = VISITS_HEADER + 'v1,P1,c1,s1,2026-03-01 08:00,2026-03-01 09:00,manual,"A\nB"\n'
    assert import_file(loader.write(ok), "visits", loader.data, KEY, PROVIDERS).accepted == 1


def test_a_file_the_csv_reader_gives_up_on_is_refused_not_a_traceback(loader):
    # Found by fuzzing: quotes and line breaks in an order DuckDB's reader cannot follow ("state machine
    # reached an invalid state"); it used to escape the import as an InvalidInputException.
    text = (VISITS_HEADER
            + '"v9","P1","1945","s2","2026-02-28 23:59","2026-03-31 23:30","manual","A"\n'
            + '450101-1234","anna","2026-03-01 08:00\n","A\tB"\n'
            + '"v3","P1","c1","anna","2026-03-01 08:00","2026-04-02 09:00","electronic","|"\n'
            + '"v4","P1","","s1","2026-04-01 00:10\x0c\u20072026-04-02 09:00","MANUAL","B|A"\n'
            + '"v8","P1","c2","s1","2026-04-01 00:10","2026-04-02 09:00","electronic","A"\nMANUAL\r","A|B"\n')
    from foljsam.monthly.engine import importer

    with pytest.raises(FileRefused) as exc:
        import_file(loader.write(text), "visits", loader.data, KEY, PROVIDERS)
    assert str(exc.value) == importer.UNREADABLE_CSV
    assert storage.periods(loader.data, "visits") == []
