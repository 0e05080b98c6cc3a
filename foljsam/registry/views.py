from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam import datacache
from foljsam.accounts.policy import require
from foljsam.accounts.selectors import get_visible
from foljsam.actions.selectors import action_plan_list, deviation_list
from foljsam.home import provider_sections
from foljsam.lib.forms import parse_pk

from . import forms, selectors
from .models import Area, Board, Contract, Ownership, Permit, Provider, ProviderEvent, TenderDocument, Unit
from .services import registry_delete, registry_save

# Objects that belong to one provider: url kind → (model, form, Swedish name).
CHILDREN = {
    "enhet": (Unit, forms.UnitForm, _("enhet")),
    "avtal": (Contract, forms.ContractForm, _("avtal")),
    "tillstand": (Permit, forms.PermitForm, _("tillstånd eller uppgift")),
    "handelse": (ProviderEvent, forms.EventForm, _("händelse")),
}
# Shared settings of the registry.
SETTINGS = {
    "omrade": (Area, forms.AreaForm, _("verksamhetsområde")),
    "namnd": (Board, forms.BoardForm, _("nämnd")),
    "underlag": (TenderDocument, forms.TenderForm, _("förfrågningsunderlag")),
}


def _save_form(request, form, *, success_url, title, cancel_url, extra=None):
    if request.method == "POST" and form.is_valid():
        try:
            obj = registry_save(obj=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("”%(obj)s” är sparad.") % {"obj": obj})
            return redirect(success_url or obj.get_absolute_url())
    context = {"form": form, "title": title, "cancel_url": cancel_url, **(extra or {})}
    return render(request, "registry/form.html", context, status=400 if form.errors else 200)


@require("registry.view")
def provider_list(request):
    area = Area.objects.filter(pk=parse_pk(request.GET.get("omrade"))).first()
    providers = selectors.provider_list(
        user=request.user, query=request.GET.get("q", "").strip(), area=area,
        ownership=request.GET.get("regi", ""),
    ).prefetch_related("contracts__area")
    # The rows (every provider of the municipality) are the page's cost: their HTML is kept per data
    # version, user and filter (foljsam/datacache.py); the rows template reads nothing of the request.
    filters = (request.GET.get("q", "").strip(), area.pk if area else "", request.GET.get("regi", ""))
    rows = datacache.cached("registry.provider_rows", lambda: render_to_string(
        "registry/_provider_rows.html", {"providers": providers}), user=request.user, parts=filters)
    if request.headers.get("HX-Request"):
        return HttpResponse(rows)
    context = {"rows": rows, "areas": Area.objects.all(), "area": area, "ownerships": Ownership.choices}
    return render(request, "registry/provider_list.html", context)


@require("registry.view")
def provider_detail(request, pk):
    provider = get_visible(Provider.objects, request.user, pk=pk)

    def body():
        return render_to_string("registry/_provider_detail_body.html", {
            "provider": provider,
            "units": provider.units.select_related("area"),
            "contracts": provider.contracts.select_related("area", "tender"),
            "permits": provider.permits.all(),
            "events": provider.events.select_related("area", "unit"),
            "deviations": deviation_list(user=request.user).filter(provider=provider)[:20],
            "plans": action_plan_list(user=request.user).filter(provider=provider),
            "provider_sections": provider_sections(request.user, provider),
        }, request=request)

    # Every section of the page comes from audited data or the monthly snapshots: its HTML is kept per
    # data version and user (foljsam/datacache.py; the body has no form, so no CSRF token).
    context = {"provider": provider,
               "body": datacache.cached("registry.provider_detail", body, user=request.user, parts=(provider.pk,))}
    return render(request, "registry/provider_detail.html", context)


@require("registry.edit")
def provider_edit(request, pk=None):
    provider = get_visible(Provider.objects, request.user, pk=pk) if pk else Provider()
    form = forms.ProviderForm(request.POST or None, instance=provider)
    return _save_form(
        request, form, success_url=None,
        title=_("Ändra %(name)s") % {"name": provider.name} if pk else _("Ny utförare"),
        cancel_url=provider.get_absolute_url() if pk else "/utforare/",
    )


