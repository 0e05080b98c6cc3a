import csv
from datetime import date

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from foljsam.accounts.policy import require
from foljsam.lib import documents
from foljsam.lib.forms import parse_pk
from foljsam.registry.models import Provider

from .models import AccessEntry, AuditEntry
from .readable import changes_table, model_name


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require("audit.view")
def audit_log(request):
    entries = AuditEntry.objects.select_related("user")
    model, user = request.GET.get("typ", ""), request.GET.get("anvandare", "")
    action = request.GET.get("handelse", "")
    if model:
        entries = entries.filter(model=model)
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    if user:
        entries = entries.filter(username__icontains=user)
    page = Paginator(entries, 50).get_page(request.GET.get("sida"))
    labels = AuditEntry.objects.exclude(model="").order_by("model").values_list("model", flat=True).distinct()
    models = sorted(((m, model_name(m)) for m in labels), key=lambda pair: pair[1])
    table = changes_table(page.object_list)
    rows = [(e, model_name(e.model), table[e.pk]) for e in page]
    return render(request, "audit/log.html", {
        "page": page, "rows": rows, "models": models, "model": model, "user_q": user, "action": action,
        "actions": AuditEntry.Action.choices,
    })


def _access_entries(request):
    entries = AccessEntry.objects.all()
    start, end = _date(request.GET.get("fran", "")), _date(request.GET.get("till", ""))
    if start:
        entries = entries.filter(at__date__gte=start)
    if end:
        entries = entries.filter(at__date__lte=end)
    user = request.GET.get("anvandare", "").strip()
    if user:
        entries = entries.filter(username__icontains=user) | entries.filter(user_name__icontains=user)
    provider = parse_pk(request.GET.get("utforare"))
    if provider:
        entries = entries.filter(provider_id=provider)
    return entries.order_by("-at", "-id"), {"start": start, "end": end, "user_q": user, "provider": provider}


@require("audit.view")
def access_log(request):
    entries, filters = _access_entries(request)
    if request.GET.get("format") == "csv":
        return _access_csv(entries, filters)
    page = Paginator(entries, 50).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    query.pop("format", None)
    return render(request, "audit/access_log.html", {
        "page": page, "providers": Provider.objects.order_by("name"), "query": query.urlencode(), **filters,
    })


def _access_csv(entries, filters):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    span = f"{filters['start'] or 'borjan'}--{filters['end'] or timezone.localdate()}"
    response["Content-Disposition"] = documents.content_disposition(f"atkomstlogg-{span}.csv")
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Tid"), _("Användarnamn"), _("Namn"), _("Utförare"), _("Åtkomst"), _("Uppgifter"),
                     _("Period"), _("Antal rader"), _("Sida")])
    for e in entries.iterator():
        cells = [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.user_name, e.provider_name,
                 e.get_kind_display(), e.what, e.period, "" if e.rows is None else e.rows, e.path]
        # Neutralise formulas: a cell starting with = + - @ is text to a spreadsheet.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in cells])
    return response
