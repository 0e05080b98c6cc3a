"""Edges of the contract follow-up's life cycle (issue 8 item 2): the fact-check deadline and the
reminder days at their boundaries, document delete in every state, the fact-check guard with
unrated answers. Each asserts an error code or a state, never the Swedish text."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from foljsam.followups import services
from foljsam.followups.models import Document, Reminder, Status

from .conftest import answer_all, rate_all

pytestmark = pytest.mark.django_db


def _code(exc_info) -> str:
    return exc_info.value.code


# --- Fact-check deadline ------------------------------------------------------------------------

@pytest.fixture
def in_factcheck(sent):
    answer_all(sent.a, sent.user_a)
    rate_all(sent.a, sent.officer, {})
    sent.a = services.factcheck_send(assessment=sent.a, by=sent.officer)
    return sent


def test_factcheck_deadline_is_the_campaigns_weeks_from_sending(in_factcheck):
    a = in_factcheck.a
    assert a.status == Status.FACTCHECK
    assert a.factcheck_due == timezone.localdate() + timedelta(weeks=in_factcheck.campaign.factcheck_weeks)


def test_finalise_waits_for_the_factcheck_through_its_last_day(in_factcheck):
    a, officer = in_factcheck.a, in_factcheck.officer
    with pytest.raises(ValidationError) as exc:
        services.assessment_finalise(assessment=a, by=officer, today=a.factcheck_due)
    assert _code(exc) == "factcheck_pending"
    a.refresh_from_db()
    assert a.status == Status.FACTCHECK
    final = services.assessment_finalise(assessment=a, by=officer, today=a.factcheck_due + timedelta(days=1))
    assert final.status == Status.FINAL


def test_a_returned_factcheck_may_be_finalised_before_the_deadline(in_factcheck):
    a = services.factcheck_save(assessment=in_factcheck.a, by=in_factcheck.user_a, comments={}, done=True)
    assert a.status == Status.FACTCHECKED
    final = services.assessment_finalise(assessment=a, by=in_factcheck.officer, today=timezone.localdate())
    assert final.status == Status.FINAL


def test_the_assessment_page_offers_finalising_only_after_the_deadline(in_factcheck, client):
    a = in_factcheck.a
    client.force_login(in_factcheck.officer)
    finalise = f'action="/avtalsuppfoljning/bedomning/{a.pk}/slutfor/"'
    type(a).objects.filter(pk=a.pk).update(factcheck_due=timezone.localdate())  # the last day
    assert finalise not in client.get(a.get_absolute_url()).content.decode()
    type(a).objects.filter(pk=a.pk).update(factcheck_due=timezone.localdate() - timedelta(days=1))
    assert finalise in client.get(a.get_absolute_url()).content.decode()


# --- Reminder days ------------------------------------------------------------------------------

def _reminders(campaign, kind):
    return Reminder.objects.filter(assessment__campaign=campaign, kind=kind).count()


def test_reminder_day_boundaries(sent):
    campaign, deadline = sent.campaign, sent.campaign.deadline
    units = campaign.assessments.count()
    remind = services.reminders_send
    assert remind(campaign=campaign, today=deadline - timedelta(days=services.REMIND_DAYS_BEFORE + 1)) == 0
    assert remind(campaign=campaign, today=deadline - timedelta(days=services.REMIND_DAYS_BEFORE)) == units
    assert _reminders(campaign, Reminder.Kind.APPROACHING) == units
    assert remind(campaign=campaign, today=deadline) == 0  # the deadline day: still "approaching", sent once
    assert _reminders(campaign, Reminder.Kind.PASSED) == 0
    assert remind(campaign=campaign, today=deadline + timedelta(days=1)) == units
    assert _reminders(campaign, Reminder.Kind.PASSED) == units
    assert remind(campaign=campaign, today=deadline + timedelta(days=30)) == 0


def test_submitted_units_get_no_reminder(sent):
    answer_all(sent.a, sent.user_a)
    n = services.reminders_send(campaign=sent.campaign, today=sent.campaign.deadline + timedelta(days=1))
    assert n == sent.campaign.assessments.count() - 1
    assert not Reminder.objects.filter(assessment=sent.a).exists()


# --- Document delete ----------------------------------------------------------------------------

def _upload(answer, by, name="Rutin.pdf"):
    return services.document_upload(answer=answer, by=by, upload=SimpleUploadedFile(name, b"%PDF-1.4 x"))


@pytest.fixture
def with_document(sent):
    sent.answer = sent.a.answers.select_related("requirement").get(requirement__title="Rutin för lex Sarah")
    sent.doc = _upload(sent.answer, sent.user_a)
    return sent


def test_document_delete_while_answering_removes_row_and_file(with_document):
    doc = with_document.doc
    storage, name = doc.file.storage, doc.file.name
    assert storage.exists(name)
    services.document_delete(document=doc, by=with_document.user_a)
    assert not Document.objects.filter(pk=doc.pk).exists()
    assert not storage.exists(name)


def test_document_delete_refused_after_submit_and_for_others(with_document):
    w = with_document
    answer_all(w.a, w.user_a)
    with pytest.raises(ValidationError) as exc:
        services.document_delete(document=w.doc, by=w.user_a)
    assert _code(exc) == "closed_for_answers"
    for other in (w.user_b, w.reader):
        with pytest.raises(ValidationError) as exc:
            services.document_delete(document=w.doc, by=other)
        assert _code(exc) == "forbidden"
    assert Document.objects.filter(pk=w.doc.pk).exists()
    assert w.doc.file.storage.exists(w.doc.file.name)


def test_document_delete_allowed_while_a_completion_is_open_and_locked_when_final(with_document):
    w = with_document
    answer_all(w.a, w.user_a)
    services.completion_request(answer=w.answer, by=w.officer, text="Bifoga den senaste versionen.")
    w.answer.refresh_from_db()
    services.document_delete(document=w.doc, by=w.user_a)
    assert not Document.objects.filter(pk=w.doc.pk).exists()
    replacement = _upload(w.answer, w.user_a, "Rutin v2.pdf")
    services.completion_reply(answer=w.answer, by=w.user_a, text="Bifogad.")
    rate_all(w.a, w.officer, {})
    services.factcheck_send(assessment=w.a, by=w.officer)
    services.factcheck_save(assessment=w.a, by=w.user_a, comments={}, done=True)
    services.assessment_finalise(assessment=w.a, by=w.officer)
    for who in (w.user_a, w.officer):
        with pytest.raises(ValidationError) as exc:
            services.document_delete(document=replacement, by=who)
        assert _code(exc) == "locked"
    assert Document.objects.filter(pk=replacement.pk).exists()


# --- The fact-check guard -----------------------------------------------------------------------

def test_factcheck_refused_while_a_requirement_is_unrated(sent):
    answer_all(sent.a, sent.user_a)
    answers = list(sent.a.answers.order_by("pk"))
    services.ratings_save(assessment=sent.a, by=sent.officer,
                          values={a.pk: {"rating": "green", "comment": ""} for a in answers[1:]})
    with pytest.raises(ValidationError) as exc:
        services.factcheck_send(assessment=sent.a, by=sent.officer)
    assert _code(exc) == "not_complete_ratings" and exc.value.params == {"n": 1}
    sent.a.refresh_from_db()
    assert sent.a.status == Status.SUBMITTED and sent.a.factcheck_due is None
    # "Not applicable" is a rating: the guard lets it through, and the area is rated by the rest.
    services.ratings_save(assessment=sent.a, by=sent.officer, values={answers[0].pk: {"rating": "na", "comment": ""}})
    assert services.factcheck_send(assessment=sent.a, by=sent.officer).status == Status.FACTCHECK


def test_area_rule_is_undefined_while_unrated_or_all_not_applicable():
    assert services.area_rule(["green", ""]) is None
    assert services.area_rule(["na", "na"]) is None
    assert services.area_rule(["na", "green"]) == 1
    assert services.area_rule(["green", "yellow"]) == 2
    assert services.area_rule(["yellow", "red", "green"]) == 3


def test_finalise_refused_when_a_rating_was_cleared_during_the_factcheck(in_factcheck):
    """The guard also holds at the end: a rating taken back to "unrated" after the draft went to
    fact-check must not let the assessment be finalised with a requirement nobody judged."""
    w = in_factcheck
    answer = w.a.answers.order_by("pk").first()
    services.ratings_save(assessment=w.a, by=w.officer, values={answer.pk: {"rating": "", "comment": ""}})
    services.factcheck_save(assessment=w.a, by=w.user_a, comments={}, done=True)
    with pytest.raises(ValidationError) as exc:
        services.assessment_finalise(assessment=w.a, by=w.officer)
    assert _code(exc) == "not_complete_ratings"
    w.a.refresh_from_db()
    assert w.a.status == Status.FACTCHECKED
