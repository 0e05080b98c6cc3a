"""The key figures on Spark equal DuckDB's figure by figure (issue 13): on generated data with every
anomaly pattern the engine knows – the demo generator (manual, quick succession, generic, repeat,
no grant, dominant staff, late reports), the benchmark generator (double staffing, short visits,
repeat / quick / overlap sequences, grants ending mid-month) and the hand-written cases of
test_dialects (continuity, long days, month boundaries) – for a month and a quarter, through the
command line (local Spark and a real Spark Connect server), and over a store partitioned hive-style
by period."""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from foljsam.monthly import demo
from foljsam.monthly.engine.importer import import_file
from foljsam.monthly.engine.kpis import CATALOGUE, compute_kpis
from foljsam.monthly.engine.spark import kind_uris, spark_compute_kpis

from . import test_dialects as hand

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench import monthly as bench  # noqa: E402

KEY = b"spark-test-key-0123456789-abcdef"
KINDS = ("visits", "grants", "additional_reports")


def _hand_written_csv(folder: Path) -> dict[str, Path]:
    """test_dialects' tables as import CSVs (providers P1-P3)."""
    paths = {k: folder / f"hand_{k}.csv" for k in KINDS}
    headers = {"visits": ["visit_id", "provider_id", "client_id", "staff_id", "check_in", "check_out", "method",
                          "services"],
               "grants": ["client_id", "provider_id", "service_code", "minutes_per_month", "valid_from", "valid_to"],
               "additional_reports": ["report_id", "provider_id", "client_id", "kind", "event_date", "reported_at"]}
    order = {"visits": (1, 0, 2, 3, 4, 5, 6, 7), "grants": (1, 0, 2, 3, 4, 5), "additional_reports": (1, 0, 2, 3, 4, 5)}
    for kind in KINDS:
        with open(paths[kind], "w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(headers[kind])
            for row in hand.DATA[kind]:
                vals = [row[i] for i in order[kind]]
                out.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in vals])
    return paths


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spark-store")
    data = tmp / "monthly"
    (tmp / "bench").mkdir()
    bench.generate(tmp / "bench", 20_000)
    (tmp / "demo").mkdir()
    sets = [demo.generate(tmp / "demo"), {k: tmp / "bench" / f"{k}.csv" for k in KINDS}, _hand_written_csv(tmp)]
    providers = {*demo.PROVIDERS, *(f"P{i:02d}" for i in range(bench.PROVIDERS)), "P1", "P2", "P3"}
    for paths in sets:
        for kind in KINDS:
            import_file(paths[kind], kind, data, KEY, providers)
    return data


def _assert_same(duck: list[dict], spark: list[dict]) -> None:
    assert [r["provider_id"] for r in spark] == [r["provider_id"] for r in duck]
    diffs = []
    for d, s in zip(duck, spark, strict=True):
        assert set(s) == set(d)
        for k in CATALOGUE:
            a, b = d[k.key], s[k.key]
            same = (a is None and b is None) or (
                a is not None and b is not None and type(a) is type(b)
                and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12))
            if not same:
                diffs.append((d["provider_id"], k.key, a, b))
    assert not diffs, diffs[:10]


def test_spark_equals_duckdb_for_a_month_and_a_quarter(spark, store):
    march = compute_kpis(store, "2026-03")
    # Every pattern fires somewhere in the data compared, so an engine that got one wrong would differ.
    for key in ("manual_share", "generic_share", "short_visit_share", "repeat_share", "quick_succession_share",
                "overlap_share", "visits_without_grant_share", "continuity_mean", "dominant_staff_clients",
                "staff_long_days", "late_additional_reports"):
        assert any(r[key] for r in march), key
    assert len(march) > 30
    _assert_same(march, spark_compute_kpis(store, "2026-03", spark=spark))
    quarter = ["2026-07", "2026-08", "2026-09"]  # the demo's manual and generic months
    q = compute_kpis(store, quarter, provider_ids=["HT-AROS", "HT-NYCKELN", "HT-LINNEA", "NONE"])
    assert any(r["generic_share"] for r in q) and any(r["manual_share"] for r in q)
    _assert_same(q, spark_compute_kpis(store, quarter, provider_ids=["HT-AROS", "HT-NYCKELN", "HT-LINNEA", "NONE"],
                                       spark=spark))


def test_spark_hand_written_values(spark, store):
    got = {r["provider_id"]: r for r in spark_compute_kpis(store, "2026-03", provider_ids=["P1", "P2", "P3"],
                                                           spark=spark)}
    for provider, expected in hand.EXPECTED.items():
        for key, value in expected.items():
            assert got[provider][key] == (None if value is None else pytest.approx(value, rel=1e-9)), (provider, key)


def test_command_prints_the_same_json_for_both_engines(spark, store, capsys):
    from django.core.management import call_command

    out = {}
    for engine in ("duckdb", "spark"):
        call_command("monthly", "kpis", "--period", "2026-03", "--engine", engine, "--store", str(store), "--json")
        out[engine] = json.loads(capsys.readouterr().out)
    _assert_same(out["duckdb"], out["spark"])


