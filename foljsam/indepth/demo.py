"""Demo: signals and in-depth follow-ups. 2022 reproduces seed 000 – home care 9 in-depth follow-ups
(external complaints, organisation changes, media about welfare fraud), daglig verksamhet 2 (new
providers), särskilt boende 2 (one from the contract follow-up, one from repeated complaints),
boendestöd 1 (not followed up since start); three private home-care providers ended (one over the
manager-competence requirement, two at their own request after a long follow-up) on the days the
registry's providers table already has. The current year has signals that trigger proposals, a
pattern in särskilt boende, a case in progress with a proposed sanction and clients for the risk view."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from foljsam.actions import services as actions
from foljsam.actions.models import ActionPlan, PlanStep
from foljsam.registry.models import Contract, EventKind, Provider, ProviderEvent

from . import services
from .defaults import ensure_defaults
from .models import SignalTheme

CLIENTS = {"HT-AROS": 140, "HT-EVEO": 95, "HT-NYCKELN": 60, "HT-SAAND": 45, "HT-TRYGGA": 25, "HT-LINNEA": 20,
           "HT-KVARNEN": 8, "HT-EGEN": 850}


def _theme(name):
    return SignalTheme.objects.get(name=name)


def _signal(officer, code, day, source, theme, text, severity=2, shared=False):
    return services.signal_create(by=officer, provider=Provider.objects.get(code=code), received_on=day,
                                  source=source, theme=_theme(theme), severity=severity, description=text,
                                  shared=shared)


def _walk_plan(plan, officer, *, verified: bool, at: date):
    """Take a plan asked of a provider in the past through its steps and move its dates there (demo only)."""
    actions.action_plan_submit(plan=plan, by=officer, measures="Rutinerna ses över och gås igenom på APT; chefen "
                               "följer upp vid nästa egenkontroll.", responsible="Verksamhetsansvarig")
    actions.action_plan_approve(plan=plan, by=officer)
    if verified:
        actions.action_plan_carry_out(plan=plan, by=officer)
        actions.action_plan_verify(plan=plan, by=officer, comment="Kontrollerat vid uppföljningsbesök.")
    shift = timezone.localdate() - at
    plan.refresh_from_db()
    ActionPlan.objects.filter(pk=plan.pk).update(submit_by=plan.submit_by - shift,
                                                 complete_by=plan.complete_by - shift if plan.complete_by else None)
    for step in PlanStep.objects.filter(plan=plan):
        PlanStep.objects.filter(pk=step.pk).update(at=step.at - shift)
    plan.deviations.update(found_on=at, closed_on=at + timedelta(days=60) if verified else None)


def _case(officer, code, area, trigger, opened, evidence, *, visit=None, findings=(), result="", signals=()):
    provider = Provider.objects.get(code=code)
    case = services.case_open(by=officer, provider=provider, area=area, trigger=trigger, evidence=evidence,
                              opened_on=opened, unit=provider.units.filter(area=area).first(), signals=signals)
    for signal in signals:
        services.signal_assess(signal=signal, by=officer, decision="indepth", case=case,
                               note="Underlag för den fördjupade uppföljningen.")
        if result:
            services.signal_close(signal=signal, by=officer)
    if visit is None:
        return case
    services.case_plan_visit(case=case, by=officer, visit_on=visit, visit_by="Uppföljningsteamet (två uppföljare)")
    services.case_record_visit(case=case, by=officer, visited_on=visit,
                               interviewed="Verksamhetsansvarig och två medarbetare",
                               interview_notes="Rundvandring i lokalerna; stickprov i social dokumentation.")
    # The premises part of the checklist; the rest is left as it was at the visit.
    values = {c.pk: ("ok", "") for c in case.checks.filter(group="premises")[:3]}
    services.case_checks_save(case=case, by=officer, values=values)
    made = [services.finding_add(case=case, by=officer, requirement_area=area_name, rating=rating, text=text)
            for area_name, rating, text in findings]
    to_fix = [f for f in made if f.rating != "green"]
    if to_fix:
        plan = services.findings_to_deviations(case=case, by=officer, findings=to_fix,
                                               plan_title=f"Fördjupad uppföljning {visit:%Y-%m}")
        _walk_plan(plan, officer, verified=True, at=visit + timedelta(days=10))
    if result:
        services.case_close(case=case, by=officer, result=result, closed_on=visit + timedelta(days=30))
    return case


def _terminate(officer, case, *, initiator, reason, notice, decided, decided_by):
    contract = Contract.objects.filter(provider=case.provider, area=case.area).order_by("-start").first()
    termination = services.termination_propose(case=case, by=officer, contract=contract, reason=reason, notice=notice,
                                               last_day=contract.end, initiator=initiator,
                                               proposed_on=decided - timedelta(days=14))
    services.termination_decide(termination=termination, by=officer, approve=True, decided_by=decided_by,
                                decision_on=decided)


def _year_2022(ctx, officer):
    areas = ctx["areas"]
    hc = areas["hemtjanst"]
    # Signals of 2022: external complaints behind the home-care cases, repeated complaints in särskilt boende.
    backen = [_signal(officer, "HT-BACKEN", date(2022, 1, d), "client", theme, text) for d, theme, text in (
        (12, "Uteblivna besök", "Anhörig: kvällsbesöket uteblev två dagar i rad."),
        (19, "Bemötande", "Brukare upplever att personalen har bråttom och inte lyssnar."),
        (27, "Kontinuitet", "Nya medarbetare vid nästan varje besök under januari."))]
    backen_later = [_signal(officer, "HT-BACKEN", date(2022, 5, d), "client", "Tidsregistrering", text)
                    for d, text in ((3, "Anhörig ifrågasätter registrerad tid: besöket varade tio minuter."),
                                    (17, "Bistånd: insatser registreras som utförda men brukaren säger nej."))]
    backen_later.append(_signal(officer, "HT-BACKEN", date(2022, 5, 20), "lex_sarah", "Uteblivna besök",
                                "Lex Sarah-rapport: missat tillsynsbesök, risk för missförhållande.", severity=3))
    guldkant = [_signal(officer, "HT-GULDKANT", date(2022, 7, d), "client", theme, text) for d, theme, text in (
        (4, "Bemötande", "Klagomål på språket i kontakten med anhöriga."),
        (21, "Uteblivna besök", "Inköp gjordes inte som planerat."),
        (28, "Hygien", "Brukaren har inte fått dusch enligt beslut."))]
    eveo = [_signal(officer, "HT-EVEO", date(2022, 9, d), "client", "Uteblivna besök", text) for d, text in (
        (6, "Anhörig: lunchbesöket uteblev."), (14, "Brukare väntade över en timme på morgonbesöket."),
        (29, "Kollega i bistånd vidarebefordrar klagomål om sena besök."))]
    sabo = [_signal(officer, "SAR-002", date(2022, 4, d), "client", theme, text) for d, theme, text in (
        (2, "Mat och måltider", "Anhörig: en varmrätt serveras, inte två."),
        (11, "Bemötande", "Anhörig upplever att personalen inte svarar på frågor."),
        (25, "Mat och måltider", "Middagen serverades kall."),
        (29, "Kommunikation och information", "Anhöriga får inte veta när läkaren besökt."))]

    # Home care: 9 cases.
    findings = [("Social dokumentation", "red", "Genomförandeplaner saknas för 6 av 10 kunder i stickprovet."),
                ("Tids- och insatsregistrering", "red", "Insatser registrerade i direkt följd efter varandra."),
                ("Ledningssystem för kvalitet", "yellow", "Avvikelser rapporteras sällan; rutinen är okänd.")]
    c1 = _case(officer, "HT-BACKEN", hc, "signals", date(2022, 2, 1), "3 klagomål på 90 dagar (januari 2022).",
               visit=date(2022, 2, 22), findings=findings, signals=backen,
               result="Flera avvikelser; åtgärdsplan begärd. Ny uppföljning om klagomålen fortsätter.")
    c2 = _case(officer, "HT-BACKEN", hc, "signals", date(2022, 5, 24), "Klagomål på tidsregistrering och lex "
               "Sarah-rapport i maj 2022.", visit=date(2022, 6, 8), findings=findings[:2],
               signals=backen_later, result="Avvikelserna kvarstår inom flera områden.")
    services.bistand_notify(case=c2, by=officer, recipient="Bistånd och förebyggande", sent_on=date(2022, 6, 10),
                            text="Vid den fördjupade uppföljningen framkom att insatser registreras som utförda "
                                 "utan att ha utförts. Följ upp att kunderna får beviljade insatser.")
    _terminate(officer, c2, initiator="provider", reason="Utföraren avslutar avtalet på egen begäran efter en längre "
               "period av uppföljning med avvikelser inom flera områden.", notice="tre månader",
               decided=date(2022, 6, 30), decided_by="Avdelningschef, socialförvaltningen")
    c3 = _case(officer, "HT-GULDKANT", hc, "organisation", date(2022, 3, 14), "Nya lokaler i Flemingsberg "
               "(2022-03-01).", visit=date(2022, 4, 5), findings=[
                   ("Lokaler", "yellow", "Nyckelskåp saknar kvittenslista.")],
               result="Lokalerna godkända efter komplettering av nyckelhanteringen.")
    ProviderEvent.objects.create(provider=c3.provider, area=hc, kind=EventKind.NEW_PREMISES, date=date(2022, 3, 1),
                                 note="Flyttade till nya lokaler.")
    c4 = _case(officer, "HT-GULDKANT", hc, "signals", date(2022, 8, 2), "3 klagomål i juli 2022.",
               visit=date(2022, 8, 23), findings=findings, signals=guldkant,
               result="Avvikelser inom social dokumentation och registrering; åtgärdsplan begärd.")
    _terminate(officer, c4, initiator="provider", reason="Utföraren avslutar avtalet på egen begäran efter en längre "
               "period av uppföljning med avvikelser inom flera områden.", notice="två månader",
               decided=date(2022, 9, 20), decided_by="Avdelningschef, socialförvaltningen")
    c5 = _case(officer, "HT-SOLROSEN", hc, "organisation", date(2022, 2, 7), "Byte av verksamhetsansvarig "
               "(2022-01-31) när nya krav på kompetens gäller.", visit=date(2022, 3, 1), findings=[
                   ("Verksamhetsansvarig", "red", "Den nya verksamhetsansvariga uppfyller inte kravet på "
                                                  "kompetens i förfrågningsunderlaget 2022.")],
               result="Kravet på verksamhetsansvarigs kompetens uppfylls inte.")
    ProviderEvent.objects.create(provider=c5.provider, area=hc, kind=EventKind.MANAGER_CHANGE,
                                 date=date(2022, 1, 31), note="Ny verksamhetsansvarig.")
    _terminate(officer, c5, initiator="provider", reason="Utföraren avslutar sitt uppdrag med anledning av det "
               "ändrade kravet på verksamhetsansvarigs kompetens.", notice="tre månader",
               decided=date(2022, 3, 31), decided_by="Avdelningschef, socialförvaltningen")
    _case(officer, "HT-AROS", hc, "organisation", date(2022, 5, 9), "Förvärv av kundstock ökar kundunderlaget.",
          visit=date(2022, 5, 31), findings=[("Bemanning", "green", "Bemanningen motsvarar det ökade "
                                                                    "kundunderlaget.")],
          result="Inga avvikelser. Verksamheten har tagit emot de nya kunderna enligt plan.")
    _case(officer, "HT-EVEO", hc, "signals", date(2022, 10, 3), "3 klagomål om uteblivna och sena besök i "
          "september 2022.", visit=date(2022, 10, 18), signals=eveo, findings=[
              ("Planering", "yellow", "Planeringen tar inte hänsyn till restider.")],
          result="Planeringen ses över; åtgärdsplan godkänd och genomförd.")
    for code, day in (("HT-NYCKELN", 19), ("HT-SAAND", 21)):
        _case(officer, code, hc, "external", date(2022, 4, day), "Omvärldsbevakning: uppgifter i media om "
              "välfärdsfusk inom hemtjänst i en annan kommun.", visit=date(2022, 5, day), findings=[
                  ("Tids- och insatsregistrering", "green", "Registreringarna stämmer med planeringen i stickprovet."),
                  ("Anställningsförhållanden", "green", "Anställningsavtal finns för all personal i schemat.")],
              result="Inga tecken på felaktig registrering eller ersättning.")

    # Daglig verksamhet: two new providers, six months after their first client.
    dv = areas["daglig_verksamhet"]
    for code, first, extra in (("DAG-033", date(2022, 3, 14), ()),
                               ("DAG-034", date(2022, 4, 11),
                                (("Praktikplatser", "yellow", "Utföraren ska komplettera med hur praktikplatser "
                                                              "förbereds."),))):
        provider = Provider.objects.get(code=code)
        ProviderEvent.objects.create(provider=provider, area=dv, kind=EventKind.FIRST_CLIENT, date=first)
        opened = first + timedelta(days=182)
        _case(officer, code, dv, "new_provider", opened, f"Första brukaren {first.isoformat()}.",
              visit=opened + timedelta(days=14), findings=extra,
              result="Godkända att fortsätta bedriva daglig verksamhet.")

    # Särskilt boende: one from the contract follow-up, one from repeated complaints (still going on).
    sb = areas["sarskilt_boende"]
    _case(officer, "SAR-003", sb, "contract_followup", date(2022, 5, 16), "Oklarheter vid avtalsuppföljningen: "
          "hantering av HSL-avvikelser, lex Maria samt mat och måltider.", visit=date(2022, 6, 2), findings=[
              ("Avvikelsehantering", "green", "Förtydligat av verksamhetsansvarig vid besöket.")],
          result="Avslutad efter förtydliganden av verksamhetsansvarig.")
    ongoing = _case(officer, "SAR-002", sb, "signals", date(2022, 5, 2), "Upprepade klagomål (4 i april 2022).",
                    visit=date(2022, 5, 30), signals=sabo, findings=[
                        ("Mat och måltider", "red", "Två varmrätter serveras inte till lunch och middag."),
                        ("Information till anhöriga", "yellow", "Rutin för information till anhöriga saknas.")])
    ongoing.internal_notes = "Uppföljningen fortsätter: att förändringarna håller över tid."
    ongoing.save()

    # Boendestöd: one provider not followed up since it started.
    _case(officer, "BOE-003", areas["boendestod"], "new_provider", date(2022, 9, 5), "Ingen uppföljning sedan "
          "utförarens uppstart.", visit=date(2022, 9, 26), findings=[
              ("Tidsregistrering", "yellow", "Avvikelser i hanteringen av tidsregistrering.")],
          result="Utföraren uppfyller kraven; avvikelser i tidsregistreringen ska åtgärdas.")
    return c1


def _current(ctx, officer):
    today = timezone.localdate()
    for code, n in CLIENTS.items():
        Provider.objects.filter(code=code).update(clients=n)  # demo data, not a user's change
    ago = lambda days: today - timedelta(days=days)  # noqa: E731
    # Eveo: three complaints in 90 days → proposed.
    for days, text in ((70, "Anhörig: kvällsbesöket uteblev."), (35, "Brukare fick vänta två timmar på "
                                                                      "morgonbesöket."),
                       (6, "Anhörig: samma insats registrerades tre gånger i rad.")):
        _signal(officer, "HT-EVEO", ago(days), "client", "Uteblivna besök", text, shared=days < 40)
    # Nyckeln: one lex Sarah on risk of abuse → proposed.
    _signal(officer, "HT-NYCKELN", ago(12), "lex_sarah", "Läkemedel",
            "Lex Sarah-rapport: läkemedel gavs inte vid två tillfällen; risk för missförhållande.", severity=3)
    # Aros: an internal deviation and a shared complaint (what the provider user sees).
    internal = _signal(officer, "HT-AROS", ago(40), "internal", "Sekretess",
                       "Intern avvikelse: felskickat e-postmeddelande.", severity=1)
    services.signal_assess(signal=internal, by=officer, decision="dialogue", note="Tas upp på dialogmötet.")
    services.signal_close(signal=internal, by=officer)
    _signal(officer, "HT-AROS", ago(20), "client", "Bemötande", "Anhörig upplever otrevligt bemötande i telefon.",
            shared=True)
    # A pattern: the same theme at three providers of särskilt boende → a quality study is proposed.
    for code, days in (("SAR-005", 50), ("SAR-008", 30), ("SAR-011", 9)):
        _signal(officer, code, ago(days), "client", "Mat och måltider", "Anhörig: maten serveras kall.")
    # A case in progress: Linnéa, from complaints; visit planned, a finding and a proposed sanction.
    linnea = [_signal(officer, "HT-LINNEA", ago(days), "bistand", "Kontinuitet", text) for days, text in (
        (60, "Handläggare: kunden har haft 14 olika medarbetare på två veckor."),
        (45, "Handläggare: nattinsats uteblev."))]
    case = _case(officer, "HT-LINNEA", ctx["areas"]["hemtjanst"], "signals", ago(30), "Signaler från bistånd om "
                 "kontinuitet och uteblivna insatser.", signals=linnea)
    services.case_plan_visit(case=case, by=officer, visit_on=today + timedelta(days=7), visit_by="Ulla Uppföljare")
    services.sanction_propose(case=case, by=officer, amount=Decimal("15000"), clause="Vite vid upprepade brister",
                              reason="Upprepade uteblivna insatser trots tidigare åtgärdsplan.", proposed_on=ago(2))
    # Aros: last year's case closed, its result visible to the provider.
    _case(officer, "HT-AROS", ctx["areas"]["hemtjanst"], "signals", ago(300), "Klagomål på bemötande.",
          visit=ago(280), findings=[("Bemötande", "yellow", "Personalen behöver stöd i bemötande i telefon.")],
          result="Utbildning i bemötande genomförs; åtgärdsplan verifierad.")


def load(ctx: dict) -> None:
    ensure_defaults()  # from the migration; again here for a database that was flushed
    officer = ctx["users"]["uppfoljare"]
    _year_2022(ctx, officer)
    _current(ctx, officer)
