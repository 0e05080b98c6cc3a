"""The rules: sending, answering, the 1/2/3 rule with override, locking, finalise, reminders, uploads."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from foljsam.actions.models import Deviation, PlanStatus, Severity, Source
from foljsam.followups import selectors, services
from foljsam.followups.models import AreaRating, Assessment, RatingChange, Reminder, Status
from foljsam.registry.models import Procurement

from .conftest import answer_all, rate_all

pytestmark = pytest.mark.django_db


def test_send_creates_answers_and_skips_external_only_for_egen_regi(sent, settings):
    assert sent.campaign.sent_at is not None
    assert sent.a.status == Status.SENT
    assert sent.a.answers.count() == 3
    assert sent.own_a.answers.count() == 2  # IVO permit is not asked of the municipality's own unit
    assert not sent.own_a.answers.filter(requirement__title="IVO-tillstånd").exists()
    to = sorted(addr for m in mail.outbox for addr in m.to)
    assert to == ["alice@example.org", "bob@example.org"]
    body = next(m.body for m in mail.outbox if "alice@example.org" in m.to)
    assert f"{settings.SITE_ROOT}/portal/{sent.a.pk}/" in body
    with pytest.raises(ValidationError, match="redan skickad"):
        services.campaign_send(campaign=sent.campaign, by=sent.officer)


def test_only_officers_create_and_lou_follows_schedule(fu):
    with pytest.raises(ValidationError, match="Bara uppföljare"):
        services.campaign_create(by=fu.user_a, area=fu.area, year=2026, catalogue=fu.catalogue,
                                 opens_on=timezone.localdate(), deadline=timezone.localdate(), units=[])
    fu.area.procurement, fu.area.followup_year = Procurement.LOU, 2025
    fu.area.save()
    with pytest.raises(ValidationError, match="följs upp år 2025"):
        services.campaign_create(by=fu.officer, area=fu.area, year=2026, catalogue=fu.catalogue,
                                 opens_on=timezone.localdate(), deadline=timezone.localdate(),
                                 units=fu.area.units.all())


def test_candidate_units_need_a_contract_in_force(fu):
    units = selectors.candidate_units(area=fu.area, on=timezone.localdate())
    assert {u.provider.code for u in units} == {"P-A", "P-B", "EGEN"}
    contract = fu.provider_b.contracts.get()
    contract.end = timezone.localdate() - timedelta(days=1)
    contract.save()
    units = selectors.candidate_units(area=fu.area, on=timezone.localdate())
    assert {u.provider.code for u in units} == {"P-A", "EGEN"}


def test_draft_then_submit_requires_every_answer(sent):
    first = sent.a.answers.select_related("requirement").get(requirement__title="Rutin för lex Sarah")
    services.answers_save(assessment=sent.a, by=sent.user_a, values={first.pk: {"yes_no": True, "text": ""}})
    sent.a.refresh_from_db()
    assert sent.a.status == Status.OPENED
    with pytest.raises(ValidationError, match="2 frågor är obesvarade"):
        services.answers_save(assessment=sent.a, by=sent.user_a, values={}, submit=True)
    answer_all(sent.a, sent.user_a)
    sent.a.refresh_from_db()
    assert sent.a.status == Status.SUBMITTED
    with pytest.raises(ValidationError, match="inskickad och kan inte längre ändras"):
        answer_all(sent.a, sent.user_a, submit=False)


def test_provider_cannot_answer_for_another_provider(sent):
    with pytest.raises(ValidationError, match="hör inte till din organisation"):
        answer_all(sent.b, sent.user_a)


def test_area_rule():
    assert services.area_rule(["green", "green"]) == 1
    assert services.area_rule(["green", "yellow", "na"]) == 2
    assert services.area_rule(["yellow", "red", "green"]) == 3
    assert services.area_rule(["na", "na"]) is None
    assert services.area_rule(["green", ""]) is None


def test_ratings_give_area_values_and_override_needs_reason(sent):
    answer_all(sent.a, sent.user_a)
    with pytest.raises(ValidationError, match="Skriv en kommentar"):
        services.ratings_save(assessment=sent.a, by=sent.officer, values={
            sent.a.answers.first().pk: {"rating": "red", "comment": ""}})
    rate_all(sent.a, sent.officer, {"Egenkontroll": "yellow"})
    sent.a.refresh_from_db()
    assert sent.a.status == Status.ASSESSED
    values = {ar.area.name: ar.value for ar in sent.a.area_ratings.select_related("area")}
    assert values == {"Ledningssystem för kvalitet": 2, "Specifika krav för externa utförare": 1}
    ar = sent.a.area_ratings.get(area__name="Ledningssystem för kvalitet")
    with pytest.raises(ValidationError, match="skälet"):
        services.area_override(area_rating=ar, by=sent.officer, value=3, reason=" ")
    services.area_override(area_rating=ar, by=sent.officer, value=3, reason="Upprepad brist sedan i fjol.")
    ar.refresh_from_db()
    assert (ar.rule_value, ar.override, ar.value) == (2, 3, 3)
    services.area_override(area_rating=ar, by=sent.officer, value=None)
    ar.refresh_from_db()
    assert (ar.value, ar.override_reason) == (2, "")


def test_rating_history_keeps_old_and_new(sent):
    answer_all(sent.a, sent.user_a)
    rate_all(sent.a, sent.officer, {})
    rate_all(sent.a, sent.officer, {"Egenkontroll": "red"})
    change = RatingChange.objects.filter(answer__requirement__title="Egenkontroll").first()
    assert (change.old_rating, change.new_rating, change.by) == ("green", "red", sent.officer)
    assert RatingChange.objects.filter(answer__assessment=sent.a).count() == 4  # 3 first ratings + 1 change


def _to_factcheck(fu, assessment, ratings):
    answer_all(assessment, assessment.unit.provider.users.first())
    rate_all(assessment, fu.officer, ratings)
    return services.factcheck_send(assessment=assessment, by=fu.officer)


def test_factcheck_then_finalise_creates_deviations_and_one_plan(sent):
    a = _to_factcheck(sent, sent.a, {"Rutin för lex Sarah": "red", "Egenkontroll": "yellow"})
    assert a.status == Status.FACTCHECK
    assert a.factcheck_due == timezone.localdate() + timedelta(weeks=2)
    with pytest.raises(ValidationError, match="tidsfristen"):
        services.assessment_finalise(assessment=a, by=sent.officer)
    lex = a.answers.get(requirement__title="Rutin för lex Sarah")
    services.factcheck_save(assessment=a, by=sent.user_a, comments={lex.pk: "Rutinen finns, se bilaga."}, done=True)
    lex.refresh_from_db()
    assert lex.factcheck_comment == "Rutinen finns, se bilaga."
    a = services.assessment_finalise(assessment=a, by=sent.officer)
    assert a.status == Status.FINAL
    devs = Deviation.objects.filter(source=Source.CONTRACT_FOLLOWUP, unit=a.unit).order_by("severity")
    assert [(d.requirement, d.severity) for d in devs] == [
        ("Ledningssystem för kvalitet: Rutin för lex Sarah", Severity.DEVIATION),
        ("Ledningssystem för kvalitet: Egenkontroll", Severity.NOTE),
    ]
    plan = a.action_plan
    assert plan.status == PlanStatus.REQUESTED
    assert plan.submit_by == timezone.localdate() + timedelta(weeks=2)
    assert list(plan.deviations.values_list("requirement", flat=True)) == [
        "Ledningssystem för kvalitet: Rutin för lex Sarah"]
    assert "inom 4 veckor" in plan.request_note


def test_rating_two_gives_notes_and_no_plan(sent):
    a = _to_factcheck(sent, sent.b, {"Egenkontroll": "yellow"})
    services.factcheck_save(assessment=a, by=sent.user_b, comments={}, done=True)
    a = services.assessment_finalise(assessment=a, by=sent.officer)
    assert a.action_plan is None
    assert list(Deviation.objects.filter(unit=a.unit).values_list("severity", flat=True)) == [Severity.NOTE]


def test_finalise_after_missed_factcheck_deadline(sent):
    a = _to_factcheck(sent, sent.a, {})
    tomorrow_after_due = a.factcheck_due + timedelta(days=1)
    a = services.assessment_finalise(assessment=a, by=sent.officer, today=tomorrow_after_due)
    assert a.status == Status.FINAL
    assert not Deviation.objects.filter(unit=a.unit).exists()


def test_final_assessment_is_locked(sent):
    a = _to_factcheck(sent, sent.a, {"Egenkontroll": "red"})
    services.factcheck_save(assessment=a, by=sent.user_a, comments={}, done=True)
    a = services.assessment_finalise(assessment=a, by=sent.officer)
    answer = a.answers.first()
    with pytest.raises(ValidationError, match="låst"):
        services.ratings_save(assessment=a, by=sent.officer, values={answer.pk: {"rating": "green"}})
    with pytest.raises(ValidationError, match="låst"):
        answer_all(a, sent.user_a, submit=False)
    with pytest.raises(ValidationError, match="låst"):
        services.area_override(area_rating=AreaRating.objects.filter(assessment=a).first(), by=sent.officer,
                               value=1, reason="x")
    with pytest.raises(ValidationError, match="låst"):
        services.assessment_finalise(assessment=a, by=sent.officer)
    answer.refresh_from_db()
    assert answer.rating in ("green", "red")


def test_many_reds_propose_indepth_followup(sent, monkeypatch):
    monkeypatch.setattr(services, "INDEPTH_RED_THRESHOLD", 2)
    monkeypatch.setattr(selectors, "INDEPTH_RED_THRESHOLD", 2)
    a = _to_factcheck(sent, sent.a, {"Rutin för lex Sarah": "red", "Egenkontroll": "red"})
    services.factcheck_save(assessment=a, by=sent.user_a, comments={}, done=True)
    services.assessment_finalise(assessment=a, by=sent.officer)
    assert [x.pk for x in selectors.indepth_candidates(user=sent.officer)] == [a.pk]
    assert list(selectors.indepth_candidates(user=sent.user_b)) == []


def test_completion_request_and_reply(sent, django_capture_on_commit_callbacks):
    answer_all(sent.a, sent.user_a)
    answer = sent.a.answers.first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.completion_request(answer=answer, by=sent.officer, text="Skicka rutinen.")
    assert mail.outbox[0].to == ["alice@example.org"]
    answer.refresh_from_db()
    assert answer.completion_open
    with pytest.raises(ValidationError):
        services.completion_reply(answer=answer, by=sent.user_b, text="x")
    services.completion_reply(answer=answer, by=sent.user_a, text="Bifogad.")
    answer.refresh_from_db()
    assert not answer.completion_open and answer.completion_reply == "Bifogad."


def test_reminders_are_idempotent(sent, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    deadline = sent.campaign.deadline

    def remind(days):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_send(today=deadline + timedelta(days=days))

    assert remind(-10) == 0
    assert remind(-3) == 3
    assert remind(-2) == 0
    answer_all(sent.b, sent.user_b)  # B submits and gets no "passed" reminder
    assert remind(1) == 2
    assert remind(5) == 0
    kinds = sorted(Reminder.objects.filter(assessment=sent.a).values_list("kind", flat=True))
    assert kinds == ["approaching", "passed"]
    assert [m.to for m in mail.outbox].count(["alice@example.org"]) == 2


def test_upload_checks_type_size_and_content(sent, settings):
    answer = sent.a.answers.first()
    doc = services.document_upload(answer=answer, by=sent.user_a,
                                   upload=SimpleUploadedFile("Rutin lex Sarah.pdf", b"%PDF-1.4 test"))
    assert doc.name == "Rutin lex Sarah.pdf"
    assert doc.file.path.startswith(str(settings.MEDIA_ROOT))
    assert doc.file.read() == b"%PDF-1.4 test"
    with pytest.raises(ValidationError, match="Filtypen"):
        services.document_upload(answer=answer, by=sent.user_a, upload=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError, match="stämmer inte"):
        services.document_upload(answer=answer, by=sent.user_a, upload=SimpleUploadedFile("x.pdf", b"MZ\x00\x00"))
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * services.MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError, match="för stor"):
        services.document_upload(answer=answer, by=sent.user_a, upload=big)
    with pytest.raises(ValidationError):
        services.document_upload(answer=answer, by=sent.user_b, upload=SimpleUploadedFile("a.txt", b"hej"))
    assert answer.documents.count() == 1


def test_progress_and_share(sent):
    answer_all(sent.a, sent.user_a)
    rate_all(sent.a, sent.officer, {"Egenkontroll": "red"})
    services.assessment_open(assessment=sent.b, by=sent.user_b)
    p = selectors.progress(sent.campaign)
    assert (p["total"], p["sent"], p["opened"], p["submitted"], p["assessed"], p["final"]) == (3, 3, 2, 1, 1, 0)
    share = selectors.share_met([sent.a.pk])[sent.a.pk]
    assert (share["green"], share["red"], share["share"]) == (2, 1, 67)
    assert Assessment.objects.get(pk=sent.own_a.pk).status == Status.SENT


# --- Review fixes ---------------------------------------------------------------------------


def _override_and_finalise(fu, assessment, ratings, overrides: dict):
    """overrides: {requirement area name: (value, reason)}."""
    a = _to_factcheck(fu, assessment, ratings)
    for ar in a.area_ratings.select_related("area"):
        if ar.area.name in overrides:
            value, reason = overrides[ar.area.name]
            services.area_override(area_rating=ar, by=fu.officer, value=value, reason=reason)
    services.factcheck_save(assessment=a, by=assessment.unit.provider.users.first(), comments={}, done=True)
    return services.assessment_finalise(assessment=a, by=fu.officer)


def test_area_overridden_to_3_without_red_gets_a_deviation_in_the_plan(sent):
    a = _override_and_finalise(sent, sent.a, {"Egenkontroll": "yellow"}, {
        "Specifika krav för externa utförare": (3, "Tillståndet från IVO gäller inte den nya adressen."),
        "Ledningssystem för kvalitet": (3, "Egenkontrollerna har brustit tre år i rad."),
    })
    devs = {(d.requirement, d.severity, d.text) for d in Deviation.objects.filter(unit=a.unit)}
    assert devs == {
        ("Ledningssystem för kvalitet: Egenkontroll", Severity.NOTE, "Brister i rutinen."),
        ("Ledningssystem för kvalitet", Severity.DEVIATION, "Egenkontrollerna har brustit tre år i rad."),
        ("Specifika krav för externa utförare", Severity.DEVIATION,
         "Tillståndet från IVO gäller inte den nya adressen."),
    }
    assert a.action_plan is not None
    assert sorted(a.action_plan.deviations.values_list("requirement", flat=True)) == [
        "Ledningssystem för kvalitet", "Specifika krav för externa utförare"]
    assert "Specifika krav för externa utförare" in a.action_plan.request_note
    # The yearly summary counts the area deviations under their area.
    themes = {t["theme"]: t for t in selectors.summary(sent.campaign)["themes"]}
    assert themes["Specifika krav för externa utförare"]["deviation"] == 1


def test_area_with_a_red_keeps_the_red_as_the_plans_deviation(sent):
    a = _override_and_finalise(sent, sent.a, {"Rutin för lex Sarah": "red"}, {})
    assert list(a.action_plan.deviations.values_list("requirement", flat=True)) == [
        "Ledningssystem för kvalitet: Rutin för lex Sarah"]
    assert Deviation.objects.filter(unit=a.unit).count() == 1


def test_area_overridden_to_2_without_yellow_gets_a_note(sent):
    a = _override_and_finalise(sent, sent.b, {}, {"Ledningssystem för kvalitet": (2, "Rutinen är inte känd av alla.")})
    assert a.action_plan is None
    assert list(Deviation.objects.filter(unit=a.unit).values_list("requirement", "severity", "text")) == [
        ("Ledningssystem för kvalitet", Severity.NOTE, "Rutinen är inte känd av alla.")]


def test_one_campaign_per_area_and_year(fu):
    from django.db import IntegrityError, transaction

    from foljsam.followups.models import Campaign

    with pytest.raises(ValidationError, match=f"finns redan en avtalsuppföljning för Hemtjänst år {fu.campaign.year}"):
        services.campaign_create(by=fu.officer, area=fu.area, year=fu.campaign.year, catalogue=fu.catalogue,
                                 opens_on=fu.campaign.opens_on, deadline=fu.campaign.deadline,
                                 units=fu.area.units.all())
    # Even if the area's form of contract has changed since, the units are not asked twice.
    fu.area.procurement = Procurement.ENTREPRENAD
    fu.area.save()
    with pytest.raises(ValidationError, match="finns redan"):
        services.campaign_create(by=fu.officer, area=fu.area, year=fu.campaign.year, catalogue=fu.catalogue,
                                 opens_on=fu.campaign.opens_on, deadline=fu.campaign.deadline,
                                 units=fu.area.units.all())
    assert Campaign.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(area=fu.area, year=fu.campaign.year, contract_form="entreprenad",
                                catalogue=fu.catalogue, opens_on=fu.campaign.opens_on, deadline=fu.campaign.deadline)
    nxt = services.campaign_create(by=fu.officer, area=fu.area, year=fu.campaign.year + 1, catalogue=fu.catalogue,
                                   opens_on=fu.campaign.opens_on, deadline=fu.campaign.deadline,
                                   units=fu.area.units.all())
    assert nxt.year == fu.campaign.year + 1


def test_survey_mails_wait_for_the_commit(fu, monkeypatch, django_capture_on_commit_callbacks):
    """A send that fails partway rolls back and has sent nothing; the retry sends each mail once."""
    from foljsam.followups import notify

    real, calls = notify.recipients, []

    def failing_second_time(assessment):
        calls.append(assessment)
        if len(calls) == 2:
            raise RuntimeError("databasen svarar inte")
        return real(assessment)

    monkeypatch.setattr(notify, "recipients", failing_second_time)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.campaign_send(campaign=fu.campaign, by=fu.officer)
    assert mail.outbox == []
    assert not Assessment.objects.filter(campaign=fu.campaign, status=Status.SENT).exists()
    monkeypatch.setattr(notify, "recipients", real)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.campaign_send(campaign=fu.campaign, by=fu.officer)
        assert mail.outbox == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sorted(addr for m in mail.outbox for addr in m.to) == ["alice@example.org", "bob@example.org"]


def test_decision_mails_wait_for_the_commit(sent, django_capture_on_commit_callbacks):
    answer_all(sent.a, sent.user_a)
    rate_all(sent.a, sent.officer, {})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.completion_request(answer=sent.a.answers.first(), by=sent.officer, text="Skicka rutinen.")
        services.factcheck_send(assessment=sent.a, by=sent.officer)
        assert mail.outbox == []
    assert len(callbacks) == 2


def test_failed_reminder_is_not_recorded_and_is_retried(sent, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.mail.backends.locmem import EmailBackend

    deadline = sent.campaign.deadline
    real_send = EmailBackend.send_messages

    def down(self, messages):
        raise ConnectionRefusedError("smtp")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=deadline - timedelta(days=3))
    assert mail.outbox == []
    assert not Reminder.objects.filter(assessment__in=[sent.a, sent.b]).exists()
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=deadline - timedelta(days=2))
    assert sorted(addr for m in mail.outbox for addr in m.to) == ["alice@example.org", "bob@example.org"]
    assert Reminder.objects.get(assessment=sent.a, kind="approaching").recipients == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=deadline - timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
