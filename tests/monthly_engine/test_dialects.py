"""One catalogue, several engines (issue 13): every figure renders for DuckDB, Spark SQL and
PostgreSQL, and the rendered statements compute the same figures on tiny hand-written tables in
DuckDB and in PostgreSQL (the values are worked out in the comments). Spark: test_spark.py."""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlparse

import pytest
import sqlglot

from foljsam.monthly.engine import dialects, storage
from foljsam.monthly.engine.kpis import CATALOGUE, SOURCES, DuckDBRunner, kpi_sql, run_kpis

# What PostgreSQL 15 refused in the catalogue as it was (issue 13), and Spark's DECIMAL literals.
DUCKDB_ONLY = ("date_diff(", "quantile_cont(", "::", "create or replace temp", "unnest(")


def _figure_sql(kpi) -> str:
    """One figure alone, in its source, as the engines run it."""
    params = dict(grants="grants", reports="additional_reports", m_start="DATE '2026-03-01'",
                  m_end="TIMESTAMP '2026-04-01 00:00:00'",
                  months="(SELECT * FROM (VALUES (DATE '2026-03-01', DATE '2026-03-31', 31)) AS v(ms, ml, days))",
                  in_months="DATE '2026-03-01'", late="CAST(reported_at AS DATE) > last_day(event_date) + 5",
                  prov="")
    if kpi.source == "final":
        return f"SELECT {kpi.sql} AS {kpi.key} FROM src_rows r JOIN src_grants g ON g.provider_id = r.provider_id"
    body = "m_rows" if kpi.source == "rows" else f"({SOURCES[kpi.source].format(**params)})"
    return f"SELECT provider_id, {kpi.sql.format(**params)} AS {kpi.key} FROM {body} s GROUP BY provider_id"


@pytest.mark.parametrize("engine", dialects.ENGINES)
@pytest.mark.parametrize("kpi", CATALOGUE, ids=lambda k: k.key)
def test_every_figure_renders_for_every_engine(kpi, engine):
    sql = dialects.render(_figure_sql(kpi), engine)
    assert kpi.key in sql
    sqlglot.parse_one(sql, read=engine)  # the engine's own grammar reads it back
    if engine != "duckdb":
        assert not [t for t in DUCKDB_ONLY if t in sql.lower()], sql


@pytest.mark.parametrize("engine", dialects.ENGINES)
def test_the_whole_statements_render_for_every_engine(engine):
    rows_sql, query = kpi_sql(lambda kind: kind, ["2026-02", "2026-03"], provider_ids=["P1", "P'2"])
    for sql in (rows_sql, query):
        out = dialects.render(sql, engine)
        if engine != "duckdb":
            assert not [t for t in DUCKDB_ONLY if t in out.lower()], out


def test_spark_gets_double_literals_and_the_standard_percentile():
    spark = dialects.render("SELECT avg(CASE WHEN x THEN 1.0 ELSE 0.0 END), quantile_cont(y, 0.5) FROM t", "spark")
    assert "CAST(1.0 AS DOUBLE)" in spark  # else Spark averages DECIMAL(6,5): shares rounded to 5 places
    assert "PERCENTILE(y, CAST(0.5 AS DOUBLE))" in spark and "APPROX" not in spark.upper()  # exact, interpolated
    assert "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY y" in dialects.render("SELECT quantile_cont(y, 0.5) FROM t",
                                                                             "postgres")
    assert dialects.render("SELECT 1.0", "duckdb") == "SELECT 1.0"  # DuckDB runs the text as written
    with pytest.raises(ValueError):
        dialects.render("SELECT 1", "oracle")


# --- the same hand-written tables in DuckDB and PostgreSQL ------------------------------------------

def _ts(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s)


