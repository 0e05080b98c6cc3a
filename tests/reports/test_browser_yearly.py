"""The yearly cycle in Debian's Chromium, with axe on every page: the officer generates the plan,
a campaign realises its contract follow-up, the report's prose is edited and saved, the Word file is
downloaded and read back, the PDF rendered; a reader reads without forms."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from foljsam.catalogue import services as catalogue_services
from foljsam.planning.models import Kind, PlanItem
from foljsam.reports.models import SectionText

from ..conftest import browser_login, check_axe
from ..followups.conftest import SMALL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=f"/tmp/yearly-{name}.png", full_page=True)


def test_plan_campaign_report_documents(world, page):
    catalogue_services.catalogue_import(data=SMALL, by=world.officer)
    year = timezone.localdate().year

    browser_login(page, "officer")
    page.get_by_role("link", name="Uppföljningsplan").first.click()
    page.get_by_role("button", name="Generera ur registret").click()
    page.wait_for_selector("text=poster lades till i planen")
    check_axe(page)
    shot(page, "plan")
    row = page.locator("tr", has=page.locator("th", has_text="Hemtjänst"))
    assert "Genomförd" not in row.inner_text()

    # A campaign for home care this year realises the plan's item.
    page.goto("/")
    page.get_by_role("link", name="Avtalsuppföljning").first.click()
    page.get_by_role("link", name="Ny avtalsuppföljning").click()
    page.get_by_label("Verksamhetsområde").select_option(label="Hemtjänst (LOV (valfrihetssystem))")
    page.get_by_role("button", name="Fortsätt").click()
    page.get_by_label("Kravkatalog").select_option(label="Testkatalog (1)")
    page.get_by_label("Sista svarsdag").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Skapa").click()
    page.goto(f"/plan/?ar={year}")
    row = page.locator("tr", has=page.locator("th", has_text="Hemtjänst"))
    assert "Genomförd" in row.inner_text()
    totals = page.locator("tr", has=page.locator("th", has_text="Avtalsuppföljning")).first.inner_text()
    planned = PlanItem.objects.filter(kind=Kind.CONTRACT, year__in=[year, year + 1, year + 2]).count()
    assert planned >= 3 and totals.split()[-3:] == [str(planned), "1", "0"]  # planned in three years, done, cancelled
    check_axe(page)

    # The report draft: the officer writes the introduction and saves a version.
    page.goto("/rapporter/")
    check_axe(page)
    page.goto(f"/rapporter/arsrapport/{year}/")
    check_axe(page)
    page.locator("#id_uppfoljning-text").fill("Uppföljningen har genomförts enligt planen.")
    page.locator("#avsnitt-uppfoljning").get_by_role("button", name="Spara ny version").click()
    page.wait_for_selector("text=Texten är sparad som en ny version.")
    check_axe(page)
    shot(page, "report")
    assert SectionText.objects.get(section="uppfoljning").version == 1

    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner Word").click()
    doc = Document(io.BytesIO(open(info.value.path(), "rb").read()))  # noqa: SIM115
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ["Uppföljning", "Avtalsuppföljning", "Resultat per verksamhetsområde"] == headings[:3]
    texts = [p.text for p in doc.paragraphs]
    assert "Uppföljningen har genomförts enligt planen." in texts
    assert [c.text for c in doc.tables[0].rows[1].cells][:3] == ["Hemtjänst", "2", "0"]
    assert [c.text for c in doc.tables[-1].rows[1].cells] == ["Hemtjänst", "2", "0", "2", "0"]
    assert len(doc.inline_shapes) >= 1  # the providers chart as a picture, its table beside it

    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner PDF").click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115

    # The quality report (seed 003): a signal fills the deviations table; the officer writes the
    # assessment, downloads Word (headings, the table and the chart's picture read back) and the PDF.
    from foljsam.indepth import services as indepth
    from foljsam.indepth.models import SignalSource, SignalTheme

    indepth.signal_create(by=world.officer, provider=world.provider_a, received_on=timezone.localdate(),
                          source=SignalSource.LEX_SARAH, theme=SignalTheme.objects.get_or_create(name="Bemötande")[0],
                          description="Anmälan enligt lex Sarah.")
    page.goto("/rapporter/")
    page.get_by_role("link", name=f"Kvalitetsberättelse {year - 1}").click()
    page.goto(f"/rapporter/kvalitetsberattelse/{year}/")
    page.locator("#id_bedomning-text").fill("Kvaliteten bedöms god.")
    page.locator("#avsnitt-bedomning").get_by_role("button", name="Spara ny version").click()
    page.wait_for_selector("text=Texten är sparad som en ny version.")
    check_axe(page)
    shot(page, "quality")
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner Word").click()
    doc = Document(io.BytesIO(open(info.value.path(), "rb").read()))  # noqa: SIM115
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Inledning" and "Avvikelser, synpunkter och klagomål" in headings
    assert "Kvaliteten bedöms god." in [p.text for p in doc.paragraphs]
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Organisation")
    assert [c.text for c in table.rows[1].cells] == ["Alfa Omsorg AB", "Hemtjänst", "1", "0", "0", "0", "1"]
    assert len(doc.inline_shapes) == 1
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner PDF").click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115

    # A reader reads the report, without the editing forms.
    page.context.clear_cookies()
    browser_login(page, "reader")
    page.goto(f"/rapporter/arsrapport/{year}/")
    assert page.locator("#avsnitt-uppfoljning").get_by_text("Uppföljningen har genomförts enligt planen.").is_visible()
    assert page.get_by_role("button", name="Spara ny version").count() == 0
    check_axe(page)
