from datetime import date, datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from foljsam.followups.models import Answer
from foljsam.planning import services
from foljsam.planning.models import Invitation, Kind, Meeting, PlanItem
from foljsam.registry.models import Area, Procurement, Provider, Sector
from tests.conftest import people_of, statuses

EVERYONE = ("anon", "officer", "reader", "user_a", "user_b")


def _when():
    return datetime(timezone.localdate().year, 10, 1, 13, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def meeting(world):
    return services.meeting_create(by=world.officer, title="Dialogmöte hemtjänst", areas=[world.area],
                                   starts_at=_when(), place="Sal 3", agenda="Resultat")


def test_create_invites_the_areas_providers_and_realises_the_plan(world):
    item = services.plan_item_add(by=world.officer, kind=Kind.DIALOGUE, area=world.area, year=_when().year)
    m = services.meeting_create(by=world.officer, title="Möte", areas=[world.area], starts_at=_when(), place="X")
    assert set(m.invitations.values_list("provider__code", flat=True)) == {"P-A", "P-B"}
    item.refresh_from_db()
    assert item.realised == m


def test_create_refuses_no_areas_and_no_providers(world):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(by=world.officer, title="Möte", areas=[], starts_at=_when(), place="X")
    assert exc.value.code == "no_areas"
    empty = Area.objects.create(code="tom", name="Tom", board=world.board, procurement=Procurement.LOV,
                                sector=Sector.ELDERLY)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(by=world.officer, title="Möte", areas=[empty], starts_at=_when(), place="X")
    assert exc.value.code == "no_providers"
    assert not Meeting.objects.exists()  # all or nothing


def test_invitations_are_mailed_after_commit_and_recorded_only_when_sent(world, meeting,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_invite(by=world.officer, meeting=meeting) == 2
    assert len(mail.outbox) == 2
    assert "Sal 3" in mail.outbox[0].body and "alice@example.org" in mail.outbox[0].to + mail.outbox[1].to
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 2
    with pytest.raises(ValidationError) as exc:
        services.meeting_invite(by=world.officer, meeting=meeting)
    assert exc.value.code == "already_invited"


def test_a_failing_mail_server_records_no_invitation(world, meeting, django_capture_on_commit_callbacks):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("down")), \
            django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(by=world.officer, meeting=meeting)
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


def test_only_yellow_results_of_invited_providers_go_on_the_agenda(sent):
    w = sent
    m = services.meeting_create(by=w.officer, title="Möte", areas=[w.area], starts_at=_when(), place="X",
                                providers=[w.provider_a])
    yellow_a = w.a.answers.first()
    Answer.objects.filter(pk=yellow_a.pk).update(rating="yellow")
    yellow_b = w.b.answers.first()
    Answer.objects.filter(pk=yellow_b.pk).update(rating="yellow")
    red = w.a.answers.last()
    Answer.objects.filter(pk=red.pk).update(rating="red")
    from foljsam.planning import selectors

    assert list(selectors.yellow_results(meeting=m)) == [yellow_a]
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(by=w.officer, meeting=m, answer=Answer.objects.get(pk=red.pk))
    assert exc.value.code == "not_yellow"
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(by=w.officer, meeting=m, answer=Answer.objects.get(pk=yellow_b.pk))
    assert exc.value.code == "not_invited"
    item = services.agenda_item_add(by=w.officer, meeting=m, answer=Answer.objects.get(pk=yellow_a.pk))
    assert item.answer_id == yellow_a.pk
    assert list(selectors.yellow_results(meeting=m)) == []


def test_meeting_access(client, world, meeting):
    other = services.meeting_create(by=world.officer, title="Bara B", areas=[world.area], starts_at=_when(),
                                    place="X", providers=[world.provider_b])
    people = people_of(world, *EVERYONE)
    assert statuses(client, "/dialogmoten/", people) == {"anon": 302, "officer": 200, "reader": 200,
                                                         "user_a": 200, "user_b": 200}
    assert statuses(client, f"/dialogmoten/{meeting.pk}/", people) == {
        "anon": 302, "officer": 200, "reader": 200, "user_a": 200, "user_b": 200}
    assert statuses(client, f"/dialogmoten/{other.pk}/", people) == {
        "anon": 302, "officer": 200, "reader": 200, "user_a": 404, "user_b": 200}
    assert statuses(client, "/dialogmoten/nytt/", people) == {
        "anon": 302, "officer": 200, "reader": 403, "user_a": 403, "user_b": 403}
    write = {"anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    for step, data in (("minutes", {"minutes": "Anteckningar"}), ("agenda", {"text": "Punkt"}),
                       ("attendance", {"attended": [world.provider_a.pk]}),
                       ("action", {"text": "Gör", "owner": "Ulla", "due": "2030-01-01"})):
        assert statuses(client, f"/dialogmoten/{meeting.pk}/{step}/", people, "post", data) == write
    meeting.refresh_from_db()
    assert meeting.minutes == "Anteckningar"
    assert meeting.invitations.get(provider=world.provider_a).attended is True
    assert meeting.invitations.get(provider=world.provider_b).attended is False
    client.force_login(world.user_a)
    listed = client.get("/dialogmoten/").content.decode()
    assert "Bara B" not in listed and "Dialogmöte hemtjänst" in listed


def test_meeting_views_bad_input(client, world):
    client.force_login(world.officer)
    response = client.post("/dialogmoten/nytt/", {"title": "M", "areas": [world.area.pk], "place": "X",
                                                  "starts_at": "inte ett datum"})
    assert response.status_code == 400
    response = client.post("/dialogmoten/nytt/", {"title": "M", "areas": [world.area.pk], "place": "X",
                                                  "starts_at": "2030-05-01T10:00"})
    m = Meeting.objects.get()
    assert response.status_code == 302
    assert client.post(f"/dialogmoten/{m.pk}/action/", {"text": "x", "owner": "", "due": ""}).status_code == 400
    assert client.post(f"/dialogmoten/{m.pk}/okand/").status_code == 404
    assert client.get(f"/dialogmoten/{m.pk}/").status_code == 200
    Provider.objects.all()  # noqa: B018
    assert PlanItem.objects.count() == 0
    assert date(2030, 5, 1) == timezone.localtime(m.starts_at).date()


def test_an_ended_contract_elsewhere_does_not_drop_an_invitation(world):
    from foljsam.registry.models import Contract, ContractForm

    other = Area.objects.create(code="sabo", name="Särskilt boende", board=world.board, procurement=Procurement.LOV,
                                sector=Sector.ELDERLY)
    Contract.objects.create(provider=world.provider_b, area=other, form=ContractForm.LOV, start=date(2012, 1, 1),
                            end=date(2015, 12, 31))
    m = services.meeting_create(by=world.officer, title="Möte", areas=[world.area], starts_at=_when(), place="X")
    assert set(m.invitations.values_list("provider__code", flat=True)) == {"P-A", "P-B"}


def test_an_agreed_action_is_marked_done_with_who_and_when(client, world, meeting):
    action = services.agreed_action_add(by=world.officer, meeting=meeting, text="Ses över rutinen", owner="Alfa",
                                        due=date(2030, 1, 1))
    people = people_of(world, *EVERYONE)
    # Provider A and B are invited and read the meeting, but only the officer marks an action done.
    assert statuses(client, f"/dialogmoten/{meeting.pk}/action-done/", people, "post", {"action": action.pk}) == {
        "anon": 302, "officer": 302, "reader": 403, "user_a": 403, "user_b": 403}
    action.refresh_from_db()
    assert action.done and action.done_by == world.officer and action.done_at is not None
    for who in (world.user_a, world.user_b, world.reader):
        client.force_login(who)
        page = client.get(f"/dialogmoten/{meeting.pk}/").content.decode()
        assert f'id="atgard-{action.pk}"' in page and world.officer.username in page
        assert "action-done" not in page  # no button for those who may not mark
    # Done is terminal: a second marking is refused and keeps the first person and time.
    first_at = action.done_at
    with pytest.raises(ValidationError) as exc:
        services.agreed_action_done(by=world.officer, action=action)
    assert exc.value.code == "already_done"
    action.refresh_from_db()
    assert action.done_at == first_at
    with pytest.raises(ValidationError) as exc:
        services.agreed_action_done(by=world.user_a, action=action)
    assert exc.value.code == "forbidden"


def test_marking_done_refuses_another_meetings_action_and_bad_ids(client, world, meeting):
    other = services.meeting_create(by=world.officer, title="Bara B", areas=[world.area], starts_at=_when(),
                                    place="X", providers=[world.provider_b])
    theirs = services.agreed_action_add(by=world.officer, meeting=other, text="Gör", owner="B", due=date(2030, 1, 1))
    client.force_login(world.officer)
    url = f"/dialogmoten/{meeting.pk}/action-done/"
    assert client.post(url, {"action": theirs.pk}).status_code == 404
    assert client.post(url, {"action": "x"}).status_code == 404
    assert client.post(url, {}).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.done
    page = client.get(f"/dialogmoten/{other.pk}/").content.decode()
    assert "action-done" in page  # the officer's button
    client.post(f"/dialogmoten/{other.pk}/action-done/", {"action": theirs.pk})
    assert client.post(f"/dialogmoten/{other.pk}/action-done/", {"action": theirs.pk}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.done_by == world.officer