def _visits():
    rows = [  # provider, visit, client, staff, check in, check out, method, services
        ("P1", "v1", "c1", "s1", "2026-03-02 08:00", "2026-03-02 08:30", "electronic", "A"),  # 30 min
        ("P1", "v2", "c1", "s2", "2026-03-02 08:00", "2026-03-02 08:30", "electronic", "A"),  # double staffing
        ("P1", "v3", "c2", None, "2026-03-02 10:00", "2026-03-02 10:10", "manual", "B"),  # generic, manual
        ("P1", "v4", "c1", "s1", "2026-03-02 08:33", "2026-03-02 08:34", "electronic", "A"),  # repeat, short
        ("P1", "v5", "c3", "s1", "2026-03-02 08:34:30", "2026-03-02 08:50", "electronic", "A"),  # quick, 15.5
        ("P1", "v6", "c4", "s1", "2026-03-02 08:40", "2026-03-02 08:45", "electronic", "A"),  # overlap
        ("P1", "v7", "c1", "s3", "2026-02-28 23:00", "2026-02-28 23:30", "electronic", "A"),  # February
        ("P1", "v8", "c2", "s3", "2026-03-05 06:00", "2026-03-05 22:01", "electronic", "A"),  # 961 min: long day
    ]
    # P2: continuity days 1-14, two rows a day per client: cA meets s1, s2, s3; cC s4 and s5 (double
    # staffing); cD only s6 (28 of 28 rows: a dominant staff member).
    for day in range(1, 15):
        d = f"2026-03-{day:02d}"
        trio = ["s1", "s2", "s3"]
        rows += [
            ("P2", f"a{day}m", "cA", trio[day % 3], f"{d} 08:00", f"{d} 08:30", "electronic", "A"),
            ("P2", f"a{day}e", "cA", trio[(day + 1) % 3], f"{d} 21:59", f"{d} 22:29", "electronic", "A"),
            ("P2", f"c{day}x", "cC", "s4", f"{d} 08:00", f"{d} 08:30", "electronic", "A"),
            ("P2", f"c{day}y", "cC", "s5", f"{d} 08:00", f"{d} 08:30", "electronic", "A"),
            ("P2", f"d{day}m", "cD", "s6", f"{d} 09:00", f"{d} 09:30", "electronic", "A"),
            ("P2", f"d{day}e", "cD", "s6", f"{d} 12:00", f"{d} 12:30", "electronic", "A"),
        ]
    return [(*r[:4], _ts(r[4]), _ts(r[5]), *r[6:]) for r in rows]


GRANTS = [
    ("P1", "c1", "SERV", 3100.0, dt.date(2026, 1, 1), None),  # whole month: 3100
    ("P1", "c2", "SERV", 310.0, dt.date(2026, 3, 11), dt.date(2026, 3, 20)),  # 10 of 31 days: 100
    ("P2", "c3", "SERV", 31.0, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # P2: 31; P1's c3 has none
]
REPORTS = [
    ("P1", "r1", "c1", "sjukhus", dt.date(2026, 3, 10), _ts("2026-04-05 00:00")),  # in time
    ("P1", "r2", "c2", "sjukhus", dt.date(2026, 3, 2), _ts("2026-04-06 10:00")),  # late
    ("P1", "r3", "c1", "sjukhus", dt.date(2026, 2, 28), _ts("2026-04-20 00:00")),  # February event
    ("P3", "r4", "c9", "resa", dt.date(2026, 3, 31), _ts("2026-04-05 23:59")),  # P3: reports only
]
TABLES = {"visits": "t_visits", "grants": "t_grants", "additional_reports": "t_reports"}
DATA = {"visits": _visits(), "grants": GRANTS, "additional_reports": REPORTS}

EXPECTED = {
    "P1": dict(
        visits=7, clients=4, staff=3,  # v1-v6, v8; c1-c4; s1-s3 (v3 generic)
        executed_minutes=30 + 30 + 10 + 1 + 15.5 + 5 + 961, granted_minutes=3200,
        execution_rate=1052.5 / 3200, manual_share=1 / 7, generic_share=1 / 7,
        median_visit_minutes=15.5,  # of 1, 5, 10, 15.5, 30, 30, 961
        short_visit_share=1 / 7, repeat_share=1 / 7, quick_succession_share=1 / 7, overlap_share=1 / 7,
        visits_without_grant_share=2 / 7,  # v5 (c3 granted only at P2) and v6 (c4)
        continuity_clients=0, continuity_mean=None, continuity_median=None, dominant_staff_clients=0,
        staff_long_days=1, additional_reports=2, late_additional_reports=1),
    "P2": dict(
        visits=84, clients=3, staff=6, executed_minutes=84 * 30, granted_minutes=31, execution_rate=84 * 30 / 31,
        manual_share=0, generic_share=0, median_visit_minutes=30, short_visit_share=0, repeat_share=0,
        quick_succession_share=0, overlap_share=0, visits_without_grant_share=1,
        continuity_clients=3, continuity_mean=2, continuity_median=2,  # cA 3, cC 2, cD 1 staff
        dominant_staff_clients=1, staff_long_days=0, additional_reports=0, late_additional_reports=0),
    "P3": dict(
        visits=0, clients=0, staff=0, executed_minutes=0, granted_minutes=0, execution_rate=None,
        manual_share=None, generic_share=None, median_visit_minutes=None, short_visit_share=None,
        repeat_share=None, quick_succession_share=None, overlap_share=None, visits_without_grant_share=None,
        continuity_clients=0, continuity_mean=None, continuity_median=None, dominant_staff_clients=0,
        staff_long_days=0, additional_reports=1, late_additional_reports=0),
}


def _create(execute, engine: str) -> None:
    for kind, table in TABLES.items():
        execute(dialects.render(f"CREATE TEMP TABLE {table} ({storage.SCHEMAS[kind]})", engine))


def _assert_expected(result: list[dict]) -> None:
    got = {r["provider_id"]: r for r in result}
    assert sorted(got) == ["P1", "P2", "P3"]
    for provider, expected in EXPECTED.items():
        for key, value in expected.items():
            assert got[provider][key] == (None if value is None else pytest.approx(value, rel=1e-9)), (provider, key)


class _TablesDuckDB(DuckDBRunner):
    def source(self, kind):
        return TABLES[kind]


def test_duckdb_on_the_hand_written_tables():
    con = storage.connect(threads=1)
    _create(con.execute, "duckdb")
    for kind, table in TABLES.items():
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(DATA[kind][0]))})", DATA[kind])
    _assert_expected(run_kpis(_TablesDuckDB(con, None), "2026-03"))


