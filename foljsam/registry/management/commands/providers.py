from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foljsam.registry.services import providers_import_file


class Command(BaseCommand):
    help = "Utförarregistret: `foljsam providers import FILE.csv`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Importera providers.csv (idempotent, allt eller inget).")
        imp.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        result = providers_import_file(path=path)
        if not result.ok:
            for line, reason in result.errors:
                where = f"rad {line}" if line else "filen"
                self.stderr.write(f"{path.name}, {where}: {reason}")
            raise CommandError(f"Inget importerades: {len(result.errors)} fel.")
        self.stdout.write(
            f"Klart: {result.created} nya, {result.updated} ändrade, {result.unchanged} oförändrade utförare; "
            f"{result.contracts_created} nya avtal."
        )
