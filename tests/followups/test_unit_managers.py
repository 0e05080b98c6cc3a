"""Issue 11 item 2: a provider user bound to some of the provider's units (a unit manager) sees and
answers only those units in the portal; the provider-wide user still sees them all."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from foljsam.accounts.models import Role, User
from foljsam.accounts.services import user_save
from foljsam.followups import notify, services
from foljsam.followups.models import Answer, Assessment, Status
from foljsam.registry.models import Unit

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_unit(world):
    return Unit.objects.create(provider=world.provider_a, area=world.area, name="Alfa Omsorg AB enhet 2")


@pytest.fixture
def managed(sent):
    """Provider A gets a second unit with its own sent assessment, and a manager of unit 1 only."""
    unit = Unit.objects.create(provider=sent.provider_a, area=sent.area, name="Alfa Omsorg AB enhet 2")
    sent.a2 = Assessment.objects.create(campaign=sent.campaign, unit=unit, status=Status.SENT, sent_at=sent.a.sent_at)
    for answer in sent.a.answers.all():
        Answer.objects.create(assessment=sent.a2, requirement=answer.requirement)
    sent.manager = User.objects.create_user(username="chef", password=PASSWORD, role=Role.PROVIDER,
                                            provider=sent.provider_a, email="chef@example.org")
    sent.manager.units.set([sent.a.unit])
    return sent


def test_unit_manager_sees_and_answers_only_their_unit(client, managed):
    m = managed
    client.force_login(m.manager)
    portal = client.get(reverse("followups:portal")).content.decode()
    assert "Alfa Omsorg AB enhet 1" in portal and "Alfa Omsorg AB enhet 2" not in portal
    assert client.get(reverse("followups:portal_assessment", args=[m.a.pk])).status_code == 200
    assert client.get(reverse("followups:portal_assessment", args=[m.a2.pk])).status_code == 404
    answer = m.a2.answers.first()
    response = client.post(reverse("followups:portal_assessment", args=[m.a2.pk]),
                           {f"a-{answer.pk}-text": "Kapning"})
    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.text == ""
    # The provider-wide user of A still sees both units.
    client.force_login(m.user_a)
    portal = client.get(reverse("followups:portal")).content.decode()
    assert "Alfa Omsorg AB enhet 1" in portal and "Alfa Omsorg AB enhet 2" in portal
    assert client.get(reverse("followups:portal_assessment", args=[m.a2.pk])).status_code == 200


def test_unit_manager_cannot_reach_other_units_documents_or_factcheck(client, managed):
    m = managed
    answer = m.a2.answers.select_related("requirement").get(requirement__title="Rutin för lex Sarah")
    doc = services.document_upload(answer=answer, by=m.user_a,
                                   upload=SimpleUploadedFile("Rutin enhet 2.pdf", b"%PDF-1.4 2"))
    client.force_login(m.manager)
    assert client.get(reverse("followups:document", args=[doc.pk])).status_code == 404
    assert client.post(reverse("followups:document_delete", args=[doc.pk])).status_code == 404
    assert client.post(reverse("followups:portal_factcheck", args=[m.a2.pk]), {"done": "1"}).status_code == 404
    assert answer.documents.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.answers_save(assessment=m.a2, by=m.manager, values={answer.pk: {"text": "x"}})
    assert exc.value.code == "forbidden"


def test_mail_about_a_unit_reaches_its_manager_only(managed, django_capture_on_commit_callbacks):
    m = managed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify.send(m.a2, kind="sent", subject="Enkät")
        notify.send(m.a, kind="sent", subject="Enkät")
    to_a2, to_a1 = set(mail.outbox[0].to), set(mail.outbox[1].to)
    assert "chef@example.org" not in to_a2 and "alice@example.org" in to_a2
    assert {"chef@example.org", "alice@example.org"} <= to_a1


def test_units_must_belong_to_the_users_provider(world, second_unit):
    user = User(username="ny", role=Role.PROVIDER, provider=world.provider_a)
    with pytest.raises(ValidationError) as exc:
        user_save(user=user, by=world.admin, units=[world.provider_b.units.get()])
    assert exc.value.error_dict["units"][0].code == "unit_of_other_provider"
    reader = User(username="lasare", role=Role.READER)
    with pytest.raises(ValidationError) as exc:
        user_save(user=reader, by=world.admin, units=[second_unit])
    assert exc.value.error_dict["units"][0].code == "units_not_provider"
    user_save(user=user, by=world.admin, units=[second_unit])
    assert list(user.units.all()) == [second_unit]
    # Moving the user to another provider ends the binding to the old provider's units.
    user.provider = world.provider_b
    user_save(user=user, by=world.admin)
    assert not user.units.exists()


def test_admin_binds_a_user_to_units_in_the_form(world, second_unit, client):
    client.force_login(world.admin)
    data = {"username": "enhetschef", "role": Role.PROVIDER, "provider": world.provider_a.pk,
            "units": [second_unit.pk], "is_active": "on", "password": ""}
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 302
    assert list(User.objects.get(username="enhetschef").units.all()) == [second_unit]
    data.update(username="fel", units=[world.provider_b.units.get().pk])
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 400
    assert not User.objects.filter(username="fel").exists()
