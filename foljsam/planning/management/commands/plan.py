import json

from django.core.management.base import BaseCommand, CommandError

from foljsam.planning import generation, selectors
from foljsam.registry.models import Provider


class Command(BaseCommand):
    help = ("Uppföljningsplanen för ett år och de två följande, t.ex. `foljsam plan --year 2024 --json`. "
            "Finns ingen sparad plan för åren visas förslaget ur registret (utan att sparas).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="En JSON-lista med ett objekt per post.")

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("Ange ett år med fyra siffror, t.ex. --year 2024.")
        stored = list(selectors.plan_items(year=year))
        if stored:
            rows = [selectors.item_json(i) for i in stored]
        else:
            codes = dict(Provider.objects.values_list("pk", "code"))
            rows = [{"area": p.area.code, "kind": p.kind, "year": p.year, "month": p.month,
                     "title": p.title or None, "provider": codes.get(p.provider_id), "status": "proposed",
                     "reason": None, "realised": None} for p in generation.proposals(range(year, year + 3))]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for r in rows:
            done = "genomförd" if r["realised"] else r["status"]
            self.stdout.write(f"{r['year']}  {r['month'] or '–':>2}  {r['kind']:<18} {r['area']:<28} {done}"
                              f"{'  ' + r['title'] if r['title'] else ''}")
