from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foljsam.audit.context import acting_user
from foljsam.catalogue import exchange, services
from foljsam.catalogue.models import Catalogue

SHIPPED = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = ("Kravkatalogen: `foljsam catalogue import FIL.yaml|.xlsx`, "
            "`foljsam catalogue export --version 2022 [--name NAMN] FIL.yaml|.xlsx`, `foljsam catalogue list`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Importera en ny katalogversion.")
        imp.add_argument("file", help=f"YAML- eller Excel-fil (levererad katalog: {SHIPPED}/hemtjanst-2022.yaml)")
        exp = sub.add_parser("export", help="Exportera en katalogversion.")
        exp.add_argument("--version", dest="cat_version", required=True)
        exp.add_argument("--name", help="Katalogens namn om flera har samma version.")
        exp.add_argument("file")
        sub.add_parser("list", help="Lista katalogversionerna.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            for c in Catalogue.objects.all():
                self.stdout.write(f"{c.name}\t{c.version}\t{c.tender or ''}")
            return
        path = Path(options["file"])
        if action == "import":
            if not path.exists():
                raise CommandError(f"Filen finns inte: {path}")
            try:
                with acting_user(None):
                    catalogue = services.catalogue_import_file(content=path.read_bytes(), filename=path.name)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(
                f"Importerade {catalogue}: {catalogue.areas.count()} kravområden, "
                f"{catalogue.requirements().count()} krav."))
            return
        qs = Catalogue.objects.filter(version=options["cat_version"])
        if options.get("name"):
            qs = qs.filter(name=options["name"])
        if qs.count() != 1:
            raise CommandError(f"Hittade {qs.count()} kataloger med version {options['cat_version']}; ange --name.")
        data = services.catalogue_to_dict(qs.get())
        if path.suffix == ".xlsx":
            path.write_bytes(exchange.to_xlsx(data))
        else:
            path.write_text(exchange.to_yaml(data), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Skrev {path}"))
