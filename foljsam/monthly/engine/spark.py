"""The key figures on Apache Spark: the catalogue of kpis.py rendered for Spark SQL (issue 13).

Spark reads the same Parquet store the import writes, in place – a local directory or any URI the
cluster's Hadoop file systems know (hdfs://, s3a://, abfss://, file://) – and runs the same
statements as DuckDB through kpis.run_kpis(): the figures agree with compute_kpis() to 1e-9
(tests/monthly_engine/test_spark.py). PySpark is imported only here, so the rest of the engine and
the web never load it.

    spark_compute_kpis(store, "2026-03")                         local Spark (FOLJSAM_SPARK_MASTER)
    spark_compute_kpis(store, "2026-03", remote="sc://host:15002")   a Spark Connect server

Settings (local sessions): FOLJSAM_SPARK_MASTER (default local[*]), FOLJSAM_SPARK_DRIVER_MEMORY
(default 2g), FOLJSAM_SPARK_SHUFFLE_PARTITIONS (default 8; Spark's 200 suits a cluster, not 2 cores).
Spark Connect: FOLJSAM_SPARK_CONNECT_TIMEOUT (seconds to reach the server's port, default 10). The
server reads the store, so give a path it sees (same machine or shared mount) or a URI.
"""

from __future__ import annotations

import os
import tempfile

from foljsam.monthly.engine import storage
from foljsam.monthly.engine.kpis import Runner, run_kpis

