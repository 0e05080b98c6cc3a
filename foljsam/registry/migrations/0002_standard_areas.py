"""A fresh install has the standard areas of activity of a Swedish municipality (seed 001, the follow-up
plan): two boards and the areas under LOV, entreprenad and LOU, with the follow-up kinds each gets.
Editable afterwards; codes that already exist are left as they are."""

from django.db import migrations

VON, SN = "Vård- och omsorgsnämnden", "Socialnämnden"
E, F, IF = "aldreomsorg", "funktionshinderomsorg", "individ_familj"
# code, name, board, procurement, sector, monthly follow-up, quality study, LOU follow-up year (seed 001)
AREAS = [
    ("hemtjanst", "Hemtjänst", VON, "LOV", E, True, True, None),
    ("sarskilt_boende", "Särskilt boende för äldre", VON, "LOV", E, False, True, None),
    ("dagverksamhet_aldre", "Dagverksamhet för äldre", VON, "LOV", E, False, False, None),
    ("daglig_verksamhet", "Daglig verksamhet", VON, "LOV", F, False, True, None),
    ("korttidsvistelse", "Korttidsvistelse", VON, "LOV", F, False, True, None),
    ("ledsagar_avlosarservice", "Ledsagar- och avlösarservice", VON, "LOV", F, False, True, None),
    ("boendestod", "Boendestöd", VON, "LOV", F, False, True, None),
    ("familjeradgivning", "Familjerådgivning", SN, "LOV", IF, False, False, None),
    ("gruppbostad_entreprenad", "Gruppbostäder LSS (entreprenad)", VON, "entreprenad", F, False, False, None),
    ("lou_jourhem", "Jourhem samt plats i behandlingsfamilj för barn och unga upp till 20 år", SN, "LOU", IF, False, False, 2024),
    ("lou_hvb_barn", "HVB-hem för barn och unga upp till 20 år", SN, "LOU", IF, False, False, 2024),
    ("lou_skyddat_boende", "Skyddat boende", SN, "LOU", IF, False, False, 2024),
    ("lou_sabo_under65_psyk", "Enstaka platser i särskilt boende och korttidsboende för personer under 65 år (socialpsykiatri)", SN, "LOU", IF, False, False, 2024),
    ("lou_sabo_under65_som", "Enstaka platser i särskilt boende och korttidsboende för personer under 65 år (somatik och demens)", VON, "LOU", E, False, False, 2024),
    ("lou_dagbehandling", "Öppenvård – Dagbehandling med grundskola och Dagverksamhet för unga", SN, "LOU", IF, False, False, 2025),
    ("lou_familjebehandling", "Öppenvård – Familjebehandling, kontaktperson och utredningar", SN, "LOU", IF, False, False, 2025),
    ("lou_stodboende_unga", "Öppenvård – Stödboende i kollektiv form, träningslägenheter samt helgkollo för ungdomar", SN, "LOU", IF, False, False, 2025),
    ("lou_nattharbarge", "Natthärbärge", SN, "LOU", IF, False, False, 2025),
    ("lou_gruppbostad_lss", "Drift av gruppbostad LSS", VON, "LOU", F, False, False, 2025),
    ("lou_stodboende_vuxna", "Stödboende för vuxna med substansberoende alt. psykiska funktionsnedsättningar", SN, "LOU", IF, False, False, 2025),
    ("lou_dygnet_runt_beroende", "Dygnet-runt-insatser för vuxna med substansberoende", SN, "LOU", IF, False, False, 2026),
    ("lou_over65", "Enstaka platser för personer över 65 år – korttidsboende, profilboende, permanenta- och korttidsplatser", VON, "LOU", E, False, False, 2026),
    ("lou_dygnet_runt_psyk", "Dygnet-runt-insatser för vuxna med psykiska och neuropsykiatriska funktionsnedsättningar", SN, "LOU", IF, False, False, 2026),
    ("lou_bostad_lss", "Enstaka platser i bostad med särskild service, LSS", VON, "LOU", F, False, False, 2026),
    ("lou_ledsagning_syn", "Ledsagning för synskadade samt ledsagning för dövblinda", VON, "LOU", F, False, False, 2026),
]


def add_standard_areas(apps, schema_editor):
    Board = apps.get_model("registry", "Board")
    Area = apps.get_model("registry", "Area")
    boards = {name: Board.objects.get_or_create(name=name)[0] for name in (VON, SN)}
    for i, (code, name, board, proc, sector, monthly, quality, year) in enumerate(AREAS):
        Area.objects.get_or_create(code=code, defaults={
            "name": name, "board": boards[board], "procurement": proc, "sector": sector,
            "monthly_followup": monthly, "quality_study": quality, "followup_year": year, "sort_order": i * 10,
            "contract_followup": True, "indepth_followup": True,
        })


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_standard_areas, migrations.RunPython.noop)]
