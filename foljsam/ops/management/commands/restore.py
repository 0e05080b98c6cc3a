from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foljsam.ops.backup import backup_restore, pending_migrations


class Command(BaseCommand):
    help = "Återställer databasen och FOLJSAM_DATA_DIR från en säkerhetskopia (ersätter allt nuvarande innehåll)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="fråga inte först")

    def handle(self, *args, archive, yes=False, **options):
        if not archive.is_file():
            raise CommandError(f"Filen {archive} finns inte.")
        if not yes and input(f"Ersätt databasen och datakatalogen med {archive}? Skriv ja: ").strip() != "ja":
            raise CommandError("Avbrutet; inget ändrades.")
        try:
            manifest = backup_restore(archive=archive)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Återställd från {archive} (tagen {manifest['created']}, {manifest['files']} filer)."))
        if pending_migrations():
            self.stdout.write("Koden är nyare än säkerhetskopian: kör nu `foljsam migrate`.")
