import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from foljsam.monthly.models import KpiSnapshot
from foljsam.overview import selectors, services
from foljsam.overview.models import ChoiceShare, QualityNarrative, SurveyResult
from foljsam.registry.models import Contract, ContractForm, Ownership, Permit, PermitKind, Provider, Unit
from tests.conftest import people_of, statuses

EVERYONE = ("anon", "officer", "reader", "user_a", "user_b")


@pytest.fixture
def ov(world):
    own = Provider.objects.create(code="EGEN", name="Egen regi", ownership=Ownership.MUNICIPAL)
    Contract.objects.create(provider=own, area=world.area, form=ContractForm.OWN, start=date(2010, 1, 1))
    Unit.objects.create(provider=own, area=world.area, name="Hemtjänst Tumba")
    for provider, clients in ((world.provider_a, 40), (world.provider_b, 70), (own, 300)):
        for month, manual in ((11, 0.02), (12, 0.04)):
            KpiSnapshot.objects.create(provider=provider, period=f"2024-{month:02d}", values={
                "clients": clients + month - 12, "granted_minutes": 1000, "executed_minutes": 900,
                "manual_share": manual, "continuity_mean": 8.0, "execution_rate": 0.9})
        KpiSnapshot.objects.create(provider=provider, period="2023-06", values={"manual_share": 0.10})
    Permit.objects.create(provider=world.provider_a, kind=PermitKind.IVO, status=Permit.Status.OK)
    Permit.objects.create(provider=world.provider_b, kind=PermitKind.CREDIT_RATING, status=Permit.Status.PARTLY)
    world.own = own
    return world


def test_overview_figures(ov):
    o = selectors.provider_overview(user=ov.officer, area=ov.area, year=2024)
    rows = {r.provider.code: r for r in o.rows}
    assert (rows["P-A"].clients, rows["P-A"].clients_period) == (40, "2024-12")
    assert rows["P-A"].manual_share == {2023: 10.0, 2024: pytest.approx(3.0)}
    assert rows["P-A"].ivo == "Finns / godkänd" and rows["P-B"].credit == "Delvis / gul"
    assert o.median_clients == 55  # external providers only: 40 and 70
    assert o.split["clients"] == {"own": 300, "external": 110}
    assert o.split["executed"] == {"own": 1800, "external": 3600}
    assert o.manual_by_ownership[2024]["own"] == pytest.approx(3.0)


def test_provider_users_see_only_their_own_row(ov):
    o = selectors.provider_overview(user=ov.user_a, area=ov.area, year=2024)
    assert [r.provider.code for r in o.rows] == ["P-A"]


