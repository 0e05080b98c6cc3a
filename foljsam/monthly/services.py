"""Writes of the monthly follow-up: imports, key-figure snapshots, thresholds, deviations."""

import logging
import math
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from foljsam.accounts import policy
from foljsam.accounts.services import NOT_OFFICER
from foljsam.actions import services as actions
from foljsam.actions.models import Deviation, Severity, Source
from foljsam.audit.context import acting_user
from foljsam.audit.log import Action, log_event
from foljsam.registry.models import Provider

from .engine import importer
from .engine.kpis import BY_KEY, available_periods, compute_kpis
from .models import ColumnMapping, ImportRun, KpiSnapshot, MatrixDispatch, Threshold

log = logging.getLogger(__name__)

KIND_ORDER = ("visits", "grants", "additional_reports")
NO_FILES = _lazy("Välj minst en fil att importera.")
UNKNOWN_MAPPING = _lazy("Okänd kolumnmappning: %(name)s")
THRESHOLD_ORDER_HIGHER = _lazy("För det här nyckeltalet ska den gula gränsen vara lägre än eller lika med den röda.")
THRESHOLD_ORDER_LOWER = _lazy("För det här nyckeltalet ska den gula gränsen vara högre än eller lika med den röda.")
NO_THRESHOLD = _lazy("Nyckeltalet har inga tröskelvärden.")
ALREADY_DEVIATION = _lazy("Det finns redan en öppen avvikelse för det här nyckeltalet och månaden.")
STALE_RUN = _lazy("Importen avbröts (servern startades om under importen). Inget halvfärdigt sparades; importera igen.")
STALE_AFTER = timedelta(hours=2)


def data_dir() -> Path:
    return Path(settings.DATA_DIR) / "monthly"


def pseudonym_key() -> bytes:
    return settings.PSEUDONYM_KEY.encode()


def _engine_mapping(name: str, kind: str) -> importer.ColumnMapping | None:
    if not name:
        return None
    preset = ColumnMapping.objects.filter(name=name, kind=kind).first()
    if preset is None:
        return None
    return importer.ColumnMapping(
        columns=preset.columns or {}, timestamp_format=preset.timestamp_format or None,
        date_format=preset.date_format or None, method_values=preset.method_values or {},
        sheet=preset.sheet or None,
    )


def import_run_start(*, files: dict[str, str], by=None, mapping: str = "", source: str = "web") -> ImportRun:
    """Record a new import (files: kind → original file name)."""
    files = {k: v for k, v in files.items() if v}
    if not files:
        raise ValidationError(NO_FILES)
    if mapping and not ColumnMapping.objects.filter(name=mapping).exists():
        raise ValidationError(UNKNOWN_MAPPING, params={"name": mapping})
    return ImportRun.objects.create(by=by, files=files, mapping=mapping, source=source)


