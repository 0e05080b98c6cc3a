import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foljsam.lib.uploads import UploadRefused, check_upload
from foljsam.monthly import services
from foljsam.monthly.engine.kpis import compute_kpis
from foljsam.monthly.models import ImportRun, KpiSnapshot


class Command(BaseCommand):
    help = "Månadsuppföljning hemtjänst: import, nyckeltal och inläsning från inkorgen."
    # The system checks import every URL module (~0.8 s per call): integrators call this per month in
    # scripts; `foljsam check` and `migrate` still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Importera en månads export.")
        imp.add_argument("--visits", type=Path)
        imp.add_argument("--grants", type=Path)
        imp.add_argument("--additional-reports", dest="additional_reports", type=Path)
        imp.add_argument("--mapping", default="", help="Namn på en sparad kolumnmappning.")
        imp.add_argument("--period", default="", help="Månaden importen gäller (ÅÅÅÅ-MM); förval: filens "
                         "vanligaste månad. Bara den månaden får nyckeltal.")
        imp.add_argument("--json", action="store_true", help="Skriv importrapporten som JSON.")
        kpis = sub.add_parser("kpis", help="Nyckeltal per utförare för en importerad månad (de sparade, eller "
                              "räknade ur lagret med --engine).")
        kpis.add_argument("--period", required=True, help="ÅÅÅÅ-MM")
        kpis.add_argument("--json", action="store_true")
        kpis.add_argument("--engine", choices=("duckdb", "spark"),
                          help="Räkna nyckeltalen ur Parquet-lagret med DuckDB eller Apache Spark i stället för att "
                          "visa de sparade (alla utförare i lagret).")
        kpis.add_argument("--spark-remote", dest="spark_remote", default="",
                          help="Spark Connect-adress, t.ex. sc://värd:15002 (förval: lokal Spark).")
        kpis.add_argument("--store", default="", help="Lagrets plats: en katalog eller en URI som Spark läser "
                          "(hdfs://, s3a://, …); förval FOLJSAM_DATA_DIR/monthly.")
        sub.add_parser("pickup", help="Importera filer som lagts i inkorgen (FOLJSAM_DATA_DIR/monthly/inbox).")
        refresh = sub.add_parser("refresh", help="Räkna om alla månaders nyckeltal.")
        refresh.add_argument("--queue", action="store_true", help="Lämna omräkningen till workern (foljsam worker).")

    def handle(self, *args, **options):
        return getattr(self, "_" + options["action"])(options)

    def _import(self, options):
        paths = {k: options[k] for k in services.KIND_ORDER if options.get(k)}
        if not paths:
            raise CommandError("Ange minst en fil: --visits, --grants eller --additional-reports.")
        for path in paths.values():
            if not path.is_file():
                raise CommandError(f"Filen finns inte: {path}")
        for path in paths.values():  # the limits of every upload (lib/uploads.py), before any work
            try:
                check_upload(path, kind="monthly")
            except UploadRefused as exc:
                raise CommandError(f"{path.name}: {' '.join(exc.messages)}") from exc
        try:
            run = services.import_run_start(files={k: p.name for k, p in paths.items()}, mapping=options["mapping"],
                                            source="command", period=options["period"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        last = [""]

        def progress(text, fraction):  # on stderr, so that --json output stays clean
            if text != last[0]:
                self.stderr.write(f"{fraction * 100:3.0f} %  {text}")
                last[0] = text

        run = services.import_run_execute_queued(run=run, paths=paths, on_progress=progress,
                                                 on_wait=lambda message: self.stderr.write(message))
        self._report(run, options["json"])

    def _report(self, run: ImportRun, as_json: bool):
        if as_json:
            out = {**run.report, "status": run.status, "import_id": run.pk, "period": run.period}
            if run.message:
                out["message"] = run.message
            self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
        else:
            if run.period:
                self.stdout.write(f"Månad: {run.period} (bara den månaden får nyckeltal av importen)")
            for f in run.report.get("files", []):
                self.stdout.write(f"{f['file']}: {f['accepted']} godkända ({f['new']} nya, {f['replaced']} ersatta, "
                                  f"{f['unchanged']} oförändrade), {f['rejected_total']} avvisade")
                for r in f["rejected"][:20]:
                    self.stdout.write(f"  rad {r['line']}, {r['column']}: {r['reason']}")
                if f["rejected_total"] > 20:
                    self.stdout.write(f"  … och {f['rejected_total'] - 20} till (se importrapporten i webben)")
            if run.report.get("no_rows_for"):
                names = ", ".join(f"{p['name']} ({p['code']})" for p in run.report["no_rows_for"])
                self.stdout.write(f"Inga rader för: {names}")
        if run.status != ImportRun.Status.DONE:
            raise CommandError(run.message or run.get_status_display())

    def _kpis(self, options):
        """The stored figures of an imported month (what the import just computed), not a recomputation;
        with --engine the figures computed from the store by that engine (the same JSON either way)."""
        period = options["period"]
        if not services.PERIOD_RE.match(period or ""):
            raise CommandError(f"Ogiltig period {period!r}, ska vara ÅÅÅÅ-MM.")
        if options.get("engine"):
            rows = self._computed(options)
            if options["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))
                return
            return self._print(rows)
        if options.get("spark_remote") or options.get("store"):
            raise CommandError("--spark-remote och --store gäller bara med --engine.")
        if period not in services.declared_periods():
            raise CommandError(f"Ingen import gäller {period}: månaden har inga nyckeltal. "
                               "Importera månaden med `foljsam monthly import … --period " + period + "`.")
        rows = [s.values for s in KpiSnapshot.objects.filter(period=period).order_by("provider__code")]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))
            return
        self._print(rows)

    def _computed(self, options) -> list[dict]:
        store = options.get("store") or str(services.data_dir())
        if options["engine"] == "duckdb":
            if options.get("spark_remote"):
                raise CommandError("--spark-remote gäller bara med --engine spark.")
            if "://" in store:
                raise CommandError("DuckDB läser bara en lokal katalog; använd --engine spark för en URI.")
            return compute_kpis(store, options["period"])
        from pyspark.errors import PySparkException

        from foljsam.monthly.engine.spark import SparkUnavailable, spark_compute_kpis

        try:
            return spark_compute_kpis(store, options["period"], remote=options.get("spark_remote") or None)
        except (SparkUnavailable, PySparkException) as exc:
            raise CommandError(f"Spark kunde inte räkna nyckeltalen: {exc}") from exc

    def _print(self, rows):
        for row in rows:
            self.stdout.write(row["provider_id"])
            for key, value in row.items():
                if key != "provider_id":
                    self.stdout.write(f"  {key:<28} {value}")

    def _pickup(self, options):
        """Import what the export system dropped in the inbox (services.inbox_pickup; the worker also
        runs it on its schedule, foljsam/ops/schedule.py)."""
        run = services.inbox_pickup(on_wait=lambda message: self.stderr.write(message))
        if run is None:
            self.stdout.write("Inkorgen är tom.")
            return
        self._report(run, as_json=False)

    def _refresh(self, options):
        if options["queue"]:
            from foljsam.monthly import tasks

            result = tasks.snapshots_refresh.enqueue()
            self.stdout.write(f"Omräkningen är köad för workern (uppgift {result.id}).")
            return
        count = services.snapshots_refresh()
        sys.stdout.write(f"{count} utförarmånader omräknade.\n")
