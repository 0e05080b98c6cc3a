from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts import policy
from foljsam.accounts.policy import require
from foljsam.accounts.selectors import get_visible
from foljsam.lib.forms import parse_pk
from foljsam.lib.svgchart import bar_chart
from foljsam.registry.models import Area

from . import forms, selectors, services
from .models import QualityNarrative

MAX_UPLOAD = 10 * 1024 * 1024


def _area_year(request):
    areas = Area.objects.all()
    area = areas.filter(code=request.GET.get("omrade", "")).first() or areas.filter(monthly_followup=True).first() \
        or areas.first()
    year = parse_pk(request.GET.get("ar"))
    if year is None or not 2000 <= year <= 2100:
        year = timezone.localdate().year - 1
    return areas, area, year


@require("overview.view")
def overview(request):
    areas, area, year = _area_year(request)
    data = selectors.provider_overview(user=request.user, area=area, year=year) if area else None
    charts = {}
    if data and data.rows:
        with_clients = [r for r in data.rows if r.clients is not None]
        if with_clients:
            charts["clients"] = bar_chart([r.provider.name for r in with_clients],
                                          [(_("Kunder"), [r.clients for r in with_clients])],
                                          title=_("Kunder per utförare %(year)s") % {"year": year})
        manual = data.manual_by_ownership
        if any(v is not None for y in data.years for v in manual[y].values()):
            charts["manual"] = bar_chart(
                [str(y) for y in data.years],
                [(_("Egen regi"), [manual[y]["own"] for y in data.years]),
                 (_("Externa"), [manual[y]["external"] for y in data.years])],
                title=_("Manuellt registrerad tid, andel per år"), fmt=lambda v: f"{v:.1f} %".replace(".", ","))
    return render(request, "overview/overview.html", {"areas": areas, "area": area, "year": year, "data": data,
                                                      "charts": charts})


@require("overview.edit")
@require_POST
def request_narratives(request):
    area = get_object_or_404(Area, pk=parse_pk(request.POST.get("area")) or 0)
    year = parse_pk(request.POST.get("year")) or 0
    try:
        created = services.narrative_request(by=request.user, area=area, year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Kvalitetsberättelse är begärd av %(n)s utförare.") % {"n": len(created)})
    return redirect(f"{reverse('overview:overview')}?omrade={area.code}&ar={year}")


@require("overview.edit")
def import_figures(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None,
                            initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("Filen är för stor (högst 10 MB)."))
        else:
            kwargs = {"by": request.user, "data": upload.read(), "filename": upload.name, "year": data["year"]}
            try:
                if data["kind"] == "survey":
                    n = services.survey_import(**kwargs)
                else:
                    n = services.choice_import(area=data["area"], **kwargs)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(n)s rader är importerade.") % {"n": n})
                return redirect(f"{reverse('overview:overview')}?omrade={data['area'].code}&ar={data['year']}")
    return render(request, "overview/import.html", {"form": form}, status=400 if form.errors else 200)


@require("overview.view")
def narratives(request):
    return render(request, "overview/narratives.html",
                  {"narratives": selectors.narratives_for(user=request.user)})


@require("overview.view")
def narrative(request, pk):
    narrative = get_visible(QualityNarrative.objects.select_related("provider"), request.user, "overview.view", pk=pk)
    may_write = policy.can(request.user, "overview.narrative", narrative)
    may_edit = may_write and not narrative.submitted_at
    form = forms.NarrativeForm(request.POST if request.method == "POST" else None, initial=narrative.content)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        if narrative.submitted_at:
            messages.error(request, _("Kvalitetsberättelsen kan inte ändras."))
            return redirect("overview:narrative", pk=pk)
        if form.is_valid():
            try:
                services.narrative_save(narrative=narrative, by=request.user, content=form.cleaned_data,
                                        submit="submit" in request.POST)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Kvalitetsberättelsen är inlämnad.") if narrative.submitted_at
                                 else _("Utkastet är sparat."))
                return redirect("overview:narrative", pk=pk)
    return render(request, "overview/narrative.html", {"narrative": narrative, "form": form, "may_edit": may_edit},
                  status=400 if form.errors else 200)
