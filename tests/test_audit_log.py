"""The audit log shows an import, a login, a failed login, a download and a view of flagged rows,
each with who and when; the access log answers who looked at which provider's rows."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from foljsam.actions import services as actions
from foljsam.actions.models import Source
from foljsam.audit.models import AccessEntry, AuditEntry
from foljsam.followups import services as followups
from foljsam.monthly.models import ImportRun

from .conftest import PASSWORD
from .followups.conftest import fu, sent  # noqa: F401 – fixtures
from .monthly.test_monthly_app import GRANTS, VISITS, _import


def _log_page(client, **params):
    return client.get("/logg/", params).content.decode()


def test_the_log_shows_import_login_failure_download_and_flagged_rows(sent, tmp_path):  # noqa: F811
    AuditEntry.objects.all().delete()
    client = Client()
    client.post("/konto/logga-in/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR="10.2.2.2")
    assert client.post("/konto/logga-in/", {"username": "officer", "password": PASSWORD}).status_code == 302
    run = _import(tmp_path, visits=VISITS, grants=GRANTS)
    assert run.status == ImportRun.Status.DONE
    response = client.get(f"/manadsuppfoljning/utforare/{sent.provider_a.pk}/2026-03/manual_share/")
    assert response.status_code == 200
    document = followups.document_upload(answer=sent.a.answers.first(), by=sent.user_a,
                                         upload=SimpleUploadedFile("Rutin.pdf", b"%PDF-1.4 test"))
    portal = Client()
    portal.force_login(sent.user_a)
    assert portal.get(f"/portal/dokument/{document.pk}/").status_code == 200

    def one(action, **lookup):
        entry = AuditEntry.objects.get(action=action, **lookup)
        assert entry.at is not None
        return entry

    assert one("login_failed").username == "officer"
    assert one("login", username="officer").user == sent.officer
    assert one("import").object_id == str(run.pk)
    assert one("download").user == sent.user_a and one("download").object_repr
    view = one("view")
    assert view.user == sent.officer and view.object_id == str(sent.provider_a.pk) and "2026-03" in view.detail

    admin = Client()
    admin.force_login(sent.admin)
    body = _log_page(admin)
    for label in ("Misslyckad inloggning", "Inloggning", "Import", "Nedladdning", "Visning av radnivådata"):
        assert label in body
    assert "Alfa Omsorg AB" in body and "Rutin.pdf" in body
    assert "Importkörning" in body or "import" in body.lower()


def test_the_access_log_records_who_looked_at_which_providers_rows(world, tmp_path, client):
    _import(tmp_path, visits=VISITS, grants=GRANTS)
    client.force_login(world.officer)
    client.get(f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/manual_share/")
    client.force_login(world.user_b)
    client.get(f"/manadsuppfoljning/utforare/{world.provider_b.pk}/2026-03/manual_share/")
    # A refused look (another provider's rows) is a 404 and no access.
    assert client.get(f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/manual_share/").status_code == 404
    entries = list(AccessEntry.objects.order_by("id").values_list("username", "provider_name", "period", "kind"))
    assert entries == [("officer", "Alfa Omsorg AB", "2026-03", "view"),
                       ("bob", "Beta Hemtjänst AB", "2026-03", "view")]

    client.force_login(world.admin)
    page = client.get("/logg/atkomst/", {"utforare": world.provider_a.pk}).content.decode()
    assert "Alfa Omsorg AB" in page and "Beta Hemtjänst AB</td>" not in page
    export = client.get("/logg/atkomst/", {"anvandare": "bob", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and rows[1][1] == "bob" and rows[1][3] == "Beta Hemtjänst AB"
    none = client.get("/logg/atkomst/", {"fran": "2000-01-01", "till": "2000-12-31", "format": "csv"})
    assert len(list(csv.reader(io.StringIO(none.content.decode("utf-8-sig")), delimiter=";"))) == 1


def test_only_admins_read_the_access_log(world, client):
    assert client.get("/logg/atkomst/").status_code == 302
    for user in (world.officer, world.reader, world.user_a, world.user_b):
        client.force_login(user)
        assert client.get("/logg/atkomst/").status_code == 403
        assert client.get("/logg/atkomst/", {"format": "csv"}).status_code == 403


def test_plan_deviation_links_are_logged(world):
    deviation = actions.deviation_create(provider=world.provider_a, source=Source.SIGNAL, requirement="Bemötande",
                                         severity="deviation", text="Klagomål.", by=world.officer)
    plan = actions.action_plan_request(deviations=[deviation], by=world.officer, title="Plan")
    entry = AuditEntry.objects.get(action="link")
    assert entry.object_id == str(plan.pk) and entry.username == "officer" and "Bemötande" in entry.detail


def test_readable_log_names_fields_in_swedish_and_resolves_ids(world, client):
    from foljsam.accounts.models import User

    AuditEntry.objects.all().delete()
    client.force_login(world.admin)
    client.post("/konto/anvandare/ny/", {
        "username": "carl", "first_name": "Carl", "last_name": "C", "email": "c@example.org", "role": "provider",
        "provider": world.provider_b.pk, "is_active": "on", "password": "ett-bra-losenord-2026"})
    carl = User.objects.get(username="carl")
    body = _log_page(client, typ="accounts.User")
    assert "Utförare</strong>: Beta Hemtjänst AB" in body  # the name, not the id
    assert "Roll</strong>: Utförare" in body  # the choice's label
    assert "Användare" in body  # the model's Swedish name
    local = timezone.localtime(carl.date_joined).strftime("%Y-%m-%d %H:%M:%S")
    assert f"Registreringsdatum</strong>: {local}" in body  # local time, not ISO in UTC
    prefix = carl.password.split("$", 1)[0]
    assert carl.password not in body and f"{prefix}$" not in body
    for part in carl.password.split("$"):
        assert len(part) < 6 or part not in body


def test_quarter_sends_and_reminders_are_logged(sent, client, mailoutbox, django_capture_on_commit_callbacks):  # noqa: F811
    from datetime import timedelta

    from .monthly.test_monthly_app import _snap

    _snap(sent.provider_a, "2026-01", manual_share=0.2, visits=10)
    client.force_login(sent.officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/manadsuppfoljning/kvartal/2026-Q1/skicka/").status_code == 302
    queued, sent_entry = AuditEntry.objects.filter(action="send").order_by("pk")
    assert queued.username == "officer" and "2026-Q1" in queued.detail and "Alfa Omsorg AB" in queued.detail
    # the worker's entry once the mail server accepted the mail, in the officer's name
    assert sent_entry.username == "officer" and "2026-Q1 till alice@example.org" in sent_entry.detail

    with django_capture_on_commit_callbacks(execute=True):
        followups.reminders_send(today=sent.campaign.deadline - timedelta(days=3))
    reminders = AuditEntry.objects.filter(action="reminder")
    # Three units are reminded; the municipality's own unit has nobody to mail, so nothing was sent there.
    assert reminders.count() == 2 and {e.username for e in reminders} == {"system"}
    assert str(sent.own_a.pk) not in {e.object_id for e in reminders}
    assert str(sent.a.pk) in {e.object_id for e in reminders}


def test_results_matrix_downloads_are_logged(sent, client):  # noqa: F811
    client.force_login(sent.officer)
    assert client.get(f"/avtalsuppfoljning/{sent.campaign.pk}/resultat.xlsx").status_code == 200
    entry = AuditEntry.objects.get(action="download")
    assert entry.username == "officer" and entry.model == "followups.Campaign" and "xlsx" in entry.detail
