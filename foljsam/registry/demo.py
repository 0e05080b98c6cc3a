"""Demo municipality, part 1: boards, areas (seed 001), providers whose contract history
reproduces seed 000's table for 2022, units, permits, events and users for each role."""

from datetime import date

from foljsam.accounts.models import Role, User
from foljsam.lib.dates import add_months

from .models import (
    Area,
    Board,
    Contract,
    ContractForm,
    EventKind,
    Ownership,
    Permit,
    PermitKind,
    Procurement,
    Provider,
    ProviderEvent,
    Sector,
    TenderDocument,
    Unit,
)

DEMO_PASSWORD = "foljsam-demo"
DEMO_USERS = [
    # username, full name, role, provider code
    ("admin", "Ada Administratör", Role.ADMIN, None),
    ("uppfoljare", "Ulla Uppföljare", Role.OFFICER, None),
    ("ledning", "Lars Ledning", Role.READER, None),
    ("aros", "Amina Aros (verksamhetsansvarig)", Role.PROVIDER, "HT-AROS"),
    ("eveo", "Erik Eveo (verksamhetsansvarig)", Role.PROVIDER, "HT-EVEO"),
    ("enhetschef", "Elsa Enhetschef (en enhet i egen regi)", Role.PROVIDER, "HT-EGEN"),
]
# A unit manager (issue 11): bound to one unit of the provider, sees and answers only that unit.
DEMO_UNIT_MANAGERS = {"enhetschef": 0}  # username → index into OWN_HOME_CARE_UNITS

VON, SN = "Vård- och omsorgsnämnden", "Socialnämnden"
E, F, IF = Sector.ELDERLY, Sector.DISABILITY, Sector.INDIVIDUAL_FAMILY
# code, name, board, procurement, sector, monthly, quality study, LOU follow-up year (seed 001)
AREAS = [
    ("hemtjanst", "Hemtjänst", VON, Procurement.LOV, E, True, True, None),
    ("sarskilt_boende", "Särskilt boende för äldre", VON, Procurement.LOV, E, False, True, None),
    ("dagverksamhet_aldre", "Dagverksamhet för äldre", VON, Procurement.LOV, E, False, False, None),
    ("daglig_verksamhet", "Daglig verksamhet", VON, Procurement.LOV, F, False, True, None),
    ("korttidsvistelse", "Korttidsvistelse", VON, Procurement.LOV, F, False, True, None),
    ("ledsagar_avlosarservice", "Ledsagar- och avlösarservice", VON, Procurement.LOV, F, False, True, None),
    ("boendestod", "Boendestöd", VON, Procurement.LOV, F, False, True, None),
    ("familjeradgivning", "Familjerådgivning", SN, Procurement.LOV, IF, False, False, None),
    ("gruppbostad_entreprenad", "Gruppbostäder LSS (entreprenad)", VON, Procurement.ENTREPRENAD, F, False, False, None),
    ("lou_jourhem", "Jourhem samt plats i behandlingsfamilj för barn och unga upp till 20 år", SN, Procurement.LOU, IF, False, False, 2024),
    ("lou_hvb_barn", "HVB-hem för barn och unga upp till 20 år", SN, Procurement.LOU, IF, False, False, 2024),
    ("lou_skyddat_boende", "Skyddat boende", SN, Procurement.LOU, IF, False, False, 2024),
    ("lou_sabo_under65_psyk", "Enstaka platser i särskilt boende och korttidsboende för personer under 65 år (socialpsykiatri)", SN, Procurement.LOU, IF, False, False, 2024),
    ("lou_sabo_under65_som", "Enstaka platser i särskilt boende och korttidsboende för personer under 65 år (somatik och demens)", VON, Procurement.LOU, E, False, False, 2024),
    ("lou_dagbehandling", "Öppenvård – Dagbehandling med grundskola och Dagverksamhet för unga", SN, Procurement.LOU, IF, False, False, 2025),
    ("lou_familjebehandling", "Öppenvård – Familjebehandling, kontaktperson och utredningar", SN, Procurement.LOU, IF, False, False, 2025),
    ("lou_stodboende_unga", "Öppenvård – Stödboende i kollektiv form, träningslägenheter samt helgkollo för ungdomar", SN, Procurement.LOU, IF, False, False, 2025),
    ("lou_nattharbarge", "Natthärbärge", SN, Procurement.LOU, IF, False, False, 2025),
    ("lou_gruppbostad_lss", "Drift av gruppbostad LSS", VON, Procurement.LOU, F, False, False, 2025),
    ("lou_stodboende_vuxna", "Stödboende för vuxna med substansberoende alt. psykiska funktionsnedsättningar", SN, Procurement.LOU, IF, False, False, 2025),
    ("lou_dygnet_runt_beroende", "Dygnet-runt-insatser för vuxna med substansberoende", SN, Procurement.LOU, IF, False, False, 2026),
    ("lou_over65", "Enstaka platser för personer över 65 år – korttidsboende, profilboende, permanenta- och korttidsplatser", VON, Procurement.LOU, E, False, False, 2026),
    ("lou_dygnet_runt_psyk", "Dygnet-runt-insatser för vuxna med psykiska och neuropsykiatriska funktionsnedsättningar", SN, Procurement.LOU, IF, False, False, 2026),
    ("lou_bostad_lss", "Enstaka platser i bostad med särskild service, LSS", VON, Procurement.LOU, F, False, False, 2026),
    ("lou_ledsagning_syn", "Ledsagning för synskadade samt ledsagning för dövblinda", VON, Procurement.LOU, F, False, False, 2026),
]

