import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam import datacache
from foljsam.accounts.policy import acts_for_own_organisation, require
from foljsam.accounts.selectors import get_visible
from foljsam.audit.log import Action, log_access, log_event
from foljsam.lib import documents
from foljsam.lib.forms import parse_pk
from foljsam.lib.svgchart import line_chart
from foljsam.registry.models import Area, Provider, TenderDocument

from . import exports, forms, selectors, services
from .engine.kpis import BY_KEY, CATALOGUE, flagged_rows
from .models import ColumnMapping, ImportRun, MatrixDispatch, Threshold

PERIOD = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(20\d\d)-Q([1-4])$")


def _period_or_latest(request, periods):
    period = request.GET.get("period") or (periods[-1] if periods else None)
    if period and not PERIOD.fullmatch(period):
        raise Http404
    return period


@require("monthly.view")
def matrix(request):
    periods = selectors.periods(user=request.user)
    period = _period_or_latest(request, periods)
    limits = selectors.Limits()
    rows = selectors.matrix(user=request.user, period=period, limits=limits) if period else []
    figures = []
    for i, kpi in enumerate(CATALOGUE):
        cells = []
        for provider, provider_cells in rows:
            cell = provider_cells[i]
            link = reverse("monthly:flagged", args=[provider.pk, period, kpi.key]) if (
                kpi.flagged_rows and cell.value and cell.status != selectors.NO_DATA) else ""
            text = _("ingen data") if cell.status == selectors.NO_DATA else selectors.format_value(kpi.key, cell.value)
            cells.append({"cell": cell, "text": text, "link": link})
        figures.append({"kpi": kpi, "cells": cells})
    quarters = sorted({f"{p[:4]}-Q{(int(p[5:]) - 1) // 3 + 1}" for p in periods}, reverse=True)
    context = {
        "periods": periods, "period": period, "providers": [p for p, _c in rows], "figures": figures,
        "quarters": quarters, "streaks": selectors.red_streaks(user=request.user, limits=limits),
        "dispatched": dict(MatrixDispatch.objects.order_by("sent_at").values_list("quarter", "sent_at")),
        "scopes": selectors.scopes(), **datacache.template_keys(),
        "no_data": [p for p, c in rows if c and c[0].status == selectors.NO_DATA],
    }
    return render(request, "monthly/matrix.html", context)


@require("monthly.view")
def provider_detail(request, pk):
    provider = get_visible(Provider.objects, request.user, pk=pk)
    series = selectors.series(user=request.user, provider=provider)[-12:]
    limits = selectors.Limits()
    labels = [period for period, _v in series]
    figures = []
    for kpi in CATALOGUE:
        values = [v.get(kpi.key) for _p, v in series]
        cells = []
        for period, value in zip(labels, values, strict=True):
            link = reverse("monthly:flagged", args=[provider.pk, period, kpi.key]) if (
                kpi.flagged_rows and value) else ""
            cells.append((period, {"status": limits.status(kpi.key, value, provider.pk), "link": link,
                                   "text": selectors.format_value(kpi.key, value)}))
        chart = ""
        if kpi.worse and any(v is not None for v in values):
            yellow, red = limits.get(kpi.key, provider.pk)
            chart = mark_safe(line_chart(  # noqa: S308 – built from escaped parts in lib/svgchart
                labels, values, title=_("%(label)s per månad") % {"label": _(kpi.label_sv)},
                fmt=lambda v, k=kpi.key: selectors.format_value(k, v), yellow=yellow, red=red))
        figures.append({"kpi": kpi, "cells": cells, "chart": chart})
    return render(request, "monthly/provider.html", {"provider": provider, "labels": labels, "figures": figures})


