from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foljsam.ops.backup import backup_create


class Command(BaseCommand):
    help = "Säkerhetskopierar databasen och FOLJSAM_DATA_DIR till en .tar.gz (se docs/deploy.md)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path,
                            help="arkivets namn (standard: foljsam-backup-ÅÅÅÅMMDD-TTMMSS.tar.gz i aktuell katalog)")

    def handle(self, *args, output=None, **options):
        output = output or Path(f"foljsam-backup-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = backup_create(output=output)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Säkerhetskopia skriven: {output} ({manifest['vendor']}, {manifest['files']} filer ur datakatalogen). "
            "Nycklarna (DJANGO_SECRET_KEY, FOLJSAM_PSEUDONYM_KEY) ingår inte: förvara dem separat."))
