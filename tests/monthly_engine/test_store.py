"""The partitioned Parquet store (storage.py): layout, partitions rewritten only where rows change,
conversion of the single-file layout, all-or-nothing commits, and no spill files left behind."""

from __future__ import annotations

import datetime as dt
import errno
import os
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from foljsam.monthly.engine import storage
from foljsam.monthly.engine.importer import import_file
from foljsam.monthly.engine.kpis import available_periods, compute_kpis

from .conftest import GRANTS_HEADER, KEY, PROVIDERS, REPORTS_HEADER, VISITS_HEADER


def visit(i, day, month="03", provider="P1", client="c1", staff="s1", minutes=30):
    return (f"v{i},{provider},{client},{staff},2026-{month}-{day:02d}T08:00:00,"
            f"2026-{month}-{day:02d}T08:{minutes:02d}:00,electronic,A\n")


def rows(data, kind="visits", order="1, 2"):
    return duckdb.sql(f"SELECT * FROM {storage.table_sql(data, kind)} ORDER BY {order}").fetchall()


def files(data, kind="visits"):
    return storage.manifest(data)["files"].get(kind, {})


def gen_dir(data) -> Path:
    return data / "generations" / f"g{storage.manifest(data)['generation']:06d}"


def inode(data, rel):
    return (gen_dir(data) / rel).stat().st_ino


def test_layout_is_hive_partitioned_by_month_and_readable_in_place(loader):
    loader.load(visits=visit(1, 27, "02") + visit(2, 1) + visit(3, 2),
                grants="c1,P1,A,600,2026-01-15,\nc1,P1,B,60,2026-03-01,2026-03-31\n",
                reports="r1,P1,c1,sjukhus,2026-03-02,2026-03-03\n")
    assert files(loader.data) == {"2026-02": ["visits/period=2026-02/part-0.parquet"],
                                  "2026-03": ["visits/period=2026-03/part-0.parquet"]}
    assert sorted(files(loader.data, "grants")) == ["2026-01", "2026-03"]
    assert list(files(loader.data, "additional_reports")) == ["2026-03"]
    assert (gen_dir(loader.data) / "visits/period=2026-03/part-0.parquet").is_file()
    # Another engine reads the kind's directory in place: the SCHEMAS columns plus the partition column.
    uri = storage.kind_uri(loader.data, "visits")
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{uri}/**/*.parquet', hive_partitioning=true, "
                     "hive_types={'period': VARCHAR}) ORDER BY visit_id")
    assert rel.columns == [*storage.columns("visits"), "period"]
    got = rel.fetchall()
    assert [r[-1] for r in got] == ["2026-02", "2026-03", "2026-03"]
    assert sorted(r[:-1] for r in got) == rows(loader.data)
    assert available_periods(loader.data) == ["2026-02", "2026-03"]
    # Pruning: only the partitions asked for.
    march = duckdb.sql(f"SELECT visit_id FROM {storage.table_sql(loader.data, 'visits', ['2026-03'])}").fetchall()
    assert sorted(march) == [("v2",), ("v3",)]
    assert storage.kind_uri(loader.data, "nothing-stored") == ""


def test_an_import_writes_only_the_partitions_it_changes(loader):
    loader.load(visits=visit(1, 27, "02") + visit(2, 1) + visit(3, 2))
    feb, mar = "visits/period=2026-02/part-0.parquet", "visits/period=2026-03/part-0.parquet"
    before = inode(loader.data, feb), inode(loader.data, mar)
    # A new month: February and March are not rewritten (the next generation links the same files).
    loader.load(visits=visit(4, 1, "04"))
    assert (inode(loader.data, feb), inode(loader.data, mar)) == before
    assert "2026-04" in files(loader.data)
    # New rows in a stored month that replace nothing: one more file in that partition only.
    loader.load(visits=visit(5, 3))
    assert len(files(loader.data)["2026-03"]) == 2 and inode(loader.data, feb) == before[0]
    # A replaced row: its partition is rewritten into one file; the others are untouched.
    loader.load(visits=visit(2, 1, minutes=45))
    assert files(loader.data)["2026-03"] == [mar] and inode(loader.data, feb) == before[0]
    assert [r[1] for r in rows(loader.data)] == ["v1", "v2", "v3", "v4", "v5"]
    assert [r[5].minute for r in rows(loader.data) if r[1] == "v2"] == [45]