# Home care (seed 000/002/004): code, name, org number, start, end, first client.
HOME_CARE = [
    ("HT-AROS", "Aros Omsorg AB", "556712-1001", date(2016, 3, 1), None, date(2016, 4, 4)),
    ("HT-EVEO", "Eveo Hemtjänst AB", "556712-1002", date(2017, 9, 1), None, date(2017, 9, 18)),
    ("HT-NYCKELN", "Nyckeln Vård AB", "556712-1003", date(2018, 5, 1), None, date(2018, 6, 1)),
    ("HT-SAAND", "SAAND Omsorg AB", "556712-1004", date(2019, 2, 1), None, date(2019, 2, 15)),
    ("HT-TRYGGA", "Trygga Händer Hemtjänst AB", "556712-1005", date(2021, 11, 1), None, date(2022, 3, 7)),
    ("HT-LINNEA", "Linnéa Hemtjänst AB", "556712-1006", date(2021, 12, 1), None, date(2022, 4, 19)),
    # Ended in 2022 (seed 000): one over the manager-competence requirement, two on their own request.
    ("HT-SOLROSEN", "Solrosen Omsorg AB", "556712-1007", date(2015, 1, 1), date(2022, 6, 30), date(2015, 1, 20)),
    ("HT-BACKEN", "Bäckens Omsorg AB", "556712-1008", date(2018, 1, 1), date(2022, 9, 30), date(2018, 2, 1)),
    ("HT-GULDKANT", "Guldkant Hemtjänst AB", "556712-1009", date(2020, 4, 1), date(2022, 11, 30), date(2020, 5, 1)),
    # New in 2026: its six-month in-depth follow-up is due on the start page.
    ("HT-KVARNEN", "Kvarnens Hemtjänst AB", "556712-1010", date(2026, 5, 1), None, date(2026, 6, 2)),
]
OWN_HOME_CARE_UNITS = [
    "Akvarellen", "Alby", "Fittja", "Grödinge", "Hallunda", "Natten", "Norsborg", "Rönnmossen", "Storvreten", "Tumba",
]