def test_spark_reads_a_store_partitioned_by_period(spark, store, tmp_path):
    """The layout of issue 13 part 2 (docs/storage.md): the store's current generation, read in place
    through storage.kind_uri, and a tree <root>/<kind>/period=YYYY-MM/*.parquet (a region's copy); the
    partition column is ignored and the figures are the same."""
    from foljsam.monthly.engine import storage

    assert kind_uris(store, "visits") == [storage.kind_uri(store, "visits")]
    assert "/generations/g" in kind_uris(store, "visits")[0]
    parted = tmp_path / "parted"
    parted.mkdir()
    con = duckdb.connect()
    for kind in ("visits", "grants", "additional_reports"):
        con.execute(f"COPY (SELECT * FROM {storage.table_sql(store, kind, with_period=True)}) "
                    f"TO '{parted / kind}' (FORMAT parquet, PARTITION_BY (period))")
    assert kind_uris(parted, "visits") == [str(parted / "visits")]
    assert kind_uris("hdfs://nn:8020/foljsam/monthly", "grants") == [
        "hdfs://nn:8020/foljsam/monthly/grants", "hdfs://nn:8020/foljsam/monthly/grants.parquet"]
    ids = ["P1", "P2", "P3", "P05", "HT-EVEO"]
    _assert_same(compute_kpis(store, "2026-03", provider_ids=ids),
                 spark_compute_kpis(f"file://{parted}", "2026-03", provider_ids=ids, spark=spark))


def test_spark_on_an_empty_store(spark, tmp_path):
    assert spark_compute_kpis(tmp_path / "nothing", "2026-03", spark=spark) == []
    rows = spark_compute_kpis(tmp_path / "nothing", "2026-03", provider_ids=["P1"], spark=spark)
    assert rows == compute_kpis(tmp_path / "nothing", "2026-03", provider_ids=["P1"])


def test_command_refusals_name_the_cause(spark, store):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    # No Spark Connect server there: refused at once (the client alone would retry for ~10 minutes).
    with pytest.raises(CommandError, match="127.0.0.1:9"):
        call_command("monthly", "kpis", "--period", "2026-03", "--engine", "spark", "--spark-remote",
                     "sc://127.0.0.1:9", "--store", str(store), "--json")
    with pytest.raises(CommandError, match="Spark Connect"):
        call_command("monthly", "kpis", "--period", "2026-03", "--engine", "spark", "--spark-remote",
                     "http://127.0.0.1:9", "--store", str(store), "--json")
    with pytest.raises(CommandError):
        call_command("monthly", "kpis", "--period", "2026-3", "--engine", "spark", "--json")
    with pytest.raises(CommandError):
        call_command("monthly", "kpis", "--period", "2026-03", "--engine", "duckdb", "--store", "s3a://b/m")


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A real Spark Connect server on 127.0.0.1 at a free port (the jar ships with pyspark): local[2],
    no UI, in its own process group so that the JVM and its launcher are stopped together."""
    pyspark = pytest.importorskip("pyspark")
    home = os.path.dirname(pyspark.__file__)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = tmp_path_factory.mktemp("connect")
    log = open(tmp / "server.log", "w")
    confs = {"spark.connect.grpc.binding.address": "127.0.0.1", "spark.connect.grpc.binding.port": port,
             "spark.ui.enabled": "false", "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
             "spark.sql.shuffle.partitions": 2, "spark.local.dir": tmp / "local",
             "spark.sql.warehouse.dir": tmp / "warehouse"}
    cmd = [os.path.join(home, "bin", "spark-submit"), "--class",
           "org.apache.spark.sql.connect.service.SparkConnectServer", "--master", "local[2]", "--driver-memory", "1g",
           *(a for k, v in confs.items() for a in ("--conf", f"{k}={v}"))]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "SPARK_HOME": home})
    try:
        deadline = time.monotonic() + 180  # a start-up bound on a loaded machine, not a speed assertion
        while True:
            assert proc.poll() is None, (tmp / "server.log").read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp / "server.log").read_text()[-3000:]
                time.sleep(0.5)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_command_over_spark_connect_prints_the_same_json_as_duckdb(connect_server, spark, store, capsys):
    """`--spark-remote sc://…` against a real Connect server, while a local session lives in this process
    (the `spark` fixture) – the builder that refuses that case is not used – and leaves no Connect mode
    behind: the local session still computes afterwards."""
    from django.core.management import call_command

    out = {}
    for engine, extra in (("duckdb", []), ("spark", ["--spark-remote", f"sc://127.0.0.1:{connect_server}"])):
        call_command("monthly", "kpis", "--period", "2026-03", "--engine", engine, *extra, "--store", str(store),
                     "--json")
        out[engine] = json.loads(capsys.readouterr().out)
    assert len(out["duckdb"]) > 30
    _assert_same(out["duckdb"], out["spark"])
    assert "SPARK_CONNECT_MODE_ENABLED" not in os.environ
    ids = ["P1", "P2", "P3"]
    _assert_same(compute_kpis(store, "2026-03", provider_ids=ids),
                 spark_compute_kpis(store, "2026-03", provider_ids=ids, spark=spark))
    # A relative store path is the client's; it is sent to the server made absolute.
    rel = os.path.relpath(store)
    _assert_same(compute_kpis(store, "2026-07", provider_ids=["HT-AROS"]),
                 spark_compute_kpis(rel, "2026-07", provider_ids=["HT-AROS"],
                                    remote=f"sc://127.0.0.1:{connect_server}"))
