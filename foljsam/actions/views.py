from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts.policy import can, require
from foljsam.accounts.selectors import get_visible
from foljsam.lib.forms import parse_pk

from . import forms, selectors, services
from .models import ActionPlan, Deviation, PlanStatus, Source

STEP_FORMS = {
    "submit": forms.SubmitForm,
    "approve": forms.ApproveForm,
    "return": forms.ReturnForm,
    "carry_out": forms.CommentForm,
    "verify": forms.CommentForm,
    "reopen": forms.ReopenForm,
}
STEP_SERVICES = {
    "submit": services.action_plan_submit,
    "approve": services.action_plan_approve,
    "return": services.action_plan_return,
    "carry_out": services.action_plan_carry_out,
    "verify": services.action_plan_verify,
    "reopen": services.action_plan_reopen,
}


DEVIATIONS_PER_PAGE = 50


@require("deviation.view")
def deviation_list(request):
    deviations = selectors.deviation_list(user=request.user)
    source = request.GET.get("kalla", "")
    if source:
        deviations = deviations.filter(source=source)
    if request.GET.get("oppna"):
        deviations = deviations.filter(closed_on__isnull=True)
    # Pages of DEVIATIONS_PER_PAGE, newest first: a municipality has hundreds, and rendering them all
    # was the slowest of the main pages (bench/web.py, issue 12 item 11).
    page = Paginator(deviations, DEVIATIONS_PER_PAGE).get_page(request.GET.get("sida"))
    query = urlencode({k: v for k, v in (("kalla", source), ("oppna", request.GET.get("oppna", ""))) if v})
    return render(request, "actions/deviation_list.html", {
        "deviations": page.object_list, "page": page, "query": query, "sources": Source.choices, "source": source})


@require("deviation.view")
def deviation_detail(request, pk):
    deviation = get_visible(Deviation.objects.select_related("provider", "unit"), request.user, pk=pk)
    plans = selectors.action_plan_list(user=request.user).filter(deviations=deviation)
    return render(request, "actions/deviation_detail.html", {"deviation": deviation, "plans": plans})


@require("deviation.create")
def deviation_create(request):
    initial = {"provider": request.GET.get("utforare"), "source": request.GET.get("kalla") or Source.SIGNAL}
    form = forms.DeviationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deviation = services.deviation_create(
                provider=data["provider"], unit=data["unit"], by=request.user, source=data["source"],
                requirement=data["requirement"], text=data["text"], severity=data["severity"],
                found_on=data["found_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Avvikelsen är registrerad."))
            return redirect(deviation)
    return render(request, "actions/deviation_form.html", {"form": form}, status=400 if form.errors else 200)


@require("plan.view")
def plan_list(request):
    plans = selectors.action_plan_list(user=request.user)
    status = request.GET.get("status", "")
    if status == "forsenade":
        plans = selectors.overdue_plans(user=request.user)
    elif status:
        plans = plans.filter(status=status)
    return render(request, "actions/plan_list.html",
                  {"plans": plans, "statuses": PlanStatus.choices, "status": status})


@require("plan.request")
def plan_request(request, deviation_pk):
    deviation = get_visible(Deviation.objects, request.user, pk=deviation_pk)
    open_devs = Deviation.objects.filter(provider=deviation.provider, closed_on__isnull=True)
    form = forms.PlanRequestForm(request.POST or None, initial={"title": deviation.requirement[:200]})
    chosen = [pk for pk in map(parse_pk, request.POST.getlist("deviations")) if pk] or [deviation.pk]
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.action_plan_request(
                deviations=open_devs.filter(pk__in=chosen), by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Åtgärdsplan är begärd av %(p)s.") % {"p": plan.provider.name})
            return redirect(plan)
    return render(request, "actions/plan_request.html",
                  {"form": form, "deviation": deviation, "open_deviations": open_devs, "chosen": chosen},
                  status=400 if form.errors else 200)


def _plan_context(plan, user, forms_by_step=None):
    steps = services.available_steps(plan=plan, user=user)
    step_forms = {s: (forms_by_step or {}).get(s) or STEP_FORMS[s](prefix=s) for s in steps}
    return {"plan": plan, "step_forms": step_forms, "step_labels": services.STEP_LABELS,
            "history": plan.steps.select_related("by"), "deviations": plan.deviations.all()}


@require("plan.view")
def plan_detail(request, pk):
    plan = get_visible(ActionPlan.objects.select_related("provider"), request.user, pk=pk)
    return render(request, "actions/plan_detail.html", _plan_context(plan, request.user))


@require("plan.view")
@require_POST
def plan_step(request, pk, step):
    plan = get_visible(ActionPlan.objects.select_related("provider"), request.user, pk=pk)
    if step not in STEP_FORMS:
        raise Http404
    if not can(request.user, services.step_capability(step), plan):
        raise PermissionDenied
    form = STEP_FORMS[step](request.POST, prefix=step)
    if form.is_valid():
        try:
            STEP_SERVICES[step](plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Åtgärdsplanen har nu status ”%(s)s”.") % {"s": plan.get_status_display()})
            return redirect(plan)
    plan.refresh_from_db()
    context = _plan_context(plan, request.user, {step: form})
    return render(request, "actions/plan_detail.html", context, status=400)