def _pg_dsns() -> list[str]:
    """The database of DATABASE_URL when it names one on PostgreSQL, then `postgres` (temp tables only)."""
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    named = url.path.strip("/") if url.scheme.startswith("postgres") else ""
    return [f"host=127.0.0.1 port=5432 user=postgres dbname={db} connect_timeout=3"
            for db in dict.fromkeys([named, "postgres"]) if db]


@pytest.fixture
def pg():
    psycopg = pytest.importorskip("psycopg")
    conn = error = None
    for dsn in _pg_dsns():
        try:
            conn = psycopg.connect(dsn, autocommit=True)
            break
        except psycopg.OperationalError as exc:
            error = exc
    if conn is None:
        if os.environ.get("CI"):
            raise error  # CI starts PostgreSQL (.ci/run): a missing server there is a failure, not a skip
        pytest.skip(f"PostgreSQL på 127.0.0.1:5432 svarar inte: {error}")
    yield conn
    conn.close()  # the temp tables go with the session


def test_postgres_on_the_hand_written_tables(pg):
    from foljsam.monthly.engine.postgres import postgres_compute_kpis

    with pg.cursor() as cur:
        _create(cur.execute, "postgres")
        for kind, table in TABLES.items():
            cur.executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(DATA[kind][0]))})", DATA[kind])
    _assert_expected(postgres_compute_kpis(pg, "2026-03", TABLES))
    only = postgres_compute_kpis(pg, ["2026-03"], TABLES, provider_ids=["P3", "P9"])
    assert [r["provider_id"] for r in only] == ["P3", "P9"] and only[1]["visits"] == 0


def test_sqlglot_is_loaded_only_to_render_for_another_engine():
    """Every command starts Django, which loads the catalogue; sqlglot (tens of ms to import) is loaded
    only when a statement is rendered for Spark or PostgreSQL."""
    import subprocess
    import sys

    code = ("import django, sys; django.setup(); from foljsam.monthly.engine import dialects; "
            "dialects.render('SELECT 1', 'duckdb'); assert 'sqlglot' not in sys.modules; "
            "dialects.render('SELECT 1', 'spark'); assert 'sqlglot' in sys.modules")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "foljsam.settings"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