def test_a_corrected_check_in_moves_the_row_to_its_new_month(loader):
    loader.load(visits=visit(1, 31) + visit(2, 30))
    report = import_file(loader.write(VISITS_HEADER + visit(1, 1, "04")), "visits", loader.data, KEY, PROVIDERS)
    assert report.kind("visits").replaced == 1
    stored = {r[1]: r[4].month for r in rows(loader.data)}
    assert stored == {"v1": 4, "v2": 3}  # once, in April
    assert sorted(files(loader.data)) == ["2026-03", "2026-04"]


def test_many_appends_are_compacted(loader):
    for i in range(storage.MAX_FILES + 1):
        loader.load(visits=visit(i, 1 + i))
    assert len(files(loader.data)["2026-03"]) == 1
    assert len(rows(loader.data)) == storage.MAX_FILES + 1


def test_single_file_store_of_earlier_versions_is_converted_on_first_use(loader):
    loader.load(visits=visit(1, 27, "02") + visit(2, 1) + visit(3, 2, provider="P2"),
                grants="c1,P1,A,600,2026-01-15,\n", reports="r1,P1,c1,sjukhus,2026-03-02,2026-03-03\n")
    expected = {k: rows(loader.data, k) for k in storage.SCHEMAS}
    figures = compute_kpis(loader.data, "2026-03")
    # Write the same rows in the old layout (one file per kind) into a fresh directory.
    legacy = loader.tmp / "legacy"
    legacy.mkdir()
    for kind in storage.SCHEMAS:
        duckdb.sql(f"COPY (SELECT * FROM {storage.table_sql(loader.data, kind)}) TO '{legacy}/{kind}.parquet'")
    assert compute_kpis(legacy, "2026-03") == figures  # first use converts
    assert not any((legacy / f"{k}.parquet").exists() for k in storage.SCHEMAS)
    assert {k: rows(legacy, k) for k in storage.SCHEMAS} == expected
    assert sorted(files(legacy)) == ["2026-02", "2026-03"]
    # An import into the converted store merges by key as before.
    report = import_file(loader.write(VISITS_HEADER + visit(2, 1)), "visits", legacy, KEY, PROVIDERS)
    assert report.kind("visits").unchanged == 1


def _full_disk_on(call: int, monkeypatch):
    real = storage.write_partitions
    calls = []

    def write(con, select, folder, name, **kw):
        calls.append(folder)
        if len(calls) == call:
            # a partial file first, as a real full disk leaves
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "partial.parquet").write_bytes(b"PAR1")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(con, select, folder, name, **kw)

    monkeypatch.setattr(storage, "write_partitions", write)
    return calls