# Other LOV areas: (area code, private on 1 Jan, started during the year, ended during the year, own units).
# 1 Jan + started − ended = 31 Dec, as in seed 000's table for 2022.
OTHER_AREAS = [
    ("sarskilt_boende", 44, 4, 1, 5, "Äldreboende"),
    ("daglig_verksamhet", 30, 5, 0, 17, "Daglig verksamhet"),
    ("korttidsvistelse", 15, 0, 2, 1, "Korttidshem"),
    ("ledsagar_avlosarservice", 3, 1, 0, 1, "Ledsagarservice"),
    ("boendestod", 3, 0, 0, 1, "Boendestöd"),
]
PLACE_NAMES = [
    "Björken", "Eken", "Linden", "Rönnen", "Asken", "Lönnen", "Aspen", "Granen", "Tallen", "Hasseln", "Almen",
    "Viden", "Syrenen", "Fläderns", "Idegranen", "Kastanjen", "Magnolian", "Sjöbris", "Solgläntan", "Ängen",
    "Ljungen", "Vårby", "Segeltorp", "Skogås", "Trångsund", "Flemingsberg", "Stuvsta", "Snättringe", "Glömsta",
    "Sjödalen", "Fullersta", "Balingsnäs", "Kästa", "Myrängen", "Gladö", "Lissma", "Vista", "Orlången",
    "Källbrink", "Masmo", "Visättra", "Kvarnen", "Ågesta", "Fågelsången", "Tomtberga", "Solfagra", "Blåklinten",
    "Vitsippan", "Gullvivan",
]


def _provider(code, name, ownership, org=""):
    return Provider.objects.create(code=code, name=name, ownership=ownership, org_number=org)


