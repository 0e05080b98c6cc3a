"""Demo municipality, comparison part: facts about the home-care providers, illustrative national
values in Kolada's format, and a published quarter on the open comparison page /jamfor/."""

from pathlib import Path

from foljsam.accounts.models import User
from foljsam.registry.models import Area, Provider

from . import services

PROFILES = {
    "HT-AROS": ("Hela kommunen", "svenska, arabiska, somaliska", "demens"),
    "HT-EVEO": ("Centrum och norra delarna", "svenska, finska", ""),
    "HT-NYCKELN": ("Södra delarna", "svenska, persiska", "psykisk ohälsa"),
    "HT-LINNEA": ("Hela kommunen", "svenska, bosniska, kroatiska, serbiska", "demens"),
}


def load(ctx: dict) -> None:
    data = (Path(__file__).parent / "data" / "kolada-demo.json").read_bytes()
    services.kolada_import_file(data=data)
    officer = User.objects.filter(username="uppfoljare").first()
    for code, (served, languages, special) in PROFILES.items():
        provider = Provider.objects.filter(code=code).first()
        if provider:
            services.profile_save(provider=provider, by=officer,
                                  data={"area_served": served, "languages": languages, "specialisations": special})
    area = Area.objects.filter(code="hemtjanst").first()
    if area:
        services.publication_create(area=area, period="2026-Q3", by=officer)
