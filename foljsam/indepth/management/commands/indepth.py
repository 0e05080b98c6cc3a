import json

from django.core.management.base import BaseCommand

from foljsam.accounts.models import Role, User
from foljsam.indepth.triggers import proposals, quality_study_proposals


def system_reader():
    """An unsaved reader: the command line sees what the municipality's staff see."""
    return User(username="foljsam-cli", role=Role.READER, is_active=True)


class Command(BaseCommand):
    help = "Fördjupad uppföljning: `foljsam indepth proposals [--json]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        prop = sub.add_parser("proposals", help="Utförare som föreslås för fördjupad uppföljning, med skäl.")
        prop.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        user = system_reader()
        found = proposals(user=user)
        if options["json"]:
            self.stdout.write(json.dumps([p.as_json() for p in found], ensure_ascii=False, indent=2))
            return
        if not found:
            self.stdout.write("Inga utförare föreslås för fördjupad uppföljning.")
        for p in found:
            self.stdout.write(f"{p.provider.code} {p.provider.name}")
            for r in p.reasons:
                self.stdout.write(f"  {r.since.isoformat()} {r.kind}: {r.evidence}")
        for q in quality_study_proposals(user=user):
            names = ", ".join(p.name for p in q.providers)
            self.stdout.write(f"Kvalitetsundersökning föreslås: {q.area.name}, tema {q.theme.name}: {names}")