@require("monthly.rows.view")
def flagged(request, pk, period, key):
    provider = get_visible(Provider.objects, request.user, pk=pk)
    kpi = BY_KEY.get(key)
    if not PERIOD.fullmatch(period) or kpi is None or not kpi.flagged_rows:
        raise Http404
    snapshot = selectors.snapshots(user=request.user, period=period).filter(provider=provider).first()
    if snapshot is None:  # a month no import declared, or one without the provider's rows: no figures
        raise Http404
    rows = flagged_rows(services.data_dir(), period, provider.code, key, limit=FLAGGED_LIMIT)
    value = snapshot.values.get(key)
    columns = [c for c in (rows[0].keys() if rows else []) if c != "provider_id"]
    page = Paginator(rows, 100).get_page(request.GET.get("sida"))
    log_access(user=request.user, provider=provider, what=f"Flaggade rader: {kpi.label_sv}", period=period, rows=len(page.object_list), request=request)  # noqa: E501
    context = {
        "provider": provider, "period": period, "kpi": kpi, "page": page, "total": len(rows),
        "limit": FLAGGED_LIMIT, "value": selectors.format_value(key, value),
        "status": selectors.Limits().status(key, value, provider.pk),
        "columns": [FLAGGED_COLUMNS.get(c, c) for c in columns],
        "table": [[_cell_text(row[c]) for c in columns] for row in page],
    }
    return render(request, "monthly/flagged.html", context)


FLAGGED_LIMIT = 5000
FLAGGED_COLUMNS = {
    "visit_id": _("Besöks-id"), "client": _("Kund (pseudonym)"), "staff": _("Personal (pseudonym)"),
    "check_in": _("Inkvittens"), "check_out": _("Utkvittens"), "duration_minutes": _("Minuter"),
    "method": _("Metod"), "services": _("Insatser"), "prev_visit_id": _("Föreg. besök"),
    "prev_client": _("Föreg. kund"), "prev_check_in": _("Föreg. inkvittens"), "prev_check_out": _("Föreg. utkvittens"),
    "prev_services": _("Föreg. insatser"), "latest_earlier_check_out": _("Senaste tidigare utkvittens"),
    "report_id": _("Rapport-id"), "kind": _("Typ"), "event_date": _("Händelsedatum"), "reported_at": _("Rapporterad"),
}


def _cell_text(value) -> str:
    """Readable cells: times to the second, pseudonyms shortened (the full one is in the data)."""
    if value is None:
        return "–"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S" if hasattr(value, "hour") else "%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text[:10] + "…" if len(text) == 32 and all(c in "0123456789abcdef" for c in text) else text


