"""Issue 11 item 10: the portal's survey form is saved all or nothing; item 9: the officer's
summary reaches the provider (portal and e-mail)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from foljsam.followups import services
from foljsam.followups.models import Document, Status

from ..conftest import people_of, statuses
from .conftest import answer_all, rate_all

pytestmark = pytest.mark.django_db


def _stored_files(settings):
    root = settings.MEDIA_ROOT / "followups"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _answers(sent):
    answers = {a.requirement.title: a for a in sent.a.answers.select_related("requirement")}
    return answers["Rutin för lex Sarah"], answers["Egenkontroll"]


def test_refused_second_upload_keeps_nothing(sent, settings, monkeypatch):
    """The second upload is refused (injected) after the first was stored: no answer text,
    no document row, no file on disk."""
    lex, egen = _answers(sent)
    before = _stored_files(settings)
    real = services.document_upload
    calls = []

    def refuse_second(**kwargs):
        calls.append(kwargs["upload"].name)
        if len(calls) == 2:
            raise ValidationError(services.FILE_CONTENT, params={"ext": ".pdf"})
        return real(**kwargs)

    monkeypatch.setattr(services, "document_upload", refuse_second)
    with pytest.raises(ValidationError) as exc:
        services.portal_save(
            assessment=sent.a, by=sent.user_a,
            values={lex.pk: {"yes_no": True, "text": "Rutinen finns."}, egen.pk: {"text": "Varje månad."}},
            uploads={lex.pk: [SimpleUploadedFile("Rutin.pdf", b"%PDF-1.4 a"),
                              SimpleUploadedFile("Bilaga.pdf", b"%PDF-1.4 b")]},
            submit=True,
        )
    assert exc.value.error_list[0].code == "upload_refused"
    assert "Bilaga.pdf" in exc.value.messages[0]
    assert len(calls) == 2
    lex.refresh_from_db()
    egen.refresh_from_db()
    sent.a.refresh_from_db()
    assert (lex.yes_no, lex.text, egen.text) == (None, "", "")
    assert not Document.objects.filter(answer__assessment=sent.a).exists()
    assert _stored_files(settings) == before
    assert sent.a.status == Status.SENT


def test_storage_failure_is_a_clear_error_and_keeps_nothing(sent, settings, monkeypatch):
    lex, _egen = _answers(sent)
    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage._save
    seen = []

    def fail_second(self, name, content):
        seen.append(name)
        if len(seen) == 2:
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", fail_second)
    before = _stored_files(settings)
    with pytest.raises(ValidationError) as exc:
        services.portal_save(assessment=sent.a, by=sent.user_a, values={lex.pk: {"yes_no": True, "text": "x"}},
                             uploads={lex.pk: [SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"),
                                               SimpleUploadedFile("b.pdf", b"%PDF-1.4 b")]})
    assert exc.value.error_list[0].code == "upload_refused"
    assert _stored_files(settings) == before
    assert not Document.objects.filter(answer__assessment=sent.a).exists()


def test_view_refused_second_file_is_400_and_keeps_nothing(client, sent, settings):
    lex, egen = _answers(sent)
    client.force_login(sent.user_a)
    url = reverse("followups:portal_assessment", args=[sent.a.pk])
    before = _stored_files(settings)
    r = client.post(url, {
        f"a-{lex.pk}-yes_no": "ja", f"a-{lex.pk}-text": "Rutinen finns.", f"a-{egen.pk}-text": "Varje vecka.",
        f"a-{lex.pk}-file": [SimpleUploadedFile("Rutin.pdf", b"%PDF-1.4 a"),
                             SimpleUploadedFile("Falsk.pdf", b"not a pdf")],
        "submit": "1",
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "Falsk.pdf" in html
    assert "Varje vecka." in html  # what was typed is shown again, though not saved
    lex.refresh_from_db()
    sent.a.refresh_from_db()
    assert lex.text == "" and sent.a.status != Status.SUBMITTED
    assert not Document.objects.filter(answer__assessment=sent.a).exists()
    assert _stored_files(settings) == before


def test_view_saves_answers_and_files_together(client, sent):
    lex, egen = _answers(sent)
    client.force_login(sent.user_a)
    url = reverse("followups:portal_assessment", args=[sent.a.pk])
    ivo = sent.a.answers.get(requirement__title="IVO-tillstånd")
    r = client.post(url, {f"a-{lex.pk}-yes_no": "ja", f"a-{egen.pk}-text": "Varje vecka.", f"a-{ivo.pk}-yes_no": "ja",
                          f"a-{lex.pk}-file": [SimpleUploadedFile("Rutin.pdf", b"%PDF-1.4 a")], "submit": "1"})
    assert r.status_code == 302
    sent.a.refresh_from_db()
    assert sent.a.status == Status.SUBMITTED
    assert list(Document.objects.filter(answer=lex).values_list("name", flat=True)) == ["Rutin.pdf"]
    # Provider B cannot post to A's survey.
    client.force_login(sent.user_b)
    assert client.post(url, {f"a-{egen.pk}-text": "Kapning"}).status_code == 404


def test_summary_shown_to_provider_from_fact_check(client, sent, django_capture_on_commit_callbacks):
    answer_all(sent.a, sent.user_a)
    rate_all(sent.a, sent.officer, {})
    services.interview_save(assessment=sent.a, by=sent.officer, summary="Ett gott arbete med rutinerna.")
    url = reverse("followups:portal_assessment", args=[sent.a.pk])
    client.force_login(sent.user_a)
    assert "Ett gott arbete" not in client.get(url).content.decode()  # not before the draft is sent
    with django_capture_on_commit_callbacks(execute=True):
        services.factcheck_send(assessment=sent.a, by=sent.officer)
    people = people_of(sent, "officer", "reader", "user_a", "user_b", "anon")
    assert statuses(client, url, people) == {"officer": 200, "reader": 200, "user_a": 200, "user_b": 404,
                                             "anon": 302}
    client.force_login(sent.user_a)
    assert "Ett gott arbete med rutinerna." in client.get(url).content.decode()
    assert any("Ett gott arbete med rutinerna." in m.body for m in mail.outbox if "alice@example.org" in m.to)
