from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts.policy import require
from foljsam.accounts.selectors import get_visible
from foljsam.audit.log import client_ip
from foljsam.registry.models import Area, Provider

from . import selectors, services
from .forms import KoladaUploadForm, ProfileForm, PublishForm
from .models import ProviderProfile, Publication

PUBLIC_LANGUAGES = ("sv", "en")


def rate_limit_exceeded(request):
    """Count the request against FOLJSAM_PUBLIC_RATE per address and minute: a 429 beyond, else None.
    Counted once per request (the fast path in fastpath.py counts before the view)."""
    if getattr(request, "_jamfor_counted", False):
        return None
    request._jamfor_counted = True
    key = f"jamfor:rate:{client_ip(request) or 'unknown'}"  # behind a proxy: FOLJSAM_CLIENT_IP_HEADER
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        count = 1
    if count > settings.FOLJSAM_PUBLIC_RATE:
        response = HttpResponse(_("För många förfrågningar. Försök igen om en minut."), status=429,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    return None


def rate_limited(view):
    """At most FOLJSAM_PUBLIC_RATE requests per address and minute to the public pages (429 beyond)."""

    def wrapped(request, *args, **kwargs):
        return rate_limit_exceeded(request) or view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _public(request, cache_key: str, template: str, context_fn):
    """Render a public page in the chosen language, cached per publication (never per user)."""
    lang = request.GET.get("lang")
    lang = lang if lang in PUBLIC_LANGUAGES else "sv"
    key = f"jamfor:{lang}:{cache_key}"
    html = cache.get(key)
    if html is None:
        with translation.override(lang):
            html = render_to_string(template, {**context_fn(), "lang": lang, "languages": PUBLIC_LANGUAGES})
        cache.set(key, html, settings.FOLJSAM_PUBLIC_CACHE_SECONDS)
    response = HttpResponse(html)
    response["Cache-Control"] = f"public, max-age={settings.FOLJSAM_PUBLIC_CACHE_SECONDS}"
    response["Content-Language"] = lang
    return response


@rate_limited
def public_index(request):
    pubs = selectors.public_areas()
    key = "index:" + ",".join(str(p.pk) for p in pubs)
    return _public(request, key, "comparison/public_index.html", lambda: {"publications": pubs})


@rate_limited
def public_area(request, area_code):
    pub = selectors.public_publication(area_code=area_code[:60])
    if pub is None:
        return render(request, "404.html", status=404)
    return _public(request, f"area:{pub.pk}", "comparison/public_area.html", lambda: {"pub": pub})


@require("comparison.view")
def index(request):
    areas = Area.objects.all()
    area = areas.filter(code=request.GET.get("omrade", "hemtjanst")[:60]).first() or areas.first()
    table = selectors.nation_table(user=request.user, area=area) if area else None
    return render(request, "comparison/index.html", {
        "areas": areas, "area": area, "table": table, "publications": selectors.publications(user=request.user),
        "publish_form": PublishForm(initial={"area": area}), "upload_form": KoladaUploadForm(),
    })


@require("comparison.publish")
@require_POST
def publish(request):
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            pub = services.publication_create(area=form.cleaned_data["area"], period=form.cleaned_data["period"],
                                              by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(area)s %(period)s är publicerad.")
                             % {"area": pub.area, "period": pub.period})
            return redirect("comparison:index")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("comparison:index")


@require("comparison.publish")
@require_POST
def withdraw(request, pk):
    pub = get_object_or_404(Publication, pk=pk)
    try:
        services.publication_withdraw(publication=pub, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Publiceringen är tillbakadragen."))
    return redirect("comparison:index")


@require("comparison.publish")
@require_POST
def kolada_upload(request):
    form = KoladaUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("comparison:index")
    try:
        n = services.kolada_import_file(data=form.cleaned_data["file"].read())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s Kolada-värden är inlästa.") % {"n": n})
    return redirect("comparison:index")


@require("comparison.publish")
def profile_edit(request, provider_pk):
    provider = get_visible(Provider.objects.all(), request.user, pk=provider_pk)
    profile = ProviderProfile.objects.filter(provider=provider).first() or ProviderProfile(provider=provider)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.profile_save(provider=provider, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Profilen är sparad."))
        return redirect(provider.get_absolute_url())
    return render(request, "comparison/profile_form.html", {"form": form, "provider": provider},
                  status=400 if request.method == "POST" else 200)