def test_three_files_commit_all_or_nothing_a_full_disk_stores_nothing(loader, monkeypatch):
    loader.load(visits=visit(1, 1), grants="c1,P1,A,600,2026-01-15,\n",
                reports="r1,P1,c1,sjukhus,2026-03-02,2026-03-03\n")
    before = {k: rows(loader.data, k) for k in storage.SCHEMAS}
    generation = storage.manifest(loader.data)["generation"]
    figures = compute_kpis(loader.data, "2026-03")
    calls = _full_disk_on(2, monkeypatch)  # the second kind (grants) fails
    with pytest.raises(storage.StoreError, match="disken är full") as exc:
        with storage.transaction(loader.data) as tx:
            import_file(loader.write(VISITS_HEADER + visit(2, 2) + visit(1, 1, minutes=50)), "visits",
                        loader.data, KEY, PROVIDERS, tx=tx)
            import_file(loader.write(GRANTS_HEADER + "c1,P1,B,60,2026-03-01,\n"), "grants", loader.data, KEY,
                        PROVIDERS, tx=tx)
            import_file(loader.write(REPORTS_HEADER + "r2,P1,c1,sjukhus,2026-03-05,2026-03-06\n"),
                        "additional_reports", loader.data, KEY, PROVIDERS, tx=tx)
    assert len(calls) == 2 and "beviljade insatser" in str(exc.value)
    assert {k: rows(loader.data, k) for k in storage.SCHEMAS} == before  # exactly as before
    reports = sorted((loader.data / "import_reports").glob("*.json"))
    assert len(reports) == 3  # of the first load: none of a file whose rows were not stored
    assert storage.manifest(loader.data)["generation"] == generation
    assert compute_kpis(loader.data, "2026-03") == figures
    assert not (loader.data / "staging").exists() or not any((loader.data / "staging").iterdir())
    # The same import succeeds once there is room, all three kinds in one generation.
    monkeypatch.undo()
    with storage.transaction(loader.data) as tx:
        import_file(loader.write(VISITS_HEADER + visit(2, 2)), "visits", loader.data, KEY, PROVIDERS, tx=tx)
        import_file(loader.write(GRANTS_HEADER + "c1,P1,B,60,2026-03-01,\n"), "grants", loader.data, KEY,
                    PROVIDERS, tx=tx)
    assert storage.manifest(loader.data)["generation"] == generation + 1
    assert len(rows(loader.data)) == 2 and len(rows(loader.data, "grants")) == 2
    assert len(list((loader.data / "import_reports").glob("*.json"))) == 5  # and its two reports


def test_a_failed_commit_step_keeps_the_old_generation(loader, monkeypatch):
    loader.load(visits=visit(1, 1))
    before = rows(loader.data)
    real = storage._write_atomic

    def fail_on_current(path, text):
        if path.name == storage.CURRENT:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(storage, "_write_atomic", fail_on_current)
    with pytest.raises(storage.StoreError, match="disken är full"):
        loader.load(visits=visit(2, 2))
    monkeypatch.undo()
    assert rows(loader.data) == before
    loader.load(visits=visit(3, 3))  # the half-built generation is cleared away
    assert [r[1] for r in rows(loader.data)] == ["v1", "v3"]
    assert len(list((loader.data / "generations").iterdir())) == 2  # current and previous


def test_leftovers_of_an_interrupted_import_are_removed_at_the_next(loader):
    loader.load(visits=visit(1, 1))
    stale_staging = loader.data / "staging" / "dead" / "visits" / "period=2026-03"
    stale_staging.mkdir(parents=True)
    (stale_staging / "part-0.parquet").write_bytes(b"clear ids")
    orphan = loader.data / "generations" / "g000099"
    orphan.mkdir()
    spill = storage.spill_root() / "999999999-deadbeef"  # no such process
    spill.mkdir(parents=True, exist_ok=True)
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"clear ids")
    loader.load(visits=visit(2, 2))
    assert not (loader.data / "staging" / "dead").exists()
    assert not orphan.exists() and not spill.exists()


def test_recover_at_a_worker_start_cleans_unless_an_import_holds_the_store(loader):
    loader.load(visits=visit(1, 1))
    stale = loader.data / "staging" / "dead"
    stale.mkdir(parents=True)
    with storage.locked(loader.data):
        import threading

        result = []
        worker = threading.Thread(target=lambda: result.append(storage.recover(loader.data)))
        worker.start()
        worker.join(10)
        assert result == [False] and stale.exists()  # an import is running: it is left alone
    assert storage.recover(loader.data) is True and not stale.exists()
    assert [r[1] for r in rows(loader.data)] == ["v1"]


def test_spill_directory_of_an_import_is_removed_even_after_an_exception(loader, monkeypatch):
    seen = []

    def boom(con, select, folder, name, **kw):
        temp = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
        seen.append(temp)
        Path(temp, "spill.tmp").write_bytes(b"clear ids")  # what DuckDB leaves when it spills
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(storage, "write_partitions", boom)
    with pytest.raises(storage.StoreError, match="Input/output error"):
        loader.load(visits=visit(1, 1))
    assert seen and Path(seen[0]).parent == storage.spill_root()
    assert Path(seen[0]).name.startswith(f"{os.getpid()}-") and not Path(seen[0]).exists()
    assert not storage.has_data(loader.data)