@require("plan.request")
def figure_deviation(request, pk, period, key):
    provider = get_visible(Provider.objects, request.user, pk=pk)
    kpi = BY_KEY.get(key)
    snapshot = selectors.snapshots(user=request.user, period=period).filter(provider=provider).first()
    if kpi is None or kpi.worse is None or snapshot is None:
        raise Http404
    value = selectors.format_value(key, snapshot.values.get(key))
    yellow, red = selectors.Limits().get(key, provider.pk)
    initial_text = _("%(label)s var %(value)s i %(period)s (gul gräns %(y)s, röd gräns %(r)s).") % {
        "label": _(kpi.label_sv), "value": value, "period": period,
        "y": selectors.format_value(key, yellow), "r": selectors.format_value(key, red)}
    form = forms.FigureDeviationForm(request.POST or None, initial={"text": initial_text})
    if request.method == "POST" and form.is_valid():
        try:
            _deviation, plan = services.deviation_from_figure(
                provider=provider, period=period, key=key, by=request.user, value_text=value, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Avvikelse registrerad och åtgärdsplan begärd av %(p)s.") % {"p": provider.name})
            return redirect(plan)
    context = {"form": form, "provider": provider, "kpi": kpi, "period": period, "value": value}
    return render(request, "monthly/figure_deviation.html", context, status=400 if form.errors else 200)


@require("monthly.import")
def imports(request):
    form = forms.ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = {k: form.cleaned_data.get(k) for k in services.KIND_ORDER if form.cleaned_data.get(k)}
        # Step one reads and checks the files and proposes their month; nothing is stored until the
        # officer confirms the month on the run's page.
        run = services.import_run_start(files={k: f.name for k, f in uploads.items()}, by=request.user,
                                        mapping=form.cleaned_data.get("mapping") or "")
        paths = {}
        for kind, upload in uploads.items():
            suffix = Path(upload.name).suffix.lower()
            tmp = tempfile.NamedTemporaryFile(delete=False, suffix=suffix, prefix=f"upload-{kind}-",
                                              dir=services.upload_dir())
            with tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
            paths[kind] = Path(tmp.name)
        services.import_run_enqueue(run=run, paths=paths, check_only=True)
        return redirect("monthly:import", pk=run.pk)
    services.import_runs_close_stale()
    runs = ImportRun.objects.select_related("by")[:50]
    return render(request, "monthly/imports.html", {"form": form, "runs": runs}, status=400 if form.errors else 200)


@require("monthly.import")
def import_detail(request, pk):
    run = ImportRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    template = "monthly/_import_status.html" if request.headers.get("HX-Request") else "monthly/import.html"
    return render(request, template, _import_context(run))


def _import_context(run, form=None):
    report = run.report or {}
    months = sorted((report.get("months") or {}).items())
    if run.status == ImportRun.Status.AWAITING and form is None:
        form = forms.ImportPeriodForm(months=months, initial={"period": run.period})
    has_csv = any(services.rejects_path(run, k).exists() for k in run.files)
    return {"run": run, "report": report, "months": months, "period_form": form, "has_csv": has_csv,
            "unknown": sorted((report.get("unknown_providers") or {}).items())}


@require("monthly.settings")
@require_POST
def import_confirm(request, pk):
    run = ImportRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    months = sorted((run.report.get("months") or {}).items())
    form = forms.ImportPeriodForm(request.POST, months=months)
    if form.is_valid():
        try:
            paths = services.import_run_confirm(run=run, period=form.cleaned_data["period"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            run.refresh_from_db()
            services.import_run_enqueue(run=run, paths=paths)
            return redirect("monthly:import", pk=run.pk)
    return render(request, "monthly/import.html", _import_context(run, form), status=400)


@require("monthly.settings")
@require_POST
def import_cancel(request, pk):
    run = ImportRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    try:
        services.import_run_cancel(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("monthly:import", pk=run.pk)


@require("monthly.settings")
def import_rejects_csv(request, pk):
    """Every rejected row of the run's files as CSV (line, column, reason; never an id's value)."""
    run = ImportRun.objects.filter(pk=pk).first()
    paths = [services.rejects_path(run, k) for k in services.KIND_ORDER if run and k in run.files]
    paths = [p for p in paths if p.exists()]
    if not paths:
        raise Http404

    def lines():
        for i, path in enumerate(paths):
            with open(path, encoding="utf-8") as fh:
                for n, line in enumerate(fh):
                    if n or not i:  # one header line
                        yield line

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = documents.content_disposition(f"import-{run.pk}-avvisade-rader.csv")
    return response


def _tender_from(request):
    return TenderDocument.objects.filter(pk=parse_pk(request.GET.get("underlag"))).first()


@require("monthly.settings")
def thresholds(request):
    tender = _tender_from(request)
    limits_rows = {(t.key, t.tender_id): t for t in Threshold.objects.all()}
    rows = []
    for kpi in CATALOGUE:
        if not kpi.worse:
            continue
        default = limits_rows.get((kpi.key, None))
        own = limits_rows.get((kpi.key, tender.pk)) if tender else None
        rows.append({"kpi": kpi, "default": default, "own": own,
                     "fmt": lambda v, k=kpi.key: selectors.format_value(k, v)})
    tenders = TenderDocument.objects.filter(area__monthly_followup=True)
    return render(request, "monthly/thresholds.html", {"rows": rows, "tender": tender, "tenders": tenders})


@require("monthly.settings")
def threshold_edit(request, key):
    kpi = BY_KEY.get(key)
    if kpi is None or not kpi.worse:
        raise Http404
    tender = _tender_from(request)
    current = Threshold.objects.filter(key=key, tender=tender).first()
    yellow, red = (current.yellow, current.red) if current else (kpi.default_yellow, kpi.default_red)
    form = forms.ThresholdForm(request.POST or None, initial={"yellow": yellow, "red": red})
    back = "/manadsuppfoljning/troskelvarden/" + (f"?underlag={tender.pk}" if tender else "")
    if request.method == "POST":
        if "reset" in request.POST:
            services.threshold_reset(key=key, tender=tender, by=request.user)
            messages.success(request, _("Gränserna för %(label)s är återställda.") % {"label": _(kpi.label_sv)})
            return redirect(back)
        if form.is_valid():
            try:
                services.threshold_set(key=key, tender=tender, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Gränserna för %(label)s är sparade.") % {"label": _(kpi.label_sv)})
                return redirect(back)
    context = {"form": form, "kpi": kpi, "tender": tender, "current": current, "back": back}
    return render(request, "monthly/threshold_form.html", context, status=400 if form.errors else 200)


@require("monthly.settings")
def mappings(request):
    return render(request, "monthly/mappings.html", {"mappings": ColumnMapping.objects.all()})


@require("monthly.settings")
def mapping_edit(request, pk=None):
    mapping = ColumnMapping.objects.filter(pk=pk).first() if pk else ColumnMapping()
    if mapping is None:
        raise Http404
    form = forms.MappingForm(request.POST or None, instance=mapping)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Kolumnmappningen är sparad."))
        return redirect("monthly:mappings")
    return render(request, "registry/form.html",
                  {"form": form, "title": _("Kolumnmappning"), "cancel_url": "/manadsuppfoljning/mappningar/"},
                  status=400 if form.errors else 200)


@require("monthly.settings")
@require_POST
def mapping_delete(request, pk):
    mapping = ColumnMapping.objects.filter(pk=pk).first()
    if mapping is None:
        raise Http404
    mapping.delete()
    messages.success(request, _("Kolumnmappningen är borttagen."))
    return redirect("monthly:mappings")


@require("monthly.view")
def quarter_export(request, quarter, fmt):
    match = QUARTER.fullmatch(quarter)
    if not match or fmt not in ("xlsx", "pdf"):
        raise Http404
    provider = None
    if request.GET.get("utforare"):
        provider = get_visible(Provider.objects, request.user, pk=request.GET["utforare"])
    elif acts_for_own_organisation(request.user):
        provider = request.user.provider
    year, q = int(match.group(1)), int(match.group(2))
    data = exports.quarter_matrix(user=request.user, year=year, quarter=q, provider=provider)
    name = f"matris-manadsuppfoljning-hemtjanst-{quarter}" + (f"-{provider.code}" if provider else "")
    log_event(user=request.user, action=Action.DOWNLOAD, obj=provider, detail=f"Kvartalsmatris {quarter} ({fmt})")
    if fmt == "xlsx":
        return documents.xlsx_response(exports.to_xlsx(data), f"{name}.xlsx")
    return documents.pdf_response(exports.to_pdf(data), f"{name}.pdf")


@require("monthly.send")
@require_POST
def quarter_send(request, quarter):
    match = QUARTER.fullmatch(quarter)
    if not match:
        raise Http404
    try:
        sent = services.quarter_matrix_send(year=int(match.group(1)), quarter=int(match.group(2)), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        log_event(user=request.user, action=Action.SEND, detail=f"Kvartalsmatris {quarter} köad till {len(sent.queued)} utförare: " + ", ".join(str(p) for p in sent.queued))  # noqa: E501
        if sent.queued:
            messages.success(request, _("Kvartalsmatrisen %(q)s skickas till %(n)s utförare. Den visas som skickad "
                                        "när e-postservern har tagit emot den.") % {
                "q": quarter, "n": len(sent.queued)})
        if sent.skipped:
            messages.warning(request, _("Fick ingen matris: %(list)s.") % {
                "list": "; ".join(f"{p.name} – {why}" for p, why in sent.skipped)})
        if sent.missing_months:
            messages.warning(request, _("Kvartalet är inte komplett: %(months)s saknar importerade nyckeltal.") % {
                "months": ", ".join(sent.missing_months)})
    return redirect("monthly:matrix")


@require("monthly.settings")
def scopes(request):
    """Which providers each area with monthly follow-up follows (contract form and ownership)."""
    areas = list(Area.objects.filter(monthly_followup=True))
    current = {s.area.pk: s for s in selectors.scopes()}
    posted = parse_pk(request.POST.get("area")) if request.method == "POST" else None
    cards = []
    for area in areas:
        prefix = f"a{area.pk}"
        if area.pk == posted:
            form = forms.ScopeForm(request.POST, prefix=prefix)
            if form.is_valid():
                try:
                    services.scope_set(area=area, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Omfattningen för %(a)s är sparad.") % {"a": area.name})
                    return redirect("monthly:scopes")
        else:
            scope = current[area.pk]
            form = forms.ScopeForm(prefix=prefix, initial={"contract_forms": scope.contract_forms,
                                                           "ownerships": scope.ownerships})
        cards.append((area, form))
    status = 400 if any(f.errors for _a, f in cards) else 200
    return render(request, "monthly/scopes.html", {"cards": cards}, status=status)
