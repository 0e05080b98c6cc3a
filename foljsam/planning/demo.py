"""Demo: the follow-up plan 2024–2026 as in seed 001 (generated from the registry, plus the
quality-study schedule officers plan by hand), the 2022 quality study of seed 000 and a dialogue meeting."""

from datetime import date, datetime

from django.utils import timezone

from foljsam.registry.models import Unit

from . import services
from .models import Kind

# Seed 001, "Tidsplan för kvalitetsundersökningar".
QUALITY_SCHEDULE = [
    ("daglig_verksamhet", 2024, "Inflytande och självbestämmande; förebygga tvångs- och begränsningsåtgärder"),
    ("korttidsvistelse", 2024, ""),
    ("boendestod", 2025, ""),
    ("ledsagar_avlosarservice", 2025, ""),
    ("hemtjanst", 2026, ""),
    ("sarskilt_boende", 2026, ""),
]

# Seed 000: the quality study 2022 and its four recommendations.
STUDY_2022 = {
    "theme": "Ledningssystemet som stöd för personalen i det systematiska förbättringsarbetet",
    "why": "Förvaltningen har under flera år följt upp att verksamheterna har ett ledningssystem; undersökningen "
           "syftade till att undersöka närmare hur ledningssystemet är ett stöd för personalen.",
    "findings": "Personalen är i liten utsträckning delaktig i planering, uppföljning och kontroll.",
    "recommendations": [
        "Tydliga rollbeskrivningar där det framgår vad de olika rollerna innebär och vilket ansvar som åligger "
        "respektive roll.",
        "Planeringssystem där det planerade arbetet beskrivs och tydliggörs.",
        "Långsiktiga introduktionsrutiner med fokus på verksamhetens samtliga identifierade processer.",
        "Göra personalen delaktiga i det systematiska förbättringsarbetet och planering av "
        "verksamhetsförändringar kommande år.",
    ],
}


def load(ctx: dict) -> None:
    officer, areas = ctx["users"]["uppfoljare"], ctx["areas"]
    services.plan_generate(year=2024, by=officer)
    for code, year, theme in QUALITY_SCHEDULE:
        services.plan_item_add(by=officer, kind=Kind.QUALITY, area=areas[code], year=year, title=theme)

    study_areas = [areas["hemtjanst"], areas["sarskilt_boende"], areas["daglig_verksamhet"]]
    units = [Unit.objects.filter(area=a, active=True).order_by("id").first() for a in study_areas]
    study = services.study_save(
        by=officer, areas=study_areas, units=[u for u in units if u], year=2022, theme=STUDY_2022["theme"],
        why=STUDY_2022["why"], findings=STUDY_2022["findings"], status="reported",
        starts_on=date(2022, 3, 1), ends_on=date(2022, 11, 30), recommendations=STUDY_2022["recommendations"],
    )
    for unit in study.units.all():
        services.interview_add(by=officer, study=study, unit=unit, kind="manager", held_on=date(2022, 5, 10),
                               notes="Ledningssystemet finns men används främst av chefen.")
    ctx["study_2022"] = study

    tz = timezone.get_current_timezone()
    meeting = services.meeting_create(
        by=officer, title="Dialogmöte hemtjänst", areas=[areas["hemtjanst"]],
        starts_at=datetime(timezone.localdate().year, 10, 15, 13, 0, tzinfo=tz), place="Kommunhuset, sal 3",
        agenda="Resultat från årets avtalsuppföljning\nNya krav på fast omsorgskontakt",
    )
    services.agreed_action_add(by=officer, meeting=meeting, text="Skicka ut mall för kontinuitetsplan",
                               owner="Ulla Uppföljare", due=date(timezone.localdate().year, 11, 1))