# DuckDB's column types in storage.SCHEMAS → Spark SQL. DuckDB writes TIMESTAMP without time zone;
# Spark reads it as TIMESTAMP_NTZ, so the hour and the day of a check-in never depend on a time zone.
SPARK_TYPES = {"VARCHAR": "STRING", "DOUBLE": "DOUBLE", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP_NTZ"}


class SparkUnavailable(RuntimeError):
    pass


def _columns(kind: str) -> list[tuple[str, str]]:
    return [(c.split()[0], SPARK_TYPES[c.split()[1]]) for c in storage.SCHEMAS[kind].split(", ")]


def _is_uri(location: str) -> bool:
    return "://" in location


def kind_uris(store: str | os.PathLike, kind: str) -> list[str]:
    """Where a stored kind may be, in the order tried: a directory `<store>/<kind>/` (hive-style
    partitions, e.g. period=YYYY-MM/…parquet) or the single file `<store>/<kind>.parquet`.

    The one place that knows the layout for Spark. A local store is resolved through storage.kind_uri
    (the kind's directory in the current generation) first; a URI is not resolved (its CURRENT file is
    not read) and is tried by Spark in this order.
    """
    base = str(store).rstrip("/")
    candidates = [f"{base}/{kind}", f"{base}/{kind}.parquet"]
    if _is_uri(base) and not base.startswith("file://"):
        return candidates
    local = [c.removeprefix("file://") for c in candidates]
    # A local store in the partitioned layout: the kind's directory in the current generation.
    root = base.removeprefix("file://")
    current = storage.kind_uri(root, kind) if os.path.isdir(root) else ""
    return ([current] if current else []) + [c for c in local if os.path.exists(c)]


def read_kind(spark, store: str | os.PathLike, kind: str):
    """The stored kind as a DataFrame with exactly the columns of storage.SCHEMAS (a partition column
    such as `period` is dropped), or an empty one of that schema when nothing is stored."""
    from pyspark.errors import AnalysisException

    cols = _columns(kind)
    for uri in kind_uris(store, kind):
        try:
            df = spark.read.parquet(uri)
            df.schema  # noqa: B018 – resolves the path now (Spark Connect is lazy), so a miss is caught here
        except AnalysisException as exc:
            if "PATH_NOT_FOUND" in str(exc) or "Path does not exist" in str(exc):
                continue
            raise
        return df.selectExpr(*(f"CAST(`{name}` AS {typ}) AS `{name}`" for name, typ in cols))
    return spark.createDataFrame([], ", ".join(f"`{name}` {typ}" for name, typ in cols))


def session(remote: str | None = None):
    """A Spark session: Spark Connect at `remote` (sc://host:port), else local Spark in this process."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover – pyspark is a dependency
        raise SparkUnavailable("PySpark saknas: installera Följsam med `make install`.") from exc
    if remote:
        spark = _connect(remote)
    else:
        tmp = tempfile.gettempdir()
        spark = (
            SparkSession.builder.master(os.environ.get("FOLJSAM_SPARK_MASTER", "local[*]"))
            .appName("foljsam-kpis")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")  # local mode stays on loopback
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", os.environ.get("FOLJSAM_SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.sql.shuffle.partitions", os.environ.get("FOLJSAM_SPARK_SHUFFLE_PARTITIONS", "8"))
            .config("spark.local.dir", os.path.join(tmp, "foljsam-spark"))
            .config("spark.sql.warehouse.dir", os.path.join(tmp, "foljsam-spark-warehouse"))
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
    # Dates of TIMESTAMP_NTZ do not depend on it; a store written with zone-aware timestamps does.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def _connect(remote: str):
    """A new Spark Connect session at `remote`, owned by the caller (stop() releases it on the server).

    Built with the Connect client's own builder, not SparkSession.builder.remote(): that one refuses
    while a local session lives in this process and sets SPARK_CONNECT_MODE_ENABLED, after which every
    later local session in the process would try to be a Connect one. A server that is not listening
    is refused here at once – the client itself retries an unreachable server for ~10 minutes.
    """
    import socket

    try:
        from pyspark.sql.connect.client.core import DefaultChannelBuilder
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as exc:
        raise SparkUnavailable(
            f"Spark Connect behöver paket som saknas ({exc}): installera Följsam med `make install`."
        ) from exc
    try:
        host, port = DefaultChannelBuilder(remote).endpoint.rsplit(":", 1)
    except Exception as exc:  # PySparkValueError on a malformed sc:// URL
        raise SparkUnavailable(f"Ogiltig Spark Connect-adress {remote!r}: {exc}") from exc
    try:
        timeout = float(os.environ.get("FOLJSAM_SPARK_CONNECT_TIMEOUT", "10"))
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise SparkUnavailable(f"Spark Connect på {remote} gick inte att nå: {exc}") from exc
    try:
        return ConnectSession.builder.remote(remote).create()
    except Exception as exc:
        raise SparkUnavailable(f"Spark Connect på {remote} gick inte att nå: {exc}") from exc


class SparkRunner(Runner):
    """Temp views of the session: foljsam_<kind> for the stored kinds and m_rows (one run at a time
    per session, as with DuckDB's temp table)."""

    engine = "spark"

    def __init__(self, spark, store):
        self.spark, self.store = spark, store
        self.kept = {}

    def source(self, kind):
        view = f"foljsam_{kind}"
        read_kind(self.spark, self.store, kind).createOrReplaceTempView(view)
        return view

    def materialise(self, name, sql):
        # m_rows feeds four sources: kept (memory, then disk) so its windows are computed once.
        df = self.spark.sql(sql).persist()
        df.createOrReplaceTempView(name)
        self.kept[name] = df

    def fetch(self, sql):
        df = self.spark.sql(sql)
        return list(df.columns), [tuple(r) for r in df.collect()]

    def release(self, name):
        df = self.kept.pop(name, None)
        if df is not None:
            df.unpersist()
        self.spark.catalog.dropTempView(name)

    def close(self):
        for kind in storage.SCHEMAS:
            self.spark.catalog.dropTempView(f"foljsam_{kind}")


def spark_compute_kpis(store: str | os.PathLike, period: str | list[str], provider_ids=None, spark=None,
                       remote: str | None = None) -> list[dict]:
    """kpis.compute_kpis() on Spark: the same list of dicts, read from the store at `store`.

    Over Spark Connect the server reads the store, so `store` must be a path or URI the server sees
    (the same machine, a shared file system, or hdfs://, s3a://…); a local relative path is made
    absolute here. A Connect session opened here is released at the end."""
    own = spark is None and bool(remote)
    spark = spark or session(remote)
    if remote and not _is_uri(str(store)):
        store = os.path.abspath(store)
    runner = SparkRunner(spark, store)
    try:
        return run_kpis(runner, period, provider_ids)
    finally:
        try:
            runner.close()
        finally:
            if own:
                spark.stop()
