import json
import shutil
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foljsam.monthly import services
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
        kpis = sub.add_parser("kpis", help="Nyckeltal per utförare för en importerad månad (de sparade).")
        kpis.add_argument("--period", required=True, help="ÅÅÅÅ-MM")
        kpis.add_argument("--json", action="store_true")
        sub.add_parser("pickup", help="Importera filer som lagts i inkorgen (FOLJSAM_DATA_DIR/monthly/inbox).")
        sub.add_parser("refresh", help="Räkna om alla månaders nyckeltal.")

    def handle(self, *args, **options):
        return getattr(self, "_" + options["action"])(options)

    def _import(self, options):
        paths = {k: options[k] for k in services.KIND_ORDER if options.get(k)}
        if not paths:
            raise CommandError("Ange minst en fil: --visits, --grants eller --additional-reports.")
        for path in paths.values():
            if not path.is_file():
                raise CommandError(f"Filen finns inte: {path}")
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

        run = services.import_run_execute(run=run, paths=paths, on_progress=progress)
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
        """The stored figures of an imported month (what the import just computed), not a recomputation."""
        period = options["period"]
        if not services.PERIOD_RE.match(period or ""):
            raise CommandError(f"Ogiltig period {period!r}, ska vara ÅÅÅÅ-MM.")
        if period not in services.declared_periods():
            raise CommandError(f"Ingen import gäller {period}: månaden har inga nyckeltal. "
                               "Importera månaden med `foljsam monthly import … --period " + period + "`.")
        rows = [s.values for s in KpiSnapshot.objects.filter(period=period).order_by("provider__code")]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))
            return
        for row in rows:
            self.stdout.write(row["provider_id"])
            for key, value in row.items():
                if key != "provider_id":
                    self.stdout.write(f"  {key:<28} {value}")

    def _pickup(self, options):
        """Recurring job (cron): import what the export system dropped in the inbox.

        Files are recognised by name: visits*, grants*, additional_reports* (.csv or .xlsx),
        imported together, then moved to inbox/done/ or inbox/failed/.
        """
        inbox = services.data_dir() / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        paths = {}
        for path in sorted(inbox.iterdir()):
            if path.is_file() and path.suffix.lower() in (".csv", ".xlsx"):
                kind = next((k for k in services.KIND_ORDER if path.name.lower().startswith(k)), None)
                if kind and kind not in paths:
                    paths[kind] = path
        if not paths:
            self.stdout.write("Inkorgen är tom.")
            return
        run = services.import_run_start(files={k: p.name for k, p in paths.items()}, source="pickup")
        run = services.import_run_execute(run=run, paths=paths)
        target = inbox / ("done" if run.status == ImportRun.Status.DONE else "failed")
        target.mkdir(exist_ok=True)
        for path in paths.values():
            shutil.move(str(path), target / f"{run.pk}-{path.name}")
        self._report(run, as_json=False)

    def _refresh(self, options):
        count = services.snapshots_refresh()
        sys.stdout.write(f"{count} utförarmånader omräknade.\n")
