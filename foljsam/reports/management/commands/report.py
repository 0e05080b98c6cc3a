from django.core.management.base import BaseCommand, CommandError

from foljsam.registry.models import Board
from foljsam.registry.selectors import providers_table
from foljsam.reports.formatting import providers_table_text


class Command(BaseCommand):
    help = "Rapporter ur registret, t.ex. `foljsam report providers-table --year 2022`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        table = sub.add_parser("providers-table", help="Utförare 1 januari och 31 december per område.")
        table.add_argument("--year", type=int, required=True)
        table.add_argument("--board", help="Nämndens namn (standard: alla nämnder).")
        indepth = sub.add_parser("indepth", help="Fördjupade uppföljningar, signaler, viten och avslut per område.")
        indepth.add_argument("--year", type=int, required=True)
        indepth.add_argument("--json", action="store_true")

        yearly = sub.add_parser("yearly", help="Årets uppföljningsrapport till nämnden (seed 000).")
        yearly.add_argument("--year", type=int, required=True)
        yearly.add_argument("--format", choices=["json", "docx", "pdf"], default="json")
        yearly.add_argument("--output", help="Fil att skriva Word/PDF till (standard: uppfoljning-ÅR.docx/pdf).")

        quality = sub.add_parser("quality", help="Kvalitetsberättelsen med avvikelsetabellen (seed 003).")
        quality.add_argument("--year", type=int, required=True)
        quality.add_argument("--format", choices=["json", "docx", "pdf"], default="json")
        quality.add_argument("--output",
                             help="Fil att skriva Word/PDF till (standard: kvalitetsberattelse-ÅR.docx/pdf).")

    def handle(self, *args, **options):
        if options["report"] == "indepth":
            return self._indepth(options)
        if options["report"] == "yearly":
            from foljsam.reports.yearly import yearly_outline, yearly_report

            return self._document(options, yearly_report, yearly_outline, "uppfoljning")
        if options["report"] == "quality":
            from foljsam.reports.quality import quality_outline, quality_report

            return self._document(options, quality_report, quality_outline, "kvalitetsberattelse")
        board = None
        if options.get("board"):
            board = Board.objects.filter(name__iexact=options["board"]).first()
            if board is None:
                raise CommandError(f"Okänd nämnd: {options['board']}")
        year = options["year"]
        if not 1900 <= year <= 2200:
            raise CommandError("Ange ett år med fyra siffror, t.ex. --year 2022.")
        table = providers_table(year=year, board=board)
        title = f"Utförare inom {board.name if board else 'nämndernas'} valfrihetssystem {year}"
        self.stdout.write(providers_table_text(table, title))

    def _indepth(self, options):
        import json

        from foljsam.indepth.board import indepth_counts
        from foljsam.indepth.management.commands.indepth import system_reader

        year = options["year"]
        if not 1900 <= year <= 2200:
            raise CommandError("Ange ett år med fyra siffror, t.ex. --year 2022.")
        rows = indepth_counts(user=system_reader(), year=year)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Fördjupad uppföljning {year}")
        for r in rows:
            triggers = ", ".join(f"{k} {n}" for k, n in r.by_trigger.items()) or "–"
            self.stdout.write(f"{r.area.name}: {r.indepth_followups} fördjupade ({triggers}); {r.signals} signaler; "
                              f"{r.sanctions} viten; {r.terminations} avslutade avtal")

    def _document(self, options, report, outline_of, name):
        """A report's JSON to stdout, or its Word/PDF document to a file (the path is printed)."""
        import json

        from foljsam.lib.documents import render_pdf
        from foljsam.lib.outline import to_docx

        year = options["year"]
        if not 1900 <= year <= 2200:
            raise CommandError("Ange ett år med fyra siffror, t.ex. --year 2022.")
        data = report(year)
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        path = options.get("output") or f"{name}-{year}.{fmt}"
        outline = outline_of(data)
        try:
            if fmt == "docx":
                to_docx(outline).save(path)
            else:
                with open(path, "wb") as fh:
                    fh.write(render_pdf("documents/outline.html", {"outline": outline}))
        except OSError as exc:
            raise CommandError(f"Kunde inte skriva {path}: {exc.strerror}") from exc
        self.stdout.write(path)