def test_municipality_level_is_set_for_the_store_lifetime(loader, monkeypatch):
    monkeypatch.setenv("FOLJSAM_STORE_MUNICIPALITY", "0180")
    loader.load(visits=visit(1, 1))
    assert files(loader.data) == {"2026-03": ["visits/municipality=0180/period=2026-03/part-0.parquet"]}
    uri = storage.kind_uri(loader.data, "visits")
    got = duckdb.sql(f"SELECT municipality, period FROM read_parquet('{uri}/**/*.parquet', hive_partitioning=true, "
                     "hive_types={'municipality': VARCHAR, 'period': VARCHAR})").fetchall()
    assert got == [("0180", "2026-03")]
    assert compute_kpis(loader.data, "2026-03")[0]["visits"] == 1
    monkeypatch.setenv("FOLJSAM_STORE_MUNICIPALITY", "0181")
    with pytest.raises(storage.StoreError):
        loader.load(visits=visit(2, 2))


def test_figures_are_identical_bit_for_bit_when_a_month_is_computed_again(loader):
    text = "".join(visit(i, 1 + i % 28, client=f"c{i % 7}", staff=f"s{i % 3}", minutes=5 + i % 50)
                   for i in range(400))
    loader.load(visits=text, grants="".join(f"c{i},P1,A,{100 + i * 37.3},2026-01-15,\n" for i in range(7)))
    loader.load(visits=visit(1000, 5, minutes=7))  # a second file in the partition: another read order
    first = compute_kpis(loader.data, "2026-03")
    assert len(files(loader.data)["2026-03"]) == 2
    again = compute_kpis(loader.data, "2026-03", con=storage.connect(threads=1))
    assert repr(first) == repr(again)


def test_the_month_before_is_read_as_its_boundary_rows_with_identical_figures(loader, monkeypatch):
    """kpis reads of the month before only the rows that can precede a month row in a sequence check;
    the figures and flagged rows equal those over the whole history (LOOKBACK = False)."""
    import random

    from foljsam.monthly.engine import kpis

    rnd = random.Random(7)
    lines = []
    for i in range(3000):
        # Most rows in the last days of February and the first of March, some long ones across midnight.
        start = dt_from(rnd.choice([27, 28, 29, 30]), rnd.randrange(0, 24 * 60))
        minutes = rnd.choice([1, 5, 20, 40, 600, 2000]) if i % 10 == 0 else rnd.randrange(1, 45)
        end = start + timedelta(minutes=minutes, seconds=rnd.randrange(0, 60))
        staff = "" if i % 17 == 0 else f"s{rnd.randrange(6)}"
        lines.append(f"v{i},P{1 + i % 2},c{rnd.randrange(5)},{staff},{start:%Y-%m-%dT%H:%M:%S},"
                     f"{end:%Y-%m-%dT%H:%M:%S},electronic,{rnd.choice(['A', 'B'])}\n")
    lines += [
        # A repeat 3 minutes after a February check-out (only February row of its partitions).
        "q1,P3,c1,s9,2026-02-28T23:50:00,2026-02-28T23:58:00,electronic,A\n",
        "q2,P3,c1,s9,2026-03-01T00:01:00,2026-03-01T00:10:00,electronic,A\n",
        # The last February row (b1) precedes the March row, not the long visit a1 that ends just before
        # it: no repeat – unless b1 were dropped for its early check-out.
        "a1,P3,c2,s8,2026-02-28T20:00:00,2026-03-01T00:02:00,electronic,A\n",
        "b1,P3,c2,s8,2026-02-28T21:00:00,2026-02-28T21:30:00,electronic,A\n",
        "r1,P3,c2,s8,2026-03-01T00:04:00,2026-03-01T00:20:00,electronic,A\n",
    ]
    loader.load(visits="".join(lines))
    assert sorted(files(loader.data)) == ["2026-02", "2026-03"]
    p3 = {r["provider_id"]: r for r in compute_kpis(loader.data, "2026-03")}["P3"]
    assert [r["visit_id"] for r in kpis.flagged_rows(loader.data, "2026-03", "P3", "repeat_share")] == ["q2"]
    assert p3["visits"] == 2 and p3["overlap_share"] == 0
    pruned = compute_kpis(loader.data, "2026-03")
    flagged = {k.key: kpis.flagged_rows(loader.data, "2026-03", "P1", k.key) for k in kpis.CATALOGUE
               if k.flagged_rows and k.source in ("rows", "dominant", "long_days")}
    assert pruned[0]["repeat_share"] and pruned[0]["quick_succession_share"] and pruned[0]["overlap_share"]
    monkeypatch.setattr(kpis, "LOOKBACK", False)
    assert compute_kpis(loader.data, "2026-03") == pruned
    assert {k: kpis.flagged_rows(loader.data, "2026-03", "P1", k) for k in flagged} == flagged


