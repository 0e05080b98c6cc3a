import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foljsam.comparison import services


class Command(BaseCommand):
    help = "Kolada: hämta nyckeltal från Koladas API (fetch) eller läs in en sparad JSON-fil (import)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        fetch = sub.add_parser("fetch", help="hämta från Koladas API v3")
        fetch.add_argument("--kpi", required=True, action="append", help="t.ex. U21401 (flera går)")
        fetch.add_argument("--municipality", action="append", default=[], help="kommunkod, t.ex. 0126; 0000 = riket")
        fetch.add_argument("--ou", action="append", default=[], help="organisatorisk enhet i Kolada")
        fetch.add_argument("--year", required=True, type=int, action="append")
        fetch.add_argument("--json", action="store_true", help="skriv värdena som JSON")
        imp = sub.add_parser("import", help="läs in en JSON-fil från Koladas API")
        imp.add_argument("file")

    def handle(self, *args, **opts):
        try:
            if opts["action"] == "import":
                path = Path(opts["file"])
                if not path.is_file():
                    raise CommandError(f"Filen finns inte: {path}")
                n = services.kolada_import_file(data=path.read_bytes())
                self.stdout.write(f"{n} Kolada-värden inlästa.")
                return
            where = [("municipality", m) for m in opts["municipality"]] + [("ou", o) for o in opts["ou"]]
            if not where:
                raise CommandError("Ange --municipality eller --ou.")
            rows = []
            for kpi in opts["kpi"]:
                for year in opts["year"]:
                    for kind, code in where:
                        rows += services.kolada_fetch(kpi=kpi, year=year, **{kind: code})
            n = services.kolada_import(rows=rows)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(f"{n} Kolada-värden hämtade och sparade.")
