"""Every new URL × (anonymous, officer, reader, provider A user, provider B user), and what each sees."""

from datetime import date
from decimal import Decimal

import pytest

from foljsam.indepth import services
from foljsam.indepth.models import Case, Finding, Signal
from foljsam.registry.models import Contract

from ..conftest import people_of, statuses

OK, FORBIDDEN, NOT_FOUND, LOGIN, BAD = 200, 403, 404, 302, 400
TODAY = date.today()


@pytest.fixture
def objs(world, make_signal):
    shared = make_signal(shared=True, description="Delad signal om bemötande.")
    hidden = make_signal(description="Intern signal, inte delad.")
    case = services.case_open(by=world.officer, provider=world.provider_a, area=world.area, trigger="signals")
    services.case_record_visit(case=case, by=world.officer, visited_on=TODAY, interview_notes="HEMLIG ANTECKNING")
    services.finding_add(case=case, by=world.officer, requirement_area="Nycklar", rating="red", text="Kvittens saknas")
    services.case_close(case=case, by=world.officer, result="Resultat: åtgärda nyckelhanteringen.")
    open_case = services.case_open(by=world.officer, provider=world.provider_a, area=world.area, trigger="other")
    sanction = services.sanction_propose(case=open_case, by=world.officer, amount=Decimal("5000"), clause="9",
                                         reason="x")
    termination = services.termination_propose(case=open_case, by=world.officer,
                                               contract=Contract.objects.get(provider=world.provider_a),
                                               reason="x", notice="1 månad", last_day=date(2030, 1, 31))
    return {"shared": shared.pk, "hidden": hidden.pk, "case": case.pk, "open": open_case.pk,
            "sanction": sanction.pk, "termination": termination.pk}