def import_run_execute(*, run: ImportRun, paths: dict[str, Path], on_progress=None) -> ImportRun:
    """Import the files of `run` (visits first), then recompute the key figures.

    Every file's header is checked before anything is stored, so a wrong file refuses the
    whole import. A row-level problem rejects only that row. A failed import can be re-run:
    the import is idempotent.
    """
    known = set(Provider.objects.values_list("code", flat=True))
    kinds = [k for k in KIND_ORDER if k in paths]
    mappings = {k: _engine_mapping(run.mapping, k) for k in kinds}
    reports = []

    def progress_for(i):
        def progress(phase: str, fraction: float):
            done = (i + max(0.0, min(1.0, fraction))) / (len(kinds) + 1)
            text = f"{run.files.get(kinds[i], '')}: {phase}"
            ImportRun.objects.filter(pk=run.pk).update(phase=text, progress=done)
            if on_progress:
                on_progress(text, done)
        return progress

    stored = False
    try:
        for kind in kinds:
            importer.check_file(paths[kind], kind, mappings[kind])
        for i, kind in enumerate(kinds):
            report = importer.import_file(
                paths[kind], kind, data_dir(), pseudonym_key(), known_providers=known,
                mapping=mappings[kind], progress=progress_for(i), filename=run.files.get(kind),
            )
            reports.extend(report.files)
            stored = True
        ImportRun.objects.filter(pk=run.pk).update(
            phase=_("beräknar nyckeltal"), progress=len(kinds) / (len(kinds) + 1))
        snapshots_refresh()
        run.status = ImportRun.Status.DONE
    except importer.FileRefused as exc:
        run.status, run.message = ImportRun.Status.REFUSED, str(exc)
    except Exception as exc:  # noqa: BLE001 – recorded for the user, logged with the traceback
        log.exception("monthly import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        if stored:
            run.message = _("Raderna i de godkända filerna är sparade, men nyckeltalen kunde inte räknas om (%(err)s). "
                            "Kontakta administratören.") % {"err": exc.__class__.__name__}
        else:
            run.message = _("Importen misslyckades oväntat (%(err)s). Inget halvfärdigt sparades; försök igen.") % {
                "err": exc.__class__.__name__}
    report = importer.ImportReport(files=reports)
    run.report = report.to_json()
    run.accepted, run.rejected = report.accepted, report.rejected_total
    run.finished_at = timezone.now()
    run.progress, run.phase = 1.0, ""
    log_event(user=run.by, action=Action.IMPORT, obj=run, detail=f"{run.get_status_display()}: {', '.join(run.files.values())}; {run.accepted} rader godkända, {run.rejected} avvisade")  # noqa: E501
    run.save()
    return run


def upload_dir() -> Path:
    """Uploaded exports still hold clear ids: keep them out of the data directory, in the system's
    temporary directory, and delete them after the import."""
    path = Path(tempfile.gettempdir()) / "foljsam-uploads"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def import_runs_close_stale() -> int:
    """A run still "running" long after it started lost its worker (a restart): say so."""
    stale = ImportRun.objects.filter(status=ImportRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER)
    count = 0
    for run in stale:
        run.status, run.message, run.finished_at = ImportRun.Status.FAILED, str(STALE_RUN), timezone.now()
        run.save()
        count += 1
    return count


def import_run_in_background(*, run: ImportRun, paths: dict[str, Path], cleanup: list[Path] = ()) -> threading.Thread:
    """Run an upload's import in a thread so the page can show progress."""
    user = run.by

    def work():
        close_old_connections()
        try:
            with acting_user(user):
                import_run_execute(run=run, paths=paths)
        finally:
            for path in cleanup:
                Path(path).unlink(missing_ok=True)
            close_old_connections()

    thread = threading.Thread(target=work, name=f"monthly-import-{run.pk}", daemon=True)
    thread.start()
    return thread


def _json_safe(values: dict) -> dict:
    """JSON has no NaN or infinity: an undefined figure is stored as None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in values.items()}


@transaction.atomic
def snapshots_refresh(*, periods: list[str] | None = None) -> int:
    """Recompute the key figures of every month with data (sequence checks look across months,
    and grants affect every month, so one import may change any month)."""
    providers = {p.code: p for p in Provider.objects.all()}
    periods = periods or available_periods(data_dir())
    count = 0
    for period in periods:
        seen = set()
        for values in compute_kpis(data_dir(), period):
            provider = providers.get(values["provider_id"])
            if provider is None:
                continue
            KpiSnapshot.objects.update_or_create(
                provider=provider, period=period, defaults={"values": _json_safe(values)})
            seen.add(provider.pk)
            count += 1
        KpiSnapshot.objects.filter(period=period).exclude(provider_id__in=seen).delete()
    return count


@transaction.atomic
def threshold_set(*, key: str, tender=None, yellow: float, red: float, by) -> Threshold:
    policy.ensure(by, "monthly.settings", message=NOT_OFFICER)
    kpi = BY_KEY.get(key)
    if kpi is None or kpi.worse is None:
        raise ValidationError(NO_THRESHOLD)
    if kpi.worse == "higher" and yellow > red:
        raise ValidationError(THRESHOLD_ORDER_HIGHER)
    if kpi.worse == "lower" and yellow < red:
        raise ValidationError(THRESHOLD_ORDER_LOWER)
    threshold = Threshold.objects.filter(key=key, tender=tender).first() or Threshold(key=key, tender=tender)
    threshold.yellow, threshold.red = yellow, red
    threshold.save()
    return threshold


@transaction.atomic
def threshold_reset(*, key: str, tender=None, by) -> None:
    """Back to the default: delete the row (the audit log keeps what it was)."""
    policy.ensure(by, "monthly.settings", message=NOT_OFFICER)
    for threshold in Threshold.objects.filter(key=key, tender=tender):
        threshold.delete()


def deviation_from_figure(*, provider, period: str, key: str, by, text: str, submit_within_weeks: int = 2,
                          value_text: str = ""):
    """A red (or yellow) figure becomes a deviation and an action plan request in one step."""
    kpi = BY_KEY.get(key)
    if kpi is None or kpi.worse is None:
        raise ValidationError(NO_THRESHOLD)
    source_ref = f"monthly:{period}:{key}"
    with transaction.atomic():
        if Deviation.objects.select_for_update().filter(provider=provider, source_ref=source_ref,
                                                        closed_on__isnull=True).exists():
            raise ValidationError(ALREADY_DEVIATION)
        deviation = actions.deviation_create(
            provider=provider, by=by, source=Source.MONTHLY, requirement=f"{kpi.label_sv} ({key})",
            text=text or _("%(label)s %(period)s: %(value)s.") % {"label": kpi.label_sv, "period": period,
                                                                  "value": value_text},
            severity=Severity.DEVIATION, source_ref=source_ref,
        )
        plan = actions.action_plan_request(
            deviations=[deviation], by=by, title=f"{kpi.label_sv} {period}", submit_within_weeks=submit_within_weeks,
            request_note=_("Redogör för hur bristen ska åtgärdas (månadsuppföljning %(period)s).") % {"period": period},
        )
    return deviation, plan


NO_RECIPIENTS = _lazy("Ingen utförare med e-postadress har nyckeltal det här kvartalet.")


def quarter_matrix_send(*, year: int, quarter: int, by, providers=None) -> list[MatrixDispatch]:
    """E-mail each provider its quarterly matrix (Excel and PDF) – the seed's "en gång per kvartal".

    Recipients: the provider's active users and its contact address. The mails leave after the
    transaction commits, so a failure never leaves a dispatch recorded for a mail not sent.
    """
    from django.core.mail import EmailMessage, get_connection

    from . import exports

    policy.ensure(by, "monthly.send", message=NOT_OFFICER)
    label = f"{year}-Q{quarter}"
    periods = [f"{year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)]
    candidates = Provider.objects.filter(kpi_snapshots__period__in=periods).distinct()
    if providers is not None:
        candidates = candidates.filter(pk__in=[p.pk for p in providers])
    dispatches, messages = [], []
    with transaction.atomic():
        for provider in candidates.order_by("name"):
            to = sorted({u.email for u in provider.users.filter(is_active=True) if u.email}
                        | ({provider.contact_email} if provider.contact_email else set()))
            if not to:
                continue
            data = exports.quarter_matrix(user=by, year=year, quarter=quarter, provider=provider)
            from foljsam.lib.documents import safe_filename  # a provider code may hold a newline or a quote

            name = safe_filename(f"matris-manadsuppfoljning-hemtjanst-{label}-{provider.code}")
            body = _("Hej!\n\nHär är er matris från månadsuppföljningen av hemtjänsten för kvartal %(q)s %(y)s, "
                     "som Excel och PDF. Gröna, gula och röda värden är jämförda med avtalets krav. Frågor besvaras "
                     "av er uppföljare.\n\nVänliga hälsningar\n%(officer)s") % {
                "q": quarter, "y": year, "officer": by.get_full_name() or by.username}
            message = EmailMessage(_("Matris – månadsuppföljning hemtjänst, kvartal %(q)s %(y)s") % {
                "q": quarter, "y": year}, body, None, to)
            message.attach(f"{name}.xlsx", exports.to_xlsx(data),
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            message.attach(f"{name}.pdf", exports.to_pdf(data), "application/pdf")
            messages.append(message)
            dispatches.append(MatrixDispatch.objects.create(provider=provider, quarter=label, by=by,
                                                            recipients=", ".join(to)))
        if not dispatches:
            raise ValidationError(NO_RECIPIENTS)

        def deliver():
            get_connection().send_messages(messages)

        transaction.on_commit(deliver)
    return dispatches
