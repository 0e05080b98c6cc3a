"""The key figures on PostgreSQL: the catalogue rendered for PostgreSQL and run over tables that hold
the stored kinds (the columns of storage.SCHEMAS), e.g. a warehouse's copy of the Parquet store.

    postgres_compute_kpis(conn, "2026-03", tables={"visits": "v", "grants": "g",
                                                   "additional_reports": "r"})

conn is a psycopg connection; m_rows is a temp table of that connection.
"""

from __future__ import annotations

from foljsam.monthly.engine.kpis import Runner, run_kpis


class PostgresRunner(Runner):
    engine = "postgres"

    def __init__(self, conn, tables: dict[str, str]):
        self.conn, self.tables = conn, tables

    def source(self, kind):
        return self.tables[kind]

    def materialise(self, name, sql):
        with self.conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            cur.execute(f"CREATE TEMP TABLE {name} AS {sql}")

    def fetch(self, sql):
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return [d.name for d in cur.description], cur.fetchall()

    def release(self, name):
        with self.conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {name}")


def postgres_compute_kpis(conn, period: str | list[str], tables: dict[str, str], provider_ids=None) -> list[dict]:
    """kpis.compute_kpis() on PostgreSQL over `tables` (kind → table name)."""
    return run_kpis(PostgresRunner(conn, tables), period, provider_ids)
