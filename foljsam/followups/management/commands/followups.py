from django.core.management.base import BaseCommand

from foljsam.audit.context import acting_user
from foljsam.followups import services


class Command(BaseCommand):
    help = ("Avtalsuppföljning: `foljsam followups remind` skickar påminnelser före och efter sista svarsdag "
            "(högst en av varje slag per enhet; kör gärna dagligen).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("remind", help="Skicka påminnelser om enkäter som inte är inskickade.")

    def handle(self, *args, **options):
        with acting_user(None):
            n = services.reminders_send()
        self.stdout.write(self.style.SUCCESS(f"{n} påminnelser skickade."))
