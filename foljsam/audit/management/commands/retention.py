from datetime import date

from django.core.management.base import BaseCommand, CommandError

from foljsam.audit.retention import retention_run


class Command(BaseCommand):
    help = ("Gallring (återkommande jobb, t.ex. varje natt): tar bort besöksrader, importrapporter och "
            "åtkomstloggposter äldre än de inställda antalen år. Körningen loggas i ändringsloggen.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Räkna som om det vore detta datum (ÅÅÅÅ-MM-DD).")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError("--today ska vara ett datum som 2026-11-27.") from exc
        result = retention_run(today=today)
        self.stdout.write(result.describe())