def test_narratives_request_write_submit(ov):
    created = services.narrative_request(by=ov.officer, area=ov.area, year=2024)
    assert {n.provider.code for n in created} == {"P-A", "P-B"}  # private providers only
    with pytest.raises(ValidationError) as exc:
        services.narrative_request(by=ov.officer, area=ov.area, year=2024)
    assert exc.value.code == "nothing_to_request"
    n_a = QualityNarrative.objects.get(provider=ov.provider_a)
    with pytest.raises(ValidationError) as exc:
        services.narrative_save(narrative=n_a, by=ov.user_b, content={"staff": "x"})
    assert exc.value.code == "forbidden"
    with pytest.raises(ValidationError) as exc:
        services.narrative_save(narrative=n_a, by=ov.user_a, content={}, submit=True)
    assert exc.value.code == "empty"
    with pytest.raises(ValidationError) as exc:
        services.narrative_save(narrative=n_a, by=ov.user_a, content={"hack": "x"})
    assert exc.value.code == "unknown_heading"
    services.narrative_save(narrative=n_a, by=ov.user_a, content={"staff": "50 % usk"}, submit=True)
    assert n_a.submitted_at is not None
    with pytest.raises(ValidationError) as exc:
        services.narrative_save(narrative=n_a, by=ov.user_a, content={"staff": "ändrad"})
    assert exc.value.code == "already_submitted"


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_survey_import_all_or_nothing(ov):
    good = _xlsx([["Enhet", "Fråga", "Andel positiva"], ["Hemtjänst Tumba", "Nöjd totalt", 91],
                  ["alfa omsorg ab enhet 1", "Nöjd totalt", "86,5 %"]])
    assert services.survey_import(by=ov.officer, data=good, filename="enkat.xlsx", year=2024) == 2
    assert SurveyResult.objects.get(unit__provider=ov.provider_a).share_positive == 86.5
    for rows, code in (
        ([["Enhet", "Fråga"], ["Hemtjänst Tumba", "x"]], "missing_columns"),
        ([["Enhet", "Fråga", "Andel positiva"], ["Hemtjänst Tumba", "Ny", 50], ["Okänd", "x", 50]], "unknown_unit"),
        ([["Enhet", "Fråga", "Andel positiva"], ["Hemtjänst Tumba", "Ny", 150]], "bad_share"),
        ([["Enhet", "Fråga", "Andel positiva"]], "no_rows"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.survey_import(by=ov.officer, data=_xlsx(rows), filename="e.xlsx", year=2024)
        assert exc.value.code == code
    assert SurveyResult.objects.count() == 2  # nothing of the failed imports was kept
    with pytest.raises(ValidationError) as exc:
        services.survey_import(by=ov.officer, data=b"\x00\x01not a zip", filename="e.xlsx", year=2024)
    assert exc.value.code == "bad_file"


def test_choice_import_csv(ov):
    data = "Utförar-id;Andel ickeval\nP-A;8\nP-B;7,5\n".encode()
    assert services.choice_import(by=ov.officer, data=data, filename="ickeval.csv", year=2024, area=ov.area) == 2
    assert ChoiceShare.objects.get(provider=ov.provider_b).share == 7.5
    with pytest.raises(ValidationError) as exc:
        services.choice_import(by=ov.officer, data=b"Utf\xf6rar-id;Andel ickeval\n", filename="x.csv", year=2024,
                               area=ov.area)
    assert exc.value.code == "bad_file"
    with pytest.raises(ValidationError) as exc:
        services.choice_import(by=ov.reader, data=data, filename="ickeval.csv", year=2024, area=ov.area)
    assert exc.value.code == "forbidden"


def test_overview_access(client, ov):
    services.narrative_request(by=ov.officer, area=ov.area, year=2024)
    n_a = QualityNarrative.objects.get(provider=ov.provider_a)
    people = people_of(ov, *EVERYONE)
    everyone = {"anon": 302, "officer": 200, "reader": 200, "user_a": 200, "user_b": 200}
    assert statuses(client, "/utforaroversikt/?omrade=hemtjanst&ar=2024", people) == everyone
    assert statuses(client, "/kvalitetsberattelser/", people) == everyone
    assert statuses(client, f"/kvalitetsberattelser/{n_a.pk}/", people) == {**everyone, "user_b": 404}
    assert statuses(client, "/utforaroversikt/import/", people) == {
        "anon": 302, "officer": 200, "reader": 403, "user_a": 403, "user_b": 403}
    post = {"anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    assert statuses(client, "/utforaroversikt/begar-kvalitetsberattelser/", people, "post",
                    {"area": ov.area.pk, "year": 2025}) == post
    # Writing the narrative: its provider and officers; a reader may read it but a write is 403, B gets 404.
    got = statuses(client, f"/kvalitetsberattelser/{n_a.pk}/", people, "post", {"staff": "Text", "save": "1"})
    assert got == {"anon": 302, "officer": 302, "reader": 403, "user_a": 302, "user_b": 404}
    n_a.refresh_from_db()
    assert n_a.content["staff"] == "Text"
    client.force_login(ov.user_a)
    page = client.get("/utforaroversikt/?omrade=hemtjanst&ar=2024").content.decode()
    assert "Alfa Omsorg AB" in page and "Beta Hemtjänst AB" not in page
    assert "Kvalitetsberättelse att lämna in" in client.get("/").content.decode()
    # Their documents only: B's list of quality reports has B's, not A's; a reader's has both.
    client.force_login(ov.user_b)
    listed = client.get("/kvalitetsberattelser/").content.decode()
    assert f"/kvalitetsberattelser/{n_a.pk}/" not in listed
    assert f"/kvalitetsberattelser/{QualityNarrative.objects.get(provider=ov.provider_b, year=2024).pk}/" in listed
    client.force_login(ov.reader)
    listed = client.get("/kvalitetsberattelser/").content.decode()
    assert f"/kvalitetsberattelser/{n_a.pk}/" in listed


def test_overview_bad_input(client, ov):
    client.force_login(ov.officer)
    assert client.get("/utforaroversikt/?omrade=nope&ar=x").status_code == 200
    response = client.post("/utforaroversikt/import/", {"kind": "survey", "area": ov.area.pk, "year": 2024,
                                                        "file": io.BytesIO(b"Enhet;Fraga\n")})
    assert response.status_code == 400
    assert client.post("/utforaroversikt/begar-kvalitetsberattelser/", {"area": "x"}).status_code == 404
    page = client.get("/utforaroversikt/?omrade=hemtjanst&ar=2024").content.decode()
    assert "<svg" in page  # clients per provider, with its table


def test_narrative_request_is_mailed_after_commit(ov, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        services.narrative_request(by=ov.officer, area=ov.area, year=2024)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    assert "Rörelsevinst" in mail.outbox[0].body


def test_narrative_request_stands_when_the_mail_server_fails(ov, django_capture_on_commit_callbacks):
    from unittest import mock

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("down")), \
            django_capture_on_commit_callbacks(execute=True):
        services.narrative_request(by=ov.officer, area=ov.area, year=2024)
    assert QualityNarrative.objects.count() == 2


def test_an_ended_contract_elsewhere_does_not_hide_a_provider(ov):
    from foljsam.registry.models import Area, Procurement, Sector

    other = Area.objects.create(code="sabo", name="Särskilt boende", board=ov.board, procurement=Procurement.LOV,
                                sector=Sector.ELDERLY)
    Contract.objects.create(provider=ov.provider_b, area=other, form=ContractForm.LOV, start=date(2012, 1, 1),
                            end=date(2015, 12, 31))
    Contract.objects.create(provider=ov.provider_a, area=ov.area, form=ContractForm.LOV, start=date(2012, 1, 1),
                            end=date(2015, 12, 31))
    assert {p.code for p in selectors.providers_in(ov.area, 2024)} == {"P-A", "P-B", "EGEN"}
    assert {p.code for p in selectors.providers_in(other, 2024)} == set()
    assert {p.code for p in selectors.providers_in(other, 2015)} == {"P-B"}