def dt_from(day_index: int, minute: int):
    # day_index 27, 28 = 27/28 February; 29, 30 = 1/2 March
    from datetime import datetime
    base = datetime(2026, 2, 27) + timedelta(days=day_index - 27)
    return base + timedelta(minutes=minute)


def test_a_file_with_only_rejected_rows_into_a_stored_month_changes_nothing(loader):
    loader.load(visits=visit(1, 1))
    generation = storage.manifest(loader.data)["generation"]
    report = import_file(loader.write(VISITS_HEADER + "v9,P1,c1,s1,nonsense,2026-03-01T08:00:00,electronic,A\n"),
                         "visits", loader.data, KEY, PROVIDERS)
    assert (report.accepted, report.rejected_total, report.kind("visits").changed_months) == (0, 1, [])
    assert storage.manifest(loader.data)["generation"] == generation


def test_a_corrected_row_far_from_the_new_rows_range_counts_as_replaced(loader):
    loader.load(visits=visit(1, 2) + visit(2, 28))
    # v1 moves to 28 March: the stored v1 (2 March) lies outside the new rows' check-in range.
    report = import_file(loader.write(VISITS_HEADER + visit(1, 28, minutes=10) + visit(2, 28)), "visits",
                         loader.data, KEY, PROVIDERS)
    f = report.kind("visits")
    assert (f.new, f.replaced, f.unchanged) == (0, 1, 1)
    assert {r[1]: r[4].day for r in rows(loader.data)} == {"v1": 28, "v2": 28}


@pytest.mark.parametrize("kind", ["visits", "grants"])
def test_a_write_per_partition_stores_what_one_partitioned_write_stores(tmp_path, kind):
    """Transaction.write with the periods known writes each partition on its own (filtered on a range of
    its partition column); the partitions hold the same rows as one COPY … PARTITION_BY, a listed
    period without rows gets no file, and more than PER_PARTITION_MAX periods take the single COPY."""
    column = storage.PARTITION_COLUMN[kind]
    typ = "TIMESTAMP" if kind == "visits" else "DATE"
    # Rows on both edges of months: the 1st at 00:00 and the last day at 23:59:59.
    edges = ["2026-01-01 00:00:00", "2026-01-31 23:59:59", "2026-02-01 00:00:00", "2026-02-28 23:59:59",
             "2026-03-01 00:00:00", "2026-11-30 23:59:59", "2026-12-01 00:00:00", "2026-12-31 23:59:59"]
    con = duckdb.connect()
    con.execute(f"CREATE TABLE src ({storage.SCHEMAS[kind]})")
    for i, edge in enumerate(edges):
        values = {c: None for c in storage.columns(kind)}
        values.update({"provider_id": f"P{i}", "client": "c", column: edge})
        con.execute(f"INSERT INTO src VALUES ({', '.join('?' for _ in values)})", list(values.values()))
    select = f"SELECT *, strftime({column}, '%Y-%m') AS period FROM src"
    order = ", ".join(storage.columns(kind)[:2])
    stored = {}
    for label, where, periods in (
            ("one copy", "", None),
            ("per partition", f" WHERE {column} < {typ} '2026-04-01'", ["2026-01", "2026-02", "2026-03", "2026-04"]),
            ("too many", "", ["2026-01", "2026-02", "2026-03", "2026-11", "2026-12"])):
        data = tmp_path / label.replace(" ", "-")
        with storage.transaction(data) as tx:
            tx.write(con, kind, select + where, rewrite=set(), periods=periods)
        stored[label] = {p: duckdb.sql(f"SELECT * FROM {storage.table_sql(data, kind, [p])} ORDER BY {order}")
                         .fetchall() for p in files(data, kind)}
    assert {p: len(v) for p, v in stored["one copy"].items()} == {
        "2026-01": 2, "2026-02": 2, "2026-03": 1, "2026-11": 1, "2026-12": 2}
    assert stored["too many"] == stored["one copy"]
    # 2026-04 was listed but has no rows: no file, no partition
    assert stored["per partition"] == {p: stored["one copy"][p] for p in ("2026-01", "2026-02", "2026-03")}