# url, then: anonymous, officer, reader, user A (own), user B (other provider)
GETS = [
    ("/signaler/", LOGIN, OK, OK, OK, OK),
    ("/signaler/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/signaler/importera/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/signaler/{shared}/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/signaler/{hidden}/", LOGIN, OK, OK, NOT_FOUND, NOT_FOUND),
    ("/signaler/{shared}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/fordjupad/", LOGIN, OK, OK, OK, OK),
    ("/fordjupad/forslag/", LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("/fordjupad/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/fordjupad/installningar/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/fordjupad/{case}/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/fordjupad/{open}/", LOGIN, OK, OK, NOT_FOUND, NOT_FOUND),
    ("/risk/", LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("/rapporter/fordjupad/?year=2022", LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
]


@pytest.mark.parametrize("case", GETS, ids=[c[0] for c in GETS])
def test_get_access(case, world, objs, client):
    url = case[0].format(**objs)
    people = people_of(world, "anon", "officer", "reader", "user_a", "user_b")
    assert statuses(client, url, people) == dict(zip(people, case[1:], strict=True)), url


# Every write: only officers; the others are refused before anything happens.
POSTS = [
    "/signaler/ny/", "/signaler/kontroll/", "/signaler/importera/", "/signaler/{shared}/andra/",
    "/signaler/{hidden}/bedom/", "/signaler/{shared}/avsluta/", "/fordjupad/ny/", "/fordjupad/installningar/",
    "/fordjupad/{open}/planera-besok/", "/fordjupad/{open}/besok/", "/fordjupad/{open}/checklista/",
    "/fordjupad/{open}/kontrollpunkt/", "/fordjupad/{open}/iakttagelse/", "/fordjupad/{open}/avvikelser/",
    "/fordjupad/{open}/bistand/", "/fordjupad/{open}/vite/", "/fordjupad/{open}/avsluta-avtal/",
    "/fordjupad/{open}/avsluta/", "/fordjupad/vite/{sanction}/beslut/",
    "/fordjupad/avsluta-avtal/{termination}/beslut/",
]


@pytest.mark.parametrize("url", POSTS)
def test_post_refused_for_all_but_officers(url, world, objs, client):
    people = people_of(world, "anon", "reader", "user_a", "user_b")
    assert statuses(client, url.format(**objs), people, method="post") == {
        "anon": LOGIN, "reader": FORBIDDEN, "user_a": FORBIDDEN, "user_b": FORBIDDEN}


def test_officer_gets_404_for_unknown_objects(world, client):
    client.force_login(world.officer)
    assert client.get("/fordjupad/999999/").status_code == NOT_FOUND
    assert client.post("/fordjupad/vite/999999/beslut/").status_code == NOT_FOUND


def test_provider_sees_result_not_internal_notes_nor_unshared_signals(world, objs, client):
    client.force_login(world.user_a)
    page = client.get(f"/fordjupad/{objs['case']}/").content.decode()
    assert "Resultat: åtgärda nyckelhanteringen." in page and "Kvittens saknas" in page
    assert "HEMLIG ANTECKNING" not in page and "5000" not in page
    signals = client.get("/signaler/").content.decode()
    assert "Delad signal" in signals or str(TODAY) in signals
    assert f"/signaler/{objs['hidden']}/" not in signals and f"/signaler/{objs['shared']}/" in signals
    cases = client.get("/fordjupad/").content.decode()
    assert f"/fordjupad/{objs['case']}/" in cases and f"/fordjupad/{objs['open']}/" not in cases


def test_officer_walks_a_case_through_the_pages(world, client, make_signal):
    client.force_login(world.officer)
    response = client.post("/signaler/ny/", {
        "provider": world.provider_a.pk, "received_on": TODAY.isoformat(), "source": "client",
        "theme": make_signal().theme.pk, "severity": 2, "description": "Gäller 19121212-1212"})
    assert response.status_code == BAD and Signal.objects.count() == 1
    assert "personnummer" in client.post("/signaler/kontroll/", {"description": "121212-1212"}).content.decode()
    signal = make_signal()
    response = client.post(f"/signaler/{signal.pk}/bedom/", {"decision": "indepth", "note": "Många klagomål"})
    case = Case.objects.get()
    assert response.status_code == LOGIN and response["Location"] == case.get_absolute_url()
    base = f"/fordjupad/{case.pk}/"
    assert client.post(base + "besok/", {"visit-visited_on": TODAY.isoformat()}).status_code == LOGIN
    response = client.post(base + "iakttagelse/", {"finding-requirement_area": "Nycklar", "finding-rating": "red",
                                                   "finding-text": "Saknas"}, HTTP_HX_REQUEST="true")
    assert response.status_code == OK and "Saknas" in response.content.decode()
    finding = Finding.objects.get()
    assert client.post(base + "avvikelser/", {"findings": [finding.pk], "dev-submit_within_weeks": 2}
                       ).status_code == LOGIN
    assert client.post(base + "vite/", {"sanction-amount": "-5", "sanction-clause": "1",
                                        "sanction-reason": "x"}).status_code == BAD
    assert client.post(base + "avsluta/", {"close-result": "Klart"}).status_code == LOGIN
    case.refresh_from_db()
    assert case.status == "closed"
    assert client.get("/rapporter/fordjupad/?year=2022&format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats")


def test_bad_query_parameters_are_not_errors(world, client):
    client.force_login(world.officer)
    assert client.get("/signaler/?utforare=²&status=x").status_code == OK
    assert client.get("/fordjupad/ny/?utforare=99999999999999999999&signal=abc").status_code == OK
    assert client.get("/rapporter/fordjupad/?year=abc").status_code == BAD


def test_board_excel_has_numbers(world, objs, client):
    import io

    from openpyxl import load_workbook

    client.force_login(world.reader)
    response = client.get(f"/rapporter/fordjupad/?year={TODAY.year}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Hemtjänst" and sheet["B2"].value == 2  # two cases opened this year


def test_settings_save_weights_and_themes(world, client):
    from foljsam.indepth.models import RiskWeight, SignalTheme
    from foljsam.indepth.risk import WEIGHTS

    client.force_login(world.officer)
    data = {"which": "vikter", **{f"vikter-{k}": str(v[0]) for k, v in WEIGHTS.items()}}
    data["vikter-signal_high"] = "7"
    assert client.post("/fordjupad/installningar/", data).status_code == LOGIN
    assert RiskWeight.objects.get(key="signal_high").value == Decimal("7")
    data["vikter-signal_high"] = "-1"
    assert client.post("/fordjupad/installningar/", data).status_code == BAD
    themes = list(SignalTheme.objects.all())
    form = {"which": "teman", "teman-TOTAL_FORMS": len(themes) + 1, "teman-INITIAL_FORMS": len(themes)}
    for i, t in enumerate(themes):
        form.update({f"teman-{i}-id": t.pk, f"teman-{i}-name": t.name, f"teman-{i}-sort_order": t.sort_order,
                     f"teman-{i}-active": "on"})
    n = len(themes)
    form.update({f"teman-{n}-name": "Brandskydd", f"teman-{n}-sort_order": 5, f"teman-{n}-active": "on"})
    assert client.post("/fordjupad/installningar/", form).status_code == LOGIN
    assert SignalTheme.objects.filter(name="Brandskydd").exists()


def test_open_a_case_from_a_signal(world, client, make_signal):
    signal = make_signal()
    client.force_login(world.officer)
    page = client.get(f"/fordjupad/ny/?signal={signal.pk}").content.decode()
    assert 'value="signals" selected' in page
    response = client.post(f"/fordjupad/ny/?signal={signal.pk}", {
        "provider": world.provider_a.pk, "area": world.area.pk, "trigger": "signals", "evidence": "Klagomål",
        "opened_on": TODAY.isoformat()})
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    signal.refresh_from_db()
    assert signal.case == case


def test_signal_list_does_not_name_other_providers(world, objs, client):
    client.force_login(world.user_a)
    page = client.get(f"/signaler/?utforare={world.provider_b.pk}").content.decode()
    assert world.provider_b.name not in page


def test_provider_page_section(world, objs, client):
    for _ in range(2):  # with the fixture's two signals: three complaints → a proposal
        services.signal_create(by=world.officer, provider=world.provider_a, received_on=TODAY, source="client",
                               theme=Signal.objects.first().theme, description="Klagomål")
    client.force_login(world.officer)
    page = client.get(f"/utforare/{world.provider_a.pk}/").content.decode()
    assert "Signaler och fördjupad uppföljning" in page and f"/signaler/{objs['hidden']}/" in page
    client.force_login(world.user_a)
    page = client.get(f"/utforare/{world.provider_a.pk}/").content.decode()
    assert f"/signaler/{objs['shared']}/" in page and f"/signaler/{objs['hidden']}/" not in page
    assert f"/fordjupad/{objs['open']}/" not in page and "Föreslås" not in page