def load(ctx: dict) -> None:
    # A migrated database already has the standard boards and areas (registry migration 0002).
    boards = {name: Board.objects.get_or_create(name=name)[0] for name in (VON, SN)}
    areas = {}
    for i, (code, name, board, proc, sector, monthly, quality, year) in enumerate(AREAS):
        areas[code] = Area.objects.update_or_create(code=code, defaults=dict(
            name=name, board=boards[board], procurement=proc, sector=sector, monthly_followup=monthly,
            quality_study=quality, followup_year=year, sort_order=i * 10,
            contract_followup=True, indepth_followup=True,
        ))[0]
    hc = areas["hemtjanst"]
    tender_2016 = TenderDocument.objects.create(area=hc, name="Förfrågningsunderlag hemtjänst", version="2016",
                                                valid_from=date(2016, 1, 1))
    tender_2022 = TenderDocument.objects.create(area=hc, name="Förfrågningsunderlag hemtjänst", version="2022",
                                                valid_from=date(2022, 1, 1))
    ctx.update(boards=boards, areas=areas, tender=tender_2022)

    home_care = {}
    for code, name, org, start, end, first in HOME_CARE:
        p = _provider(code, name, Ownership.PRIVATE, org)
        p.contact_email = f"info@{code.lower().removeprefix('ht-')}.example"
        p.save()
        home_care[code] = p
        tender = tender_2022 if start >= date(2021, 6, 1) else tender_2016
        Contract.objects.create(provider=p, area=hc, form=ContractForm.LOV, start=start, end=end, tender=tender,
                                reference=f"VON-{start.year}/{100 + len(home_care)}")
        Unit.objects.create(provider=p, area=hc, name=name.split()[0] + " hemtjänst", manager=f"Chef på {name}",
                            active=end is None)
        ProviderEvent.objects.create(provider=p, area=hc, kind=EventKind.CONTRACT_START, date=start)
        ProviderEvent.objects.create(provider=p, area=hc, kind=EventKind.FIRST_CLIENT, date=first)
        if first < date(2026, 1, 1):
            ProviderEvent.objects.create(provider=p, area=hc, kind=EventKind.INDEPTH_DONE,
                                         date=add_months(first, 6), note="Sexmånadersuppföljning")
        if end:
            ProviderEvent.objects.create(provider=p, area=hc, kind=EventKind.TERMINATION, date=end)
    solrosen = home_care["HT-SOLROSEN"].events.get(kind=EventKind.TERMINATION)
    solrosen.note = "Avslutade uppdraget efter ändrat krav på verksamhetsansvarigs kompetens."
    solrosen.save()
    for code in ("HT-BACKEN", "HT-GULDKANT"):
        ev = home_care[code].events.get(kind=EventKind.TERMINATION)
        ev.note = "Avslutade avtalet på egen begäran efter fördjupad uppföljning."
        ev.save()
    ProviderEvent.objects.create(provider=home_care["HT-NYCKELN"], area=hc, kind=EventKind.MANAGER_CHANGE,
                                 date=date(2026, 2, 1), note="Ny verksamhetsansvarig godkänd av förvaltningen.")
    ProviderEvent.objects.create(provider=home_care["HT-EVEO"], area=hc, kind=EventKind.NEW_PREMISES,
                                 date=date(2025, 9, 1), note="Flyttade till nya lokaler i Flemingsberg.")
    ProviderEvent.objects.create(provider=home_care["HT-AROS"], area=hc, kind=EventKind.ACQUISITION,
                                 date=date(2024, 10, 1), note="Förvärvade kundstocken från en avvecklad utförare.")
    own_hc = _provider("HT-EGEN", "Hemtjänsten i egen regi", Ownership.MUNICIPAL, "212000-0142")
    Contract.objects.create(provider=own_hc, area=hc, form=ContractForm.OWN, start=date(2010, 1, 1))
    for unit in OWN_HOME_CARE_UNITS:
        Unit.objects.create(provider=own_hc, area=hc, name=f"Hemtjänst {unit}", manager=f"Enhetschef {unit}")
    home_care["HT-EGEN"] = own_hc
    ctx["home_care"] = home_care

    # Permits and attributes (seed 002: 2 of 4 lacked food registration; seed 004: credit ratings).
    statuses = {
        "HT-AROS": {}, "HT-EVEO": {}, "HT-TRYGGA": {}, "HT-LINNEA": {},
        "HT-NYCKELN": {PermitKind.FOOD: Permit.Status.MISSING},
        "HT-SAAND": {PermitKind.FOOD: Permit.Status.MISSING, PermitKind.CREDIT_RATING: Permit.Status.PARTLY},
        "HT-KVARNEN": {PermitKind.COLLECTIVE_AGREEMENT: Permit.Status.MISSING},
    }
    for code, overrides in statuses.items():
        for kind in PermitKind.values:
            Permit.objects.create(
                provider=home_care[code], kind=kind, status=overrides.get(kind, Permit.Status.OK),
                reference="IVO 8.5-12345/2019" if kind == PermitKind.IVO else "",
                valid_from=date(2019, 1, 1), checked_on=date(2026, 3, 1),
            )

    serial = 0
    for area_code, jan_private, started, ended, own, label in OTHER_AREAS:
        area = areas[area_code]
        for i in range(jan_private + started):
            serial += 1
            place = PLACE_NAMES[i % len(PLACE_NAMES)]
            name = f"{place} {label} AB" if i < len(PLACE_NAMES) else f"{place} {label} {i} AB"
            p = _provider(f"{area_code[:3].upper()}-{i + 1:03d}", name, Ownership.PRIVATE, f"559{serial:03d}-{1000 + i}")
            start = date(2022, 3 + i % 8, 1) if i >= jan_private else date(2015 + i % 6, 1 + i % 12, 1)
            end = date(2022, 5 + i % 6, 28) if i < ended else None
            Contract.objects.create(provider=p, area=area, form=ContractForm.LOV, start=start, end=end)
            Unit.objects.create(provider=p, area=area, name=name.removesuffix(" AB"), active=end is None)
            ProviderEvent.objects.create(provider=p, area=area, kind=EventKind.CONTRACT_START, date=start)
            if end:
                ProviderEvent.objects.create(provider=p, area=area, kind=EventKind.TERMINATION, date=end)
        for j in range(own):
            p = _provider(f"{area_code[:3].upper()}-EGEN-{j + 1:02d}",
                          f"{label} {PLACE_NAMES[-1 - j]} (egen regi)", Ownership.MUNICIPAL, "212000-0142")
            Contract.objects.create(provider=p, area=area, form=ContractForm.OWN, start=date(2010, 1, 1))
            Unit.objects.create(provider=p, area=area, name=f"{label} {PLACE_NAMES[-1 - j]}")

    users = {}
    for username, full_name, role, provider_code in DEMO_USERS:
        first, _sep, last = full_name.partition(" ")
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, role=role, first_name=first, last_name=last,
            email=f"{username}@example.org", provider=home_care[provider_code] if provider_code else None,
            is_superuser=role == Role.ADMIN, is_staff=role == Role.ADMIN,
        )
        if username in DEMO_UNIT_MANAGERS:
            user.units.set([user.provider.units.get(name=f"Hemtjänst {OWN_HOME_CARE_UNITS[DEMO_UNIT_MANAGERS[username]]}")])
        users[username] = user
    ctx["users"] = users