def _child_form(kind, request, instance, provider):
    _model, form_class, _name = CHILDREN[kind]
    kwargs = {"provider": provider} if form_class is forms.EventForm else {}
    return form_class(request.POST or None, instance=instance, **kwargs)


@require("registry.edit")
def child_create(request, provider_pk, kind):
    if kind not in CHILDREN:
        raise Http404
    provider = get_visible(Provider.objects, request.user, pk=provider_pk)
    model, _form, name = CHILDREN[kind]
    form = _child_form(kind, request, model(provider=provider), provider)
    return _save_form(
        request, form, success_url=provider.get_absolute_url(),
        title=_("Ny %(what)s för %(provider)s") % {"what": name, "provider": provider.name},
        cancel_url=provider.get_absolute_url(),
    )


@require("registry.edit")
def child_edit(request, kind, pk):
    if kind not in CHILDREN:
        raise Http404
    model, _form, name = CHILDREN[kind]
    obj = get_visible(model.objects, request.user, pk=pk)
    form = _child_form(kind, request, obj, obj.provider)
    return _save_form(
        request, form, success_url=obj.provider.get_absolute_url(),
        title=_("Ändra %(what)s: %(obj)s") % {"what": name, "obj": obj},
        cancel_url=obj.provider.get_absolute_url(),
        extra={"delete_url": f"/registret/{kind}/{obj.pk}/ta-bort/"},
    )


@require("registry.edit")
@require_POST
def child_delete(request, kind, pk):
    if kind not in CHILDREN:
        raise Http404
    model, _form, name = CHILDREN[kind]
    obj = get_visible(model.objects, request.user, pk=pk)
    provider = obj.provider
    try:
        registry_delete(obj=obj, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ProtectedError:  # still referenced by follow-up data
        messages.error(request, _("Det går inte att ta bort: uppgiften används av annan data."))
    else:
        messages.success(request, _("%(what)s är borttagen.") % {"what": name.capitalize()})
    return redirect(provider.get_absolute_url())


@require("registry.settings.view")
def settings_list(request):
    context = {
        "boards": Board.objects.all(),
        "areas": Area.objects.select_related("board"),
        "tenders": TenderDocument.objects.select_related("area"),
    }
    return render(request, "registry/settings.html", context)


@require("registry.edit")
def settings_edit(request, kind, pk=None):
    if kind not in SETTINGS:
        raise Http404
    model, form_class, name = SETTINGS[kind]
    obj = get_object_or_none(model, pk) if pk else model()
    if obj is None:
        raise Http404
    form = form_class(request.POST or None, instance=obj)
    return _save_form(
        request, form, success_url="/registret/", cancel_url="/registret/",
        title=(_("Ändra %(what)s") if pk else _("Ny %(what)s")) % {"what": name},
    )


def get_object_or_none(model, pk):
    return model.objects.filter(pk=pk).first()


@require("registry.edit")
def provider_import(request):
    from .services import providers_import

    result = None
    form = forms.ProviderImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = providers_import(data=form.cleaned_data["file"].read(), by=request.user)
        if result.ok:
            messages.success(
                request,
                _("Importen är klar: %(c)s nya, %(u)s ändrade, %(n)s oförändrade utförare, %(k)s nya avtal.")
                % {"c": result.created, "u": result.updated, "n": result.unchanged, "k": result.contracts_created},
            )
            return redirect("registry:providers")
    return render(
        request, "registry/import.html", {"form": form, "result": result},
        status=400 if result is not None and not result.ok else 200,
    )


@require("registry.edit")
def child_or_settings_edit(request, kind, pk):
    """One edit URL for every registry object kind."""
    if kind in SETTINGS:
        return settings_edit(request, kind, pk)
    return child_edit(request, kind, pk)
