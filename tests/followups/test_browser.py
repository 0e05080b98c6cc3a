"""The whole contract follow-up in Debian's Chromium, with an axe check of every page visited:
send → the provider answers and submits → the officer assesses → fact-check → finalise → action plan."""

from datetime import timedelta

import pytest
from django.utils import timezone

from foljsam.actions.models import ActionPlan, Deviation
from foljsam.catalogue import services as catalogue_services
from foljsam.followups.models import Assessment, Status

from ..conftest import browser_login, check_axe
from .conftest import SMALL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=f"/tmp/fu-{name}.png", full_page=True)


def test_whole_contract_followup(world, page, tmp_path):
    catalogue_services.catalogue_import(data=SMALL, by=world.officer)
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()

    # The officer opens the year's follow-up for home care and sends it to every unit.
    browser_login(page, "officer")
    page.get_by_role("link", name="Avtalsuppföljning").first.click()
    check_axe(page)
    page.get_by_role("link", name="Ny avtalsuppföljning").click()
    page.get_by_label("Verksamhetsområde").select_option(label="Hemtjänst (LOV (valfrihetssystem))")
    check_axe(page)
    page.get_by_role("button", name="Fortsätt").click()
    page.get_by_label("Kravkatalog").select_option(label="Testkatalog (1)")
    page.get_by_label("Sista svarsdag").fill(deadline)
    assert page.get_by_label("Alfa Omsorg AB – Alfa Omsorg AB enhet 1").is_checked()
    check_axe(page)
    shot(page, "campaign-form")
    page.get_by_role("button", name="Skapa").click()
    page.get_by_role("button", name="Skicka enkäten till alla enheter").click()
    page.wait_for_selector("text=Enkäten är skickad till 2 enheter.")
    check_axe(page)
    shot(page, "campaign")

    # Provider A answers over two sittings, uploads the routine and submits.
    page.context.clear_cookies()
    browser_login(page, "alice")
    check_axe(page)
    page.get_by_role("link", name="Hemtjänst", exact=False).first.click()
    page.wait_for_selector("h1:has-text('Avtalsuppföljning')")
    check_axe(page)
    page.get_by_label("Ja").first.check()
    routine = tmp_path / "Rutin lex Sarah.pdf"
    routine.write_bytes(b"%PDF-1.4 rutin")
    page.get_by_label("Ladda upp dokument till ”Rutin för lex Sarah”").set_input_files(str(routine))
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_selector("text=Svaren är sparade.")
    assert page.get_by_role("link", name="Rutin lex Sarah.pdf").is_visible()
    page.get_by_label("Hur ofta gör ni egenkontroller?").fill("Varje kvartal.")
    page.locator("input[type=radio][value=ja]").nth(1).check()
    check_axe(page)
    shot(page, "portal")
    page.get_by_role("button", name="Skicka in").click()
    page.wait_for_selector("text=Enkäten är inskickad. Tack!")
    check_axe(page)

    # The officer rates: lex Sarah red → area rating 3.
    page.context.clear_cookies()
    browser_login(page, "officer")
    check_axe(page)
    page.get_by_role("link", name="Alfa Omsorg AB enhet 1").first.click()
    answers = {a.requirement.title: a.pk for a in Assessment.objects.get(unit__provider=world.provider_a)
               .answers.select_related("requirement")}
    lex_pk = answers["Rutin för lex Sarah"]
    lex = page.locator(f"#svar-{lex_pk}")
    # One key per colour: "3" is red. Saved at once (HTMX); red without a comment is refused, the
    # choice stays, and the comment then saves it when the field is left.
    lex.get_by_label("Grön – finns/uppnås").focus()
    page.keyboard.press("3")
    page.wait_for_selector(f"#svar-{lex_pk} >> text=Skriv en kommentar")
    assert lex.get_by_label("Röd – saknas/uppnås ej").is_checked()
    lex.get_by_label("Kommentar Rutin för lex Sarah").fill("Rutinen är inte känd av medarbetarna.")
    page.keyboard.press("Tab")
    page.wait_for_selector(f"#svar-{lex_pk} >> text=Sparad")
    assert "3 – med avvikelse" in page.locator("#area-ratings").inner_text()
    check_axe(page)
    for title in ("Egenkontroll", "IVO-tillstånd"):
        page.locator(f"#svar-{answers[title]}").get_by_label("Grön – finns/uppnås").check()
        page.wait_for_selector(f"#svar-{answers[title]} >> text=Sparad")
    page.reload()
    assert "3 – med avvikelse" in page.locator("#area-ratings").inner_text()
    check_axe(page)
    shot(page, "assessment")
    page.get_by_role("button", name="Skicka utkastet för sakgranskning").click()
    page.wait_for_selector("text=Väntar på utförarens sakgranskning.")
    check_axe(page)

    # Provider A fact-checks: comments on the red judgement.
    page.context.clear_cookies()
    browser_login(page, "alice")
    page.get_by_role("link", name="Hemtjänst", exact=False).first.click()
    comment = page.get_by_label("Er kommentar till bedömningen av ”Rutin för lex Sarah”")
    comment.fill("Rutinen gicks igenom på APT i maj.")
    check_axe(page)
    shot(page, "factcheck")
    page.get_by_role("button", name="Lämna sakgranskningen").click()
    page.wait_for_selector("text=Sakgranskningen är lämnad till förvaltningen.")
    check_axe(page)

    # The officer settles and finalises: a deviation and an action plan.
    page.context.clear_cookies()
    browser_login(page, "officer")
    page.get_by_role("link", name="Alfa Omsorg AB enhet 1").first.click()
    # is_visible() does not wait: the assessment page must have loaded after the click first.
    page.locator(f"#svar-{lex_pk}").get_by_text("Rutinen gicks igenom på APT i maj.").wait_for(state="visible")
    assert page.locator("#sg-h").is_visible()  # the fact-check comments summed up at the top
    page.get_by_label("Svar på sakgranskningen Rutin för lex Sarah").fill("Intervjun visade att rutinen inte är känd.")
    page.keyboard.press("Tab")
    page.wait_for_selector(f"#svar-{lex_pk} >> text=Sparad")
    page.get_by_role("button", name="Slutför bedömningen").click()
    page.wait_for_selector("text=en åtgärdsplan är begärd")
    check_axe(page)
    shot(page, "final")
    assessment = Assessment.objects.get(unit__provider=world.provider_a)
    assert assessment.status == Status.FINAL
    page.goto(f"/avtalsuppfoljning/{assessment.campaign_id}/resultat/")
    check_axe(page)
    shot(page, "results")
    page.goto(assessment.action_plan.get_absolute_url())
    page.wait_for_selector("text=Begärd")
    check_axe(page)

    plan = ActionPlan.objects.get(provider=world.provider_a)
    assert plan.title.startswith("Avtalsuppföljning") and "inom 4 veckor" in plan.request_note
    assert list(plan.deviations.values_list("requirement", flat=True)) == [
        "Ledningssystem för kvalitet: Rutin för lex Sarah"]
    assert Deviation.objects.filter(provider=world.provider_b).count() == 0
