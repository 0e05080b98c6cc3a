"""Demo: what 2022 left in the data for seed 000's yearly report – the in-depth follow-ups per area
with their triggers (as registry events until an in-depth app provides cases), the eleven action
plans of the monthly home-care follow-up, and a first draft of the report's prose."""

from datetime import date

from foljsam.actions import services as actions
from foljsam.actions.models import Source
from foljsam.registry.models import EventKind, Provider, ProviderEvent

from . import services

# Seed 000, "Fördjupad uppföljning" 2022 (the two new home-care providers' six-month follow-ups are
# already in the registry's demo): provider code, area, date, trigger.
INDEPTH_2022 = [
    ("HT-AROS", "hemtjanst", date(2022, 3, 15), "Utökat kundunderlag genom förvärv."),
    ("HT-EVEO", "hemtjanst", date(2022, 4, 20), "Brister identifierade av externa klagomål."),
    ("HT-NYCKELN", "hemtjanst", date(2022, 5, 10), "Ny verksamhetsansvarig."),
    ("HT-SAAND", "hemtjanst", date(2022, 6, 8), "Nya lokaler."),
    ("HT-SOLROSEN", "hemtjanst", date(2022, 2, 14), "Omvärldsbevakning via media om välfärdsfusk i annan kommun."),
    ("HT-BACKEN", "hemtjanst", date(2022, 3, 30), "Brister identifierade av externa klagomål."),
    ("HT-GULDKANT", "hemtjanst", date(2022, 9, 5),
     "Återkommande, väsentliga avvikelser i månadsuppföljningen."),
    ("DAG-031", "daglig_verksamhet", date(2022, 9, 12), "Nyetablerad utförare."),
    ("DAG-032", "daglig_verksamhet", date(2022, 10, 17), "Nyetablerad utförare."),
    ("SAR-010", "sarskilt_boende", date(2022, 5, 3),
     "Oklarheter vid avtalsuppföljningen (HSL-avvikelser, lex Maria, mat och måltider)."),
    ("SAR-020", "sarskilt_boende", date(2022, 8, 22), "Upprepade klagomål på verksamheten."),
    ("BOE-002", "boendestod", date(2022, 4, 4), "Uppföljning efter uppstart hade inte kunnat göras tidigare."),
]

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


def load(ctx: dict) -> None:
    officer = ctx["users"]["uppfoljare"]
    areas = ctx["areas"]
    for code, area, day, trigger in INDEPTH_2022:
        ProviderEvent.objects.create(provider=Provider.objects.get(code=code), area=areas[area],
                                     kind=EventKind.INDEPTH_DONE, date=day, note=trigger)
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
