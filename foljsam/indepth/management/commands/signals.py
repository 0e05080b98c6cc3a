from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foljsam.indepth.services import signals_import_file


class Command(BaseCommand):
    help = "Signaler om utförare: `foljsam signals import FILE.csv`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Importera signaler (allt eller inget, fel med radnummer).")
        imp.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        result = signals_import_file(path=path)
        if not result.ok:
            for line, reason in result.errors:
                where = f"rad {line}" if line else "filen"
                self.stderr.write(f"{path.name}, {where}: {reason}")
            raise CommandError(f"Inget importerades: {len(result.errors)} fel.")
        self.stdout.write(f"Klart: {result.created} signaler importerade.")
