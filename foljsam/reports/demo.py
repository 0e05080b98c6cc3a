"""Demo: what 2022 left in the data for seed 000's yearly report – the eleven action plans of the
monthly home-care follow-up and a first draft of the report's prose (and of the quality report's) (the in-depth follow-ups of 2022
are cases of the indepth app's demo, read through foljsam/indepth/report_sources.py)."""

from datetime import date

from foljsam.actions import services as actions
from foljsam.actions.models import Source
from foljsam.registry.models import Provider

from . import services

# Seed 000, "Månadsuppföljning": eleven action plans in 2022, in these deviation areas.
MONTHLY_2022 = [
    ("HT-AROS", "Generella in- och utkvittenser (generic_share)"),
    ("HT-EVEO", "Generella in- och utkvittenser (generic_share)"),
    ("HT-NYCKELN", "Tilläggsrapportering till avgiftshandläggare (additional_reports)"),
    ("HT-SAAND", "Registrering av besök och insatser (repeated_visits)"),
    ("HT-SOLROSEN", "Generella in- och utkvittenser (generic_share)"),
    ("HT-BACKEN", "Registrering av besök och insatser (repeated_visits)"),
    ("HT-GULDKANT", "Registrering av besök och insatser (repeated_visits)"),
    ("HT-GULDKANT", "Samma personal under längre perioder (staff_continuity)"),
    ("HT-TRYGGA", "Tilläggsrapportering till avgiftshandläggare (additional_reports)"),
    ("HT-LINNEA", "Generella in- och utkvittenser (generic_share)"),
    ("HT-AROS", "Samma personal under längre perioder (staff_continuity)"),
]

DRAFT_2022 = {
    "uppfoljning": "Tillsyn och uppföljning av utförare inom vård- och omsorgsnämndens valfrihetssystem samt "
                   "ramavtal har genomförts i enlighet med nämndens verksamhetsplan 2022.",
    "manadsuppfoljning": "Under 2022 har förvaltningen påbörjat en ny uppföljningsprocess för att systematiskt "
                         "följa upp utförarnas tids- och insatsregistrering inom kundvalet hemtjänst.",
}


# Seed 003's opening, as the first draft of the 2022 quality report (kvalitetsberättelse).
QUALITY_DRAFT_2022 = {
    "inledning": "Målgrupperna som omfattas av denna kvalitetsberättelse är personer över 65 år som får stöd och "
                 "service i enlighet med socialtjänstlagen (SoL).",
    "avvikelser": "Att systematiskt analysera avvikelser krävs för att finna mönster och kunna vidta åtgärder, "
                  "vilket är en viktig del i det systematiska förbättringsarbetet.",
}


def load(ctx: dict) -> None:
    officer = ctx["users"]["uppfoljare"]
    for i, (code, requirement) in enumerate(MONTHLY_2022):
        found = date(2022, 4 + i % 8, 10)
        d = actions.deviation_create(provider=Provider.objects.get(code=code), by=officer, source=Source.MONTHLY,
                                     requirement=requirement, found_on=found,
                                     text=f"Avvikelse från kommunens krav i månadsuppföljningen {found:%Y-%m}.",
                                     source_ref=f"monthly:{found:%Y-%m}:demo-{i}")
        plan = actions.action_plan_request(deviations=[d], by=officer, title=requirement.split(" (")[0])
        actions.action_plan_submit(plan=plan, by=officer, measures="Rutinen är ändrad och personalen utbildad.")
        actions.action_plan_approve(plan=plan, by=officer)
        actions.action_plan_carry_out(plan=plan, by=officer)
        actions.action_plan_verify(plan=plan, by=officer)
    for section, text in DRAFT_2022.items():
        services.section_text_save(year=2022, section=section, text=text, by=officer)
    for section, text in QUALITY_DRAFT_2022.items():
        services.section_text_save(year=2022, section=section, text=text, by=officer, report="quality")
