import io
from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from docx import Document

from foljsam.planning import services
from foljsam.planning.models import QualityStudy
from foljsam.registry.models import Area, Procurement, Provider, Sector, Unit
from tests.conftest import people_of, statuses

EVERYONE = ("anon", "officer", "reader", "user_a", "user_b")


@pytest.fixture
def study(world):
    units = list(Unit.objects.filter(area=world.area))
    for u in units:
        u.manager_email = f"chef-{u.pk}@example.org"
        u.save()
    return services.study_save(by=world.officer, areas=[world.area], units=units, year=2022, theme="Ledningssystem",
                               why="Signaler", recommendations=["Tydliga rollbeskrivningar", "", "Planeringssystem"])


def test_study_keeps_recommendations_in_order_and_units_inside_its_areas(world, study):
    assert [r.text for r in study.recommendations.all()] == ["Tydliga rollbeskrivningar", "Planeringssystem"]
    other_area = Area.objects.create(code="sabo", name="Särskilt boende", board=world.board,
                                     procurement=Procurement.LOV, sector=Sector.ELDERLY)
    p = Provider.objects.create(code="SB", name="SB AB", ownership="private")
    outside = Unit.objects.create(provider=p, area=other_area, name="Boendet")
    with pytest.raises(ValidationError) as exc:
        services.study_save(by=world.officer, study=study, areas=[world.area], units=[outside])
    assert exc.value.code == "unit_outside"
    with pytest.raises(ValidationError) as exc:
        services.interview_add(by=world.officer, study=study, unit=outside, kind="manager", held_on=date(2022, 5, 1))
    assert exc.value.code == "unit_outside"
    with pytest.raises(ValidationError) as exc:
        services.study_save(by=world.officer, areas=[], year=2022, theme="x")
    assert exc.value.code == "no_areas"
    with pytest.raises(ValidationError) as exc:
        services.study_save(by=world.reader, areas=[world.area], year=2022, theme="x")
    assert exc.value.code == "forbidden"


def test_feedback_is_mailed_to_participants_and_recorded_only_when_sent(world, study,
                                                                        django_capture_on_commit_callbacks):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("down")), \
            django_capture_on_commit_callbacks(execute=True):
        services.study_send_feedback(by=world.officer, study=study)
    study.refresh_from_db()
    assert study.feedback_sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        n = services.study_send_feedback(by=world.officer, study=study)
    study.refresh_from_db()
    assert study.feedback_sent_at is not None
    assert n == len(mail.outbox[0].to) == 4  # two provider users, two unit managers
    assert "Planeringssystem" in mail.outbox[0].body


def test_study_report_documents(client, world, study):
    services.interview_add(by=world.officer, study=study, unit=study.units.first(), kind="staff",
                           held_on=date(2022, 5, 1), notes="Personalen känner inte till rutinerna.")
    client.force_login(world.reader)
    doc = Document(io.BytesIO(client.get(f"/kvalitetsundersokningar/{study.pk}/rapport.docx").content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Rekommendationer" in headings and "Intervjuer" in headings
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert "Tydliga rollbeskrivningar" in bullets
    assert client.get(f"/kvalitetsundersokningar/{study.pk}/rapport.pdf").content.startswith(b"%PDF")


def test_study_access(client, world, study):
    # Only provider A's unit takes part: A reads the study and its report, B gets 404.
    study = services.study_save(by=world.officer, study=study, areas=[world.area],
                                units=Unit.objects.filter(provider=world.provider_a))
    services.interview_add(by=world.officer, study=study, unit=study.units.first(), kind="staff",
                           held_on=date(2022, 5, 1), notes="Känsliga arbetsanteckningar")
    people = people_of(world, *EVERYONE)
    assert statuses(client, "/kvalitetsundersokningar/", people) == {
        "anon": 302, "officer": 200, "reader": 200, "user_a": 200, "user_b": 200}
    read = {"anon": 302, "officer": 200, "reader": 200, "user_a": 200, "user_b": 404}
    for url in (f"/kvalitetsundersokningar/{study.pk}/", f"/kvalitetsundersokningar/{study.pk}/rapport.docx",
                f"/kvalitetsundersokningar/{study.pk}/rapport.pdf"):
        assert statuses(client, url, people) == read, url
    write_page = {"anon": 302, "officer": 200, "reader": 403, "user_a": 403, "user_b": 403}
    assert statuses(client, "/kvalitetsundersokningar/ny/", people) == write_page
    assert statuses(client, f"/kvalitetsundersokningar/{study.pk}/andra/", people) == write_page
    post = {"anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    assert statuses(client, f"/kvalitetsundersokningar/{study.pk}/aterkoppling/", people, "post") == post
    unit = study.units.first()
    assert statuses(client, f"/kvalitetsundersokningar/{study.pk}/", people, "post",
                    {"unit": unit.pk, "kind": "manager", "held_on": "2022-06-01"}) == {**post, "user_b": 404}
    # The participant reads the report without the municipality's interview notes.
    client.force_login(world.user_a)
    assert "Känsliga arbetsanteckningar" not in client.get(f"/kvalitetsundersokningar/{study.pk}/").content.decode()
    doc = Document(io.BytesIO(client.get(f"/kvalitetsundersokningar/{study.pk}/rapport.docx").content))
    assert "Intervjuer" not in [p.text for p in doc.paragraphs]
    assert "Tydliga rollbeskrivningar" in [p.text for p in doc.paragraphs]
    client.force_login(world.user_b)
    assert "Ledningssystem" not in client.get("/kvalitetsundersokningar/").content.decode()
    client.force_login(world.reader)
    assert "Känsliga arbetsanteckningar" in client.get(f"/kvalitetsundersokningar/{study.pk}/").content.decode()


def test_study_form(client, world):
    client.force_login(world.officer)
    response = client.post("/kvalitetsundersokningar/ny/", {"year": 2024, "theme": "", "areas": [world.area.pk],
                                                              "status": "planned"})
    assert response.status_code == 400
    response = client.post("/kvalitetsundersokningar/ny/", {
        "year": 2024, "theme": "Självbestämmande", "areas": [world.area.pk], "status": "planned",
        "recommendations": "Ett\nTvå"})
    study = QualityStudy.objects.get()
    assert response.status_code == 302
    assert [r.text for r in study.recommendations.all()] == ["Ett", "Två"]
    assert client.get(f"/kvalitetsundersokningar/{study.pk}/rapport.odt").status_code == 404
