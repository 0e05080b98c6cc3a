"""Every URL with the officer, provider A's user, provider B's user and an anonymous visitor
(healthchecks' hc/test.py style): B never reaches A's answers or documents."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from foljsam.followups import services
from foljsam.followups.models import Status

from ..conftest import people_of, statuses
from .conftest import answer_all, rate_all

pytestmark = pytest.mark.django_db
PEOPLE = ("officer", "user_a", "user_b", None)


@pytest.fixture
def state(sent):
    sent.answer = sent.a.answers.select_related("requirement").get(requirement__title="Rutin för lex Sarah")
    sent.doc = services.document_upload(answer=sent.answer, by=sent.user_a,
                                        upload=SimpleUploadedFile("Hemlig rutin A.pdf", b"%PDF-1.4 A"))
    answer_all(sent.a, sent.user_a)
    rate_all(sent.a, sent.officer, {"Egenkontroll": "yellow"})
    sent.area_rating = sent.a.area_ratings.first()
    return sent


def _client(client, world, who):
    client.logout()
    if who:
        client.force_login(getattr(world, who))
    return client


def _check(client, world, url, expected, method="get", data=None):
    people = people_of(world, "officer", "user_a", "user_b", "anon")
    assert statuses(client, url, people, method, data) == expected, url


STAFF = {"officer": 200, "user_a": 403, "user_b": 403, "anon": 302}
PORTAL_A = {"officer": 200, "user_a": 200, "user_b": 404, "anon": 302}


def test_staff_pages(client, state):
    c = state.campaign
    for url in [
        reverse("followups:campaigns"), reverse("followups:campaign", args=[c.pk]),
        reverse("followups:results", args=[c.pk]), reverse("followups:year_summary", args=[c.year]),
        reverse("followups:results_export", args=[c.pk, "xlsx"]),
        reverse("followups:results_export", args=[c.pk, "pdf"]), reverse("followups:assessment", args=[state.a.pk]),
        reverse("followups:campaign_create"), reverse("followups:campaign_create") + f"?omrade={state.area.pk}",
        reverse("catalogue:list"), reverse("catalogue:detail", args=[state.catalogue.pk]),
        reverse("catalogue:export", args=[state.catalogue.pk, "yaml"]),
        reverse("catalogue:export", args=[state.catalogue.pk, "xlsx"]),
        reverse("catalogue:import"), reverse("catalogue:create"),
    ]:
        _check(client, state, url, STAFF)


def test_portal_pages(client, state):
    _check(client, state, reverse("followups:portal"), {"officer": 200, "user_a": 200, "user_b": 200, "anon": 302})
    _check(client, state, reverse("followups:portal_assessment", args=[state.a.pk]), PORTAL_A)
    _check(client, state, reverse("followups:document", args=[state.doc.pk]), PORTAL_A)


def test_provider_b_cannot_write_to_a(client, state):
    b = _client(client, state, "user_b")
    a_url = reverse("followups:portal_assessment", args=[state.a.pk])
    assert b.post(a_url, {f"a-{state.answer.pk}-text": "Kapning"}).status_code == 404
    assert b.post(reverse("followups:document_delete", args=[state.doc.pk])).status_code == 404
    assert b.post(reverse("followups:portal_completion", args=[state.answer.pk]), {"text": "x"}).status_code == 404
    assert b.post(reverse("followups:portal_factcheck", args=[state.a.pk]), {"done": "1"}).status_code == 404
    state.answer.refresh_from_db()
    assert state.answer.text == "Varje månad."
    assert state.answer.documents.count() == 1


def test_officer_actions_refused_for_providers(client, state):
    for url in [
        reverse("followups:campaign_send", args=[state.campaign.pk]),
        reverse("followups:campaign_remind", args=[state.campaign.pk]),
        reverse("followups:assessment_ratings", args=[state.a.pk]),
        reverse("followups:assessment_interview", args=[state.a.pk]),
        reverse("followups:assessment_factcheck", args=[state.a.pk]),
        reverse("followups:assessment_finalise", args=[state.a.pk]),
        reverse("followups:area_override", args=[state.area_rating.pk]),
        reverse("followups:completion_request", args=[state.answer.pk]),
        reverse("followups:answer_rate", args=[state.answer.pk]),
    ]:
        for who in ("user_a", "user_b"):
            assert _client(client, state, who).post(url).status_code == 403, (url, who)
        assert _client(client, state, None).post(url).status_code == 302
    state.a.refresh_from_db()
    assert state.a.status == Status.ASSESSED


def test_lists_show_only_own_provider(client, state):
    a_page = _client(client, state, "user_a").get(reverse("followups:portal")).content.decode()
    b_page = _client(client, state, "user_b").get(reverse("followups:portal")).content.decode()
    assert "Alfa Omsorg AB enhet 1" in a_page and "Beta Hemtjänst AB enhet 1" not in a_page
    assert "Beta Hemtjänst AB enhet 1" in b_page and "Alfa Omsorg AB enhet 1" not in b_page
    page = _client(client, state, "user_a").get(reverse("followups:portal_assessment", args=[state.a.pk]))
    assert "Hemlig rutin A.pdf" in page.content.decode()
    # Ratings stay hidden from the provider until the draft goes to fact-check.
    assert "Gul" not in page.content.decode().split("<main", 1)[1].split("Besvarade frågor")[0]
    home = _client(client, state, "user_b").get("/").content.decode()
    assert "Alfa Omsorg" not in home


def test_document_download_returns_the_file(client, state):
    response = _client(client, state, "user_a").get(reverse("followups:document", args=[state.doc.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 A"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Hemlig rutin A.pdf\"; filename*=UTF-8''Hemlig%20rutin%20A.pdf")


def test_officer_rates_and_finalises_through_views(client, state):
    c = _client(client, state, "officer")
    r = c.post(reverse("followups:assessment_factcheck", args=[state.a.pk]))
    assert r.status_code == 302
    state.a.refresh_from_db()
    assert state.a.status == Status.FACTCHECK
    a = _client(client, state, "user_a")
    a.post(reverse("followups:portal_factcheck", args=[state.a.pk]),
           {f"a-{state.answer.pk}-factcheck": "Vi har rutinen.", "done": "1"})
    state.a.refresh_from_db()
    assert state.a.status == Status.FACTCHECKED
    c = _client(client, state, "officer")
    c.post(reverse("followups:assessment_finalise", args=[state.a.pk]))
    state.a.refresh_from_db()
    assert state.a.status == Status.FINAL and state.a.action_plan is None  # only yellow → rating 2, no plan
    r = c.post(reverse("followups:assessment_ratings", args=[state.a.pk]),
               {f"a-{state.answer.pk}-rating": "red", f"a-{state.answer.pk}-comment": "x"}, follow=True)
    assert "låst" in r.content.decode()


def test_results_exports(client, state):
    c = _client(client, state, "officer")
    pdf = c.get(reverse("followups:results_export", args=[state.campaign.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = c.get(reverse("followups:results_export", args=[state.campaign.pk, "xlsx"]))
    from io import BytesIO

    from openpyxl import load_workbook
    wb = load_workbook(BytesIO(xlsx.content))
    # Sheet names are cut at Excel's 31 characters.
    assert wb.sheetnames == ["Sammanfattning", "Ledningssystem för kvalitet", "Specifika krav för externa utfö",
                             "Avvikelser per enhet"]  # no figures in this catalogue: no "Siffror" sheet
    sheet = wb["Ledningssystem för kvalitet"]
    col = [c.value for c in sheet[1]].index("Alfa Omsorg AB enhet 1") + 1
    assert sheet.cell(row=3, column=1).value == "Egenkontroll"
    assert sheet.cell(row=3, column=col).value == "Gul"
    assert sheet.cell(row=3, column=col).fill.fgColor.rgb.endswith("FFF1B8")


def test_one_requirement_saved_with_htmx(client, state):
    c = _client(client, state, "officer")
    url = reverse("followups:answer_rate", args=[state.answer.pk])
    prefix = f"a-{state.answer.pk}-"
    r = c.post(url, {prefix + "rating": "red", prefix + "comment": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Skriv en kommentar" in r.content.decode()
    r = c.post(url, {prefix + "rating": "red", prefix + "comment": "Saknas."}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert f'id="svar-{state.answer.pk}"' in html and "✗ Röd" in html
    assert 'id="area-ratings" hx-swap-oob="true"' in html and "3 – med avvikelse" in html
    state.answer.refresh_from_db()
    assert (state.answer.rating, state.answer.rating_comment) == ("red", "Saknas.")
    # Without JavaScript the same button posts the whole form here and is redirected back.
    r = c.post(url, {prefix + "rating": "green", prefix + "comment": ""})
    assert r.status_code == 302 and r["Location"].endswith(f"#svar-{state.answer.pk}")
    state.answer.refresh_from_db()
    assert state.answer.rating == "green"


def test_catalogue_edited_in_the_web_until_sent(client, fu):
    c = _client(client, fu, "officer")
    area = fu.catalogue.areas.first()
    r = c.post(reverse("catalogue:requirement_create", args=[area.pk]), {
        "code": "1.3", "title": "Systematik", "question": "Hur ofta analyserar ni avvikelser?",
        "answer_type": "frequency", "weight": 3, "applies_to": "all", "order": 30, "documents": "Rutin\nPlan"})
    assert r.status_code == 302
    req = area.requirements.get(title="Systematik")
    assert req.document_list == ["Rutin", "Plan"]
    assert _client(client, fu, "user_a").post(reverse("catalogue:requirement_delete", args=[req.pk])).status_code == 403
    services.campaign_send(campaign=fu.campaign, by=fu.officer)
    c = _client(client, fu, "officer")
    r = c.post(reverse("catalogue:requirement_edit", args=[req.pk]), {
        "code": "1.3", "title": "Ändrad", "question": "?", "answer_type": "yes_no", "weight": 1,
        "applies_to": "all", "order": 30})
    assert r.status_code == 400 and "kan inte ändras" in r.content.decode()
    req.refresh_from_db()
    assert req.title == "Systematik"


# --- Review fixes ---------------------------------------------------------------------------


def _campaign_post(world, year):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return {"area": world.area.pk, "year": year, "catalogue": world.catalogue.pk, "factcheck_weeks": 2,
            "opens_on": today.isoformat(), "deadline": (today + timedelta(days=30)).isoformat(),
            "units": [u.pk for u in world.area.units.all()]}


def test_posting_the_create_form_twice_makes_one_campaign(client, fu):
    from foljsam.followups.models import Campaign

    c = _client(client, fu, "officer")
    url = reverse("followups:campaign_create") + f"?omrade={fu.area.pk}"
    data = _campaign_post(fu, fu.campaign.year + 1)
    assert c.post(url, data).status_code == 302
    r = c.post(url, data)
    assert r.status_code == 400
    assert f"Det finns redan en avtalsuppföljning för Hemtjänst år {fu.campaign.year + 1}" in r.content.decode()
    assert Campaign.objects.filter(area=fu.area, year=fu.campaign.year + 1).count() == 1


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "0", " ", "99999999999999999999999", "١"])
def test_bad_area_parameter_is_ignored(client, fu, value):
    c = _client(client, fu, "officer")
    r = c.get(reverse("followups:campaign_create"), {"omrade": value})
    assert r.status_code == 200 and "Hemtjänst" in r.content.decode()
    r = c.post(reverse("followups:campaign_create"), {"area": value})
    assert r.status_code == 200
