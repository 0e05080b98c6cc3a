"""Issue 9's walk in Debian's Chromium, with axe on every page: signal received → proposal on the start
page → case opened → visit recorded → findings → deviation + action plan and a sanction decision →
termination decided → contract ended in the registry → counted in `foljsam report indepth --year`;
the risk page shows each score's parts; the provider sees the result."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from foljsam.actions.models import ActionPlan, Deviation, Source
from foljsam.indepth import services
from foljsam.indepth.models import Case, DecisionStatus, SignalTheme
from foljsam.registry.models import Contract

from ..conftest import browser_login, check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=f"/tmp/indepth-{name}.png", full_page=True)


def test_signal_to_termination(world, page, capsys):
    today = timezone.localdate()
    last_day = max(today, date(today.year, 12, 31) - timedelta(days=1))
    theme = SignalTheme.objects.get(name="Bemötande")
    for days in (40, 12):  # two complaints already registered; the third reaches the threshold
        services.signal_create(by=world.officer, provider=world.provider_a, received_on=today - timedelta(days=days),
                               source="client", theme=theme, description="Anhörig klagar på bemötandet.")

    browser_login(page, "officer")
    page.get_by_role("link", name="Signaler").first.click()
    check_axe(page)
    page.get_by_role("link", name="Registrera signal").click()
    page.get_by_label("Utförare:", exact=True).select_option(label="Alfa Omsorg AB")
    page.get_by_label("Källa").select_option(label="Brukare eller anhörig (klagomål)")
    page.get_by_label("Tema").select_option(label="Bemötande")
    page.get_by_label("Kort beskrivning").fill("Anhörig: personalen var otrevlig vid kvällsbesöket.")
    check_axe(page)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_selector("text=Signalen är sparad.")
    check_axe(page)  # the signal's page, with the assessment form
    page.goto("/signaler/importera/")
    check_axe(page)
    page.goto("/fordjupad/installningar/")
    check_axe(page)

    # The start page proposes an in-depth follow-up, with the reason.
    page.get_by_role("link", name="Start").first.click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Föreslås för fördjupad uppföljning"))
    assert "Alfa Omsorg AB" in panel.inner_text() and "Signaler" in panel.inner_text()
    check_axe(page)
    shot(page, "start")
    panel.get_by_role("link", name="Alla förslag med underlag").click()
    expect(page.locator("main")).to_contain_text("3 ×")  # retried until the new page is there
    check_axe(page)
    page.get_by_role("link", name="Öppna fördjupad uppföljning av Alfa Omsorg AB").click()
    check_axe(page)
    page.get_by_role("button", name="Öppna").click()
    page.wait_for_selector("text=Den fördjupade uppföljningen är öppnad.")
    case = Case.objects.get()
    assert case.trigger == "signals" and "3 ×" in case.trigger_evidence

    # The visit, the checklist (HTMX) and a finding (HTMX).
    page.get_by_label("Besöket genomfördes").fill(today.isoformat())
    page.get_by_label("Intervjuade (roller)").fill("Verksamhetsansvarig och två undersköterskor")
    page.get_by_role("button", name="Spara besöket").click()
    page.wait_for_selector("text=Besöket är registrerat.")
    page.get_by_label("Resultat: Nyckelhantering (godkänd, kvittens)").select_option(label="Saknas")
    page.get_by_role("button", name="Spara checklistan").click()
    page.wait_for_selector("#checklist >> text=Sparad.")
    page.get_by_label("Kravområde").fill("Nyckelhantering")
    page.get_by_label("Bedömning").select_option(label="Röd – uppfylls inte (avvikelse)")
    page.get_by_label("Iakttagelse").fill("Kvittens av nycklar saknas.")
    page.get_by_role("button", name="Spara iakttagelsen").click()
    page.wait_for_selector("#findings >> text=Kvittens av nycklar saknas.")
    check_axe(page)

    # Deviation and action plan through the existing process.
    page.reload()
    page.get_by_role("button", name="Registrera avvikelser och begär åtgärdsplan").click()
    page.wait_for_selector("text=Avvikelserna är registrerade")
    deviation = Deviation.objects.get(source=Source.INDEPTH)
    assert deviation.source_ref == case.source_ref and ActionPlan.objects.get().deviations.get() == deviation

    # A sanction, proposed and decided.
    page.get_by_text("Föreslå vite").click()
    form = page.locator("form[action$='/vite/']")
    form.get_by_label("Belopp (kr)").fill("20000")
    form.get_by_label("Avtalspunkt").fill("Vite vid brister")
    form.get_by_label("Skäl").fill("Nyckelhanteringen brister trots tidigare påpekanden.")
    form.get_by_role("button", name="Spara förslaget").click()
    page.wait_for_selector("text=Förslaget om vite är sparat.")
    decide = page.locator("form[action*='/fordjupad/vite/']")
    decide.get_by_label("Beslutat av").fill("Nämnden")
    decide.get_by_role("button", name="Registrera beslutet").click()
    page.wait_for_selector("text=Beslutet om vite är registrerat.")
    check_axe(page)

    # Termination, proposed and decided: the contract ends in the registry on its last day.
    page.get_by_text("Föreslå att avtalet avslutas").click()
    form = page.locator("form[action$='/avsluta-avtal/']")
    form.get_by_label("Avtal:", exact=True).select_option(index=1)
    form.get_by_label("Skäl").fill("Upprepade allvarliga brister.")
    form.get_by_label("Uppsägningstid").fill("en månad")
    form.get_by_label("Sista avtalsdag").fill(last_day.isoformat())
    form.get_by_role("button", name="Spara förslaget").click()
    page.wait_for_selector("text=Förslaget om att avsluta avtalet är sparat.")
    decide = page.locator("form[action*='/fordjupad/avsluta-avtal/']")
    decide.get_by_label("Beslutat av").fill("Nämnden")
    decide.get_by_role("button", name="Registrera beslutet").click()
    page.wait_for_selector("text=Beslutet är registrerat.")
    check_axe(page)
    assert Contract.objects.get(provider=world.provider_a).end == last_day
    assert case.terminations.get().status == DecisionStatus.DECIDED

    page.get_by_label("Resultat till utföraren").fill("Brister i nyckelhanteringen; vite och avslut beslutade.")
    page.get_by_role("button", name="Avsluta och visa resultatet för utföraren").click()
    page.wait_for_selector("text=Den fördjupade uppföljningen är avslutad")
    shot(page, "case")

    page.goto(f"/utforare/{world.provider_a.pk}/")
    assert last_day.isoformat() in page.locator("#avtal + .table-wrap").inner_text()
    check_axe(page)

    call_command("report", "indepth", "--year", str(today.year), "--json")
    [row] = [r for r in json.loads(capsys.readouterr().out) if r["area"] == "hemtjanst"]
    assert row == {"area": "hemtjanst", "indepth_followups": 1, "by_trigger": {"signals": 1}, "signals": 3,
                   "sanctions": 1, "terminations": 1 if last_day.year == today.year else 0}
    page.goto(f"/rapporter/fordjupad/?year={today.year}")
    check_axe(page)

    # The risk page shows each score's parts.
    page.get_by_role("link", name="Risk").first.click()
    row_a = page.locator("tr", has=page.get_by_role("link", name="Alfa Omsorg AB"))
    expect(row_a).to_contain_text("Åtgärdsplaner:")
    text = row_a.inner_text()
    assert "Signaler:" in text and "Åtgärdsplaner:" in text
    check_axe(page)
    shot(page, "risk")

    # The provider sees the result and the plan asked of it, not the internal interview notes.
    page.context.clear_cookies()
    browser_login(page, "alice")
    page.get_by_role("link", name="Fördjupad uppföljning").first.click()
    page.get_by_role("link", name=today.strftime("%Y-%m-%d")).first.click()
    expect(page.locator("main")).to_contain_text("Brister i nyckelhanteringen")
    main = page.locator("main").inner_text()
    assert "Brister i nyckelhanteringen" in main and "Kvittens av nycklar saknas." in main
    assert "två undersköterskor" not in main
    check_axe(page)