def test_re_sent_rows_are_not_appended_again_beside_new_ones(loader):
    """A month whose new rows include re-sent stored ones gets only the others appended; a month with
    only re-sent rows is not written; a month without stored keys is appended whole."""
    loader.load(visits=visit(1, 27, "02") + visit(2, 1))
    export = visit(1, 27, "02") + visit(3, 28, "02") + visit(2, 1) + visit(4, 1, "04")
    report = import_file(loader.write(VISITS_HEADER + export), "visits", loader.data, KEY, PROVIDERS).kind("visits")
    assert (report.new, report.unchanged, report.replaced) == (2, 2, 0)
    assert report.changed_months == ["2026-02", "2026-04"]
    assert [r[1] for r in rows(loader.data)] == ["v1", "v2", "v3", "v4"]  # each once
    assert {p: len(f) for p, f in files(loader.data).items()} == {"2026-02": 2, "2026-03": 1, "2026-04": 1}


def test_a_key_stored_twice_is_counted_once_and_new_rows_beside_it_are_kept(loader):
    """A correction that moves a check-in by two months leaves the old copy (only the neighbouring months
    are searched), so the key is stored twice. A later import must still keep every new row of that
    month – a key hit twice counted as two hits made the month look as if it had no new rows – and
    the stale copy goes when both copies are found."""
    loader.load(visits=visit(1, 10, "03"))
    loader.load(visits=visit(1, 10, "05"))
    assert sorted((r[1], r[4].month) for r in rows(loader.data)) == [("v1", 3), ("v1", 5)]  # ties: any order
    export = visit(1, 10, "05") + visit(2, 11, "05") + visit(3, 11, "04")  # v1 unchanged, v2 and v3 new
    report = import_file(loader.write(VISITS_HEADER + export), "visits", loader.data, KEY, PROVIDERS).kind("visits")
    assert (report.new, report.replaced, report.unchanged) == (2, 1, 0)
    assert sorted((r[1], r[4].month) for r in rows(loader.data)) == [("v1", 5), ("v2", 5), ("v3", 4)]


def test_person_pseudonyms_are_stored_dictionary_encoded_up_to_the_limit(tmp_path):
    """A row group with more distinct clients than DuckDB's default dictionary limit (24,576) keeps the client
    column dictionary-encoded (the store's DICTIONARY_LIMIT)."""
    n = 30_000
    assert 122_880 // 5 < n < storage.DICTIONARY_LIMIT
    con = duckdb.connect()
    select = (f"SELECT 'P1' AS provider_id, 'v' || i AS visit_id, md5(CAST(i AS VARCHAR)) AS client, "
              f"md5(CAST(i % 50 AS VARCHAR)) AS staff, TIMESTAMP '2026-03-01 08:00:00' + INTERVAL (i) SECOND "
              f"AS check_in, '2026-03' AS period FROM range({n}) t(i)")
    storage.write_partitions(con, select, tmp_path, "part-0", ["2026-03"], "check_in")
    written = tmp_path / "period=2026-03" / "part-0.parquet"
    encodings = dict(con.execute(f"SELECT path_in_schema, string_agg(DISTINCT encodings) "
                                 f"FROM parquet_metadata('{written}') GROUP BY 1").fetchall())
    assert "DICTIONARY" in encodings["client"] and "DICTIONARY" in encodings["staff"]
    assert con.execute(f"SELECT count(DISTINCT client) FROM '{written}'").fetchone()[0] == n


