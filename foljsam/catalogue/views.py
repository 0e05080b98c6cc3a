from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts.policy import require
from foljsam.lib import documents, uploads
from foljsam.registry.models import Area, UnitType

from . import exchange, forms, selectors, services
from .models import Catalogue, Requirement, RequirementArea, kpi_choices


@require("catalogue.view")
def catalogue_list(request):
    catalogues = Catalogue.objects.select_related("tender__area").prefetch_related("campaigns")
    return render(request, "catalogue/list.html", {"catalogues": catalogues})


@require("catalogue.view")
def catalogue_detail(request, pk):
    catalogue = get_object_or_404(Catalogue.objects.select_related("tender"), pk=pk)
    areas = catalogue.areas.prefetch_related("requirements__unit_types")
    return render(request, "catalogue/detail.html", {
        "catalogue": catalogue, "areas": areas, "frozen": services.is_frozen(catalogue),
        "checkable": selectors.checkable(catalogue), "kpis": dict(kpi_choices()),
        "copy_form": forms.CopyForm(), "campaigns": catalogue.campaigns.select_related("area"),
    })


def _form_page(request, form, *, save, title, cancel_url, success_url=None):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("”%(obj)s” är sparad.") % {"obj": obj})
            return redirect(success_url or obj.get_absolute_url())
    return render(request, "catalogue/form.html", {"form": form, "title": title, "cancel_url": cancel_url},
                  status=400 if form.errors else 200)


@require("catalogue.edit")
def catalogue_edit(request, pk=None):
    catalogue = get_object_or_404(Catalogue, pk=pk) if pk else Catalogue()
    form = forms.CatalogueForm(request.POST or None, instance=catalogue)
    return _form_page(
        request, form, save=lambda c: services.catalogue_save(catalogue=c, by=request.user),
        title=_("Ändra kravkatalog") if pk else _("Ny kravkatalog"),
        cancel_url=catalogue.get_absolute_url() if pk else "/kravkatalog/",
    )


@require("catalogue.edit")
def area_edit(request, pk=None, area_pk=None):
    if area_pk:
        area = get_object_or_404(RequirementArea.objects.select_related("catalogue"), pk=area_pk)
    else:
        area = RequirementArea(catalogue=get_object_or_404(Catalogue, pk=pk))
    form = forms.AreaForm(request.POST or None, instance=area)
    url = area.catalogue.get_absolute_url()
    return _form_page(request, form, save=lambda a: services.area_save(area=a, by=request.user),
                      title=_("Ändra kravområde") if area_pk else _("Nytt kravområde"), cancel_url=url,
                      success_url=url)


@require("catalogue.edit")
def requirement_edit(request, area_pk=None, req_pk=None):
    if req_pk:
        req = get_object_or_404(Requirement.objects.select_related("area__catalogue"), pk=req_pk)
    else:
        req = Requirement(area=get_object_or_404(RequirementArea.objects.select_related("catalogue"), pk=area_pk))
    form = forms.RequirementForm(request.POST or None, instance=req)
    url = req.area.catalogue.get_absolute_url() + f"#omrade-{req.area_id}"

    def save(r):
        return services.requirement_save(requirement=r, by=request.user,
                                         unit_types=form.cleaned_data.get("unit_types"))

    return _form_page(request, form, save=save,
                      title=_("Ändra krav") if req_pk else _("Nytt krav i %(area)s") % {"area": req.area},
                      cancel_url=url, success_url=url)


@require("catalogue.edit")
@require_POST
def requirement_delete_view(request, req_pk):
    req = get_object_or_404(Requirement.objects.select_related("area__catalogue"), pk=req_pk)
    catalogue = req.area.catalogue
    try:
        services.requirement_delete(requirement=req, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Kravet ”%(r)s” är borttaget.") % {"r": req})
    return redirect(catalogue)


@require("catalogue.edit")
@require_POST
def catalogue_copy_view(request, pk):
    catalogue = get_object_or_404(Catalogue, pk=pk)
    form = forms.CopyForm(request.POST)
    if form.is_valid():
        try:
            copy = services.catalogue_copy(catalogue=catalogue, version=form.cleaned_data["version"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Version %(v)s är skapad.") % {"v": copy.version})
            return redirect(copy)
    else:
        messages.error(request, _("Ange en version."))
    return redirect(catalogue)


@require("catalogue.view")
def catalogue_export(request, pk, fmt):
    catalogue = get_object_or_404(Catalogue.objects.select_related("tender__area"), pk=pk)
    data = services.catalogue_to_dict(catalogue)
    name = slugify(f"{catalogue.name}-{catalogue.version}")
    if fmt == "yaml":
        return documents.attachment_response(exchange.to_yaml(data), "application/yaml; charset=utf-8", f"{name}.yaml")
    if fmt == "xlsx":
        return documents.xlsx_response(exchange.to_xlsx(data), f"{name}.xlsx")
    raise Http404


@require("catalogue.edit")
def catalogue_import_view(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            uploads.check_upload(upload, kind="catalogue")  # size, XLSX inflation and sheet size before reading
            catalogue = services.catalogue_import_file(content=upload.read(), filename=upload.name, by=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("Kravkatalogen ”%(c)s” är importerad.") % {"c": catalogue})
            return redirect(catalogue)
    return render(request, "catalogue/import.html", {"form": form}, status=400 if form.errors else 200)


def _unit_types_page(request, form):
    areas = Area.objects.prefetch_related("unit_types__units")
    return render(request, "catalogue/unit_types.html", {"form": form, "areas": areas},
                  status=400 if form.errors else 200)


@require("catalogue.view")
def unit_types(request):
    """Unit types per area (hemtjänstgrupp, nattpatrull, …), which requirements can be limited to."""
    return _unit_types_page(request, forms.UnitTypeForm())


@require("catalogue.edit")
@require_POST
def unit_type_create(request):
    form = forms.UnitTypeForm(request.POST)
    if form.is_valid():
        try:
            unit_type = services.unit_type_save(unit_type=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Enhetstypen ”%(t)s” är sparad.") % {"t": unit_type})
            return redirect("catalogue:unit_types")
    return _unit_types_page(request, form)


@require("catalogue.edit")
@require_POST
def unit_type_delete_view(request, pk):
    unit_type = get_object_or_404(UnitType, pk=pk)
    try:
        services.unit_type_delete(unit_type=unit_type, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Enhetstypen ”%(t)s” är borttagen.") % {"t": unit_type})
    return redirect("catalogue:unit_types")
