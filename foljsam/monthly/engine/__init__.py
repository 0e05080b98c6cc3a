"""Pure analytical engine of the monthly home-care follow-up (no Django imports here).

Public API
    importer.import_file(path, kind, data_dir, key, known_providers=None, mapping=None, progress=None,
                         filename=None) -> ImportReport          raises importer.FileRefused
    importer.ColumnMapping(columns, timestamp_format, date_format, method_values, sheet)
    kpis.compute_kpis(data_dir, period, provider_ids=None) -> list[dict]
    kpis.flagged_rows(data_dir, period, provider_id, key, limit=500) -> list[dict]
    kpis.available_periods(data_dir) -> list[str]
    kpis.CATALOGUE / kpis.BY_KEY: the declared key figures (Kpi.status() gives the traffic light)
    kpis.run_kpis(runner, period, provider_ids=None): the same figures on any engine's Runner;
    dialects.render(sql, engine): the catalogue's SQL for duckdb | spark | postgres
    spark.spark_compute_kpis(store, period, provider_ids=None, spark=None, remote=None) (PySpark)
    postgres.postgres_compute_kpis(conn, period, tables, provider_ids=None)

Storage layout: see storage.py. Memory and threads: FOLJSAM_DUCKDB_MEMORY_LIMIT (default 1GB),
FOLJSAM_DUCKDB_THREADS (default: all cores).
"""