def test_visits_written_from_the_typed_maps_are_plain_strings_equal_to_the_text_path(loader, monkeypatch):
    """New rows of visits are written from the maps' ENUM columns (the view new_typed, importer._typed_map);
    a rewritten month from the text view `new`. Both store the same values, as plain UTF-8 strings (what
    Spark and every other reader of the store expects): a 10-digit personnummer (its century from the
    date), a blank staff id (generic), services to normalise and a method in capitals – into an empty
    store, rewritten, and appended beside re-sent rows."""
    from foljsam.lib.pseudonym import Pseudonymizer

    selects = []
    write = storage.write_partitions
    monkeypatch.setattr(storage, "write_partitions", lambda con, select, *a, **k: (
        selects.append(select), write(con, select, *a, **k))[1])
    ps = Pseudonymizer(KEY)
    export = ("v1,P1,450101-1234,s1,2026-03-02T08:00:00,2026-03-02T08:30:00,MANUAL, B | A |A\n"
              "v2,P1,19450101-1234,,2026-03-03T08:00:00,2026-03-03T08:20:00,electronic,A\n"
              "v3,P2,c9,s2,2026-03-04T08:00:00,2026-03-04T08:10:00,electronic,DUSCH\n")
    loader.load(visits=export)
    assert "FROM new_typed" in selects[-1]
    typed = rows(loader.data)
    assert [(r[1], r[2], r[3], r[6], r[7]) for r in typed] == [
        ("v1", ps.client("450101-1234", dt.date(2026, 3, 2)), ps("s1"), "manual", "A|B"),
        ("v2", ps.client("19450101-1234"), None, "electronic", "A"),
        ("v3", ps("c9"), ps("s2"), "electronic", "DUSCH")]
    assert typed[0][2] == typed[1][2]  # the same person written two ways
    written = next(gen_dir(loader.data).glob("visits/period=2026-03/*.parquet"))
    schema = {r[0]: r[1:] for r in duckdb.sql(
        f"SELECT name, type, converted_type, logical_type FROM parquet_schema('{written}')").fetchall()}
    for col in ("client", "staff", "method", "services"):
        assert schema[col][:2] == ("BYTE_ARRAY", "UTF8") and "enum" not in str(schema[col][2]).lower(), col
    # The same file with v3 corrected: the month is rewritten, every row now from the text view.
    report = import_file(loader.write(VISITS_HEADER + export.replace("08:10:00", "08:15:00")), "visits",
                         loader.data, KEY, PROVIDERS).kind("visits")
    assert (report.new, report.replaced, report.unchanged) == (0, 1, 2)
    assert "FROM new " in selects[-1] and "new_typed" not in selects[-1]
    rewritten = rows(loader.data)
    assert rewritten[:2] == typed[:2]
    assert rewritten[2][:5] == typed[2][:5] and rewritten[2][6:] == typed[2][6:]
    assert rewritten[2][5] - typed[2][5] == timedelta(minutes=5)
    # v1 re-sent unchanged beside a new row: only v4 is appended, from the typed view past the re-sent key.
    resent = export.splitlines(keepends=True)[0]
    report = import_file(loader.write(VISITS_HEADER + resent + "v4,P1,450101+1234,,2026-03-05T08:00:00,"
                                      "2026-03-05T08:05:00,Manual,C| B\n"), "visits", loader.data, KEY,
                         PROVIDERS).kind("visits")
    assert (report.new, report.replaced, report.unchanged) == (1, 0, 1)
    assert "FROM new_typed" in selects[-1] and "NOT EXISTS" in selects[-1]
    appended = {r[1]: r for r in rows(loader.data)}
    assert [appended[v] for v in ("v1", "v2", "v3")] == rewritten
    v4 = appended["v4"]
    assert (v4[2], v4[3], v4[6], v4[7]) == (ps.client("450101+1234", dt.date(2026, 3, 5)), None, "manual", "B|C")
    assert v4[2] != appended["v1"][2]  # born 1845: another person than v1's
