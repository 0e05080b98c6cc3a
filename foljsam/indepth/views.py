from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts import policy
from foljsam.accounts.policy import require
from foljsam.accounts.selectors import visible
from foljsam.actions.selectors import action_plan_list, deviation_list
from foljsam.lib.forms import parse_pk
from foljsam.registry.models import Area, Provider

from . import board, exports, forms, risk, selectors, services, triggers
from .models import (
    CaseStatus,
    ChecklistItem,
    DecisionStatus,
    FindingRating,
    SignalRule,
    SignalSource,
    SignalStatus,
    SignalTheme,
    TriggerKind,
)

# --- Signals ------------------------------------------------------------------------------------


@require("signal.view")
def signal_list(request):
    signals = selectors.signal_list(user=request.user)
    provider = visible(Provider.objects, request.user).filter(pk=parse_pk(request.GET.get("utforare"))).first()
    status, source = request.GET.get("status", ""), request.GET.get("kalla", "")
    if provider:
        signals = signals.filter(provider=provider)
    if status in SignalStatus.values:
        signals = signals.filter(status=status)
    if source in SignalSource.values:
        signals = signals.filter(source=source)
    context = {"signals": signals[:500], "provider": provider, "status": status, "source": source,
               "can_edit": policy.can(request.user, "signal.edit"),
               "statuses": SignalStatus.choices, "sources": SignalSource.choices}
    template = "indepth/_signal_rows.html" if request.headers.get("HX-Request") else "indepth/signal_list.html"
    return render(request, template, context)


def _signal_form_page(request, form, signal=None):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if signal is None:
                signal = services.signal_create(by=request.user, **data)
            else:
                signal = services.signal_update(signal=signal, by=request.user, **data)
        except ValidationError as exc:
            form.add_error("description" if exc.code == "personnummer" else None, exc)
        else:
            messages.success(request, _("Signalen är sparad."))
            return redirect(signal)
    return render(request, "indepth/signal_form.html", {"form": form, "signal": signal},
                  status=400 if form.errors else 200)


@require("signal.edit")
def signal_create(request):
    initial = {"provider": parse_pk(request.GET.get("utforare"))}
    return _signal_form_page(request, forms.SignalForm(request.POST or None, initial=initial))


@require("signal.edit")
def signal_edit(request, pk):
    signal = selectors.signal_get(user=request.user, pk=pk)
    return _signal_form_page(request, forms.SignalForm(request.POST or None, instance=signal), signal)


@require("signal.edit")
@require_POST
def signal_check(request):
    """HTMX: warn while typing when the description looks like it holds a personnummer."""
    try:
        services.check_personnummer(request.POST.get("description", ""))
    except ValidationError as exc:
        return render(request, "indepth/_pnr_warning.html", {"message": exc.messages[0]})
    return render(request, "indepth/_pnr_warning.html", {"message": ""})


@require("signal.view")
def signal_detail(request, pk, assess_form=None, status=200):
    signal = selectors.signal_get(user=request.user, pk=pk)
    return render(request, "indepth/signal_detail.html", {
        "signal": signal, "assess_form": assess_form or forms.SignalAssessForm(),
        "can_edit": policy.can(request.user, "signal.edit"),
    }, status=status)


@require("signal.edit")
@require_POST
def signal_assess(request, pk):
    signal = selectors.signal_get(user=request.user, pk=pk)
    form = forms.SignalAssessForm(request.POST)
    if form.is_valid():
        try:
            signal = services.signal_assess(signal=signal, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Signalen är bedömd: %(d)s.") % {"d": signal.get_decision_display()})
            return redirect(signal.case if signal.case_id else signal)
    return signal_detail(request, pk, assess_form=form, status=400)


@require("signal.edit")
@require_POST
def signal_close(request, pk):
    signal = selectors.signal_get(user=request.user, pk=pk)
    try:
        services.signal_close(signal=signal, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Signalen är avslutad."))
    return redirect(signal)


@require("signal.edit")
def signal_import(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.signals_import(data=form.cleaned_data["file"].read(), by=request.user)
        if result.ok:
            messages.success(request, _("%(n)s signaler importerade.") % {"n": result.created})
            return redirect("indepth:signals")
    return render(request, "indepth/signal_import.html",
                  {"form": form, "result": result, "columns": services.SIGNAL_COLUMNS},
                  status=400 if (form.errors or (result and not result.ok)) else 200)


# --- Cases --------------------------------------------------------------------------------------


@require("indepth.view")
def case_list(request):
    cases = selectors.case_list(user=request.user)
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    return render(request, "indepth/case_list.html",
                  {"cases": cases[:500], "status": status, "statuses": CaseStatus.choices,
                   "can_edit": selectors.can_edit(request.user)})


@require("indepth.propose.view")
def proposal_list(request):
    return render(request, "indepth/proposals.html", {
        "proposals": triggers.proposals(user=request.user),
        "studies": triggers.quality_study_proposals(user=request.user),
        "rules": SignalRule.objects.select_related("area"), "can_edit": selectors.can_edit(request.user),
    })


@require("indepth.edit")
def case_create(request):
    provider = Provider.objects.filter(pk=parse_pk(request.GET.get("utforare"))).first()
    signal = selectors.signal_list(user=request.user).filter(pk=parse_pk(request.GET.get("signal"))).first()
    initial = {"trigger": request.GET.get("anledning") or (TriggerKind.SIGNALS if signal else "")}
    if signal:
        provider = signal.provider
        initial.update(area=signal.area_id, unit=signal.unit_id, evidence=str(signal))
    if provider:
        initial["provider"] = provider.pk
        areas = Area.objects.filter(contracts__provider=provider).distinct()
        if "area" not in initial and areas.count() == 1:
            initial["area"] = areas.first().pk
        reasons = [r for r in triggers.reasons_for(user=request.user, provider=provider)
                   if r.kind == initial["trigger"]]
        if reasons and "evidence" not in initial:
            initial["evidence"] = reasons[0].evidence
    form = forms.CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(by=request.user, provider=data["provider"], area=data["area"],
                                      unit=data["unit"], trigger=data["trigger"], evidence=data["evidence"],
                                      opened_on=data["opened_on"], signals=[signal] if signal else [])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Den fördjupade uppföljningen är öppnad."))
            return redirect(case)
    return render(request, "indepth/case_form.html", {"form": form, "signal": signal},
                  status=400 if form.errors else 200)


def _case_context(request, case, **overrides):
    user = request.user
    context = {"case": case, "can_edit": selectors.can_edit(user) and case.status != CaseStatus.CLOSED,
               "is_officer": selectors.can_edit(user),
               "findings": case.findings.select_related("deviation"),
               "plans": action_plan_list(user=user).filter(deviations__source_ref=case.source_ref).distinct(),
               "sanctions": case.sanctions.all(), "terminations": case.terminations.select_related("contract__area"),
               "pending": DecisionStatus.PROPOSED}
    if selectors.own_organisation(user):
        # The provider sees the result and the plans asked of it – no internal notes, no proposals.
        context["sanctions"] = context["sanctions"].filter(status=DecisionStatus.DECIDED)
        context["terminations"] = context["terminations"].filter(status=DecisionStatus.DECIDED)
        return context
    context.update({
        "checks": case.checks.all(), "check_results": forms.CheckResultField().choices,
        "signals": selectors.signal_list(user=user).filter(case=case),
        "deviations": deviation_list(user=user).filter(source_ref=case.source_ref),
        "notices": case.bistand_notices.all(),
        "open_findings": case.findings.exclude(rating=FindingRating.GREEN).filter(deviation__isnull=True),
        "plan_form": forms.PlanVisitForm(initial={"visit_on": case.visit_on, "visit_by": case.visit_by},
                                         prefix="plan"),
        "visit_form": forms.RecordVisitForm(initial={
            "visited_on": case.visited_on or timezone.localdate(), "interviewed": case.interviewed,
            "interview_notes": case.interview_notes, "internal_notes": case.internal_notes}, prefix="visit"),
        "check_form": forms.CheckAddForm(prefix="check"),
        "finding_form": forms.FindingForm(prefix="finding"),
        "deviations_form": forms.DeviationsForm(prefix="dev"),
        "bistand_form": forms.BistandForm(prefix="bistand"),
        "sanction_form": forms.SanctionForm(prefix="sanction"),
        "termination_form": forms.TerminationForm(prefix="termination", provider=case.provider),
        "close_form": forms.CloseForm(prefix="close", initial={"result": case.result}),
        "requirement_areas": _requirement_areas(),
    })
    context.update(overrides)
    # One decision form per pending proposal, each with its own prefix (unique ids on the page).
    decide = context.pop("decide_form", None)
    for kind, items in (("sanction", "sanctions"), ("termination", "terminations")):
        context[items] = list(context[items])
        for item in context[items]:
            prefix = f"{kind}-{item.pk}"
            item.decide_form = (decide if decide is not None and decide.prefix == prefix
                                else forms.DecideForm(prefix=prefix, initial={"decision_on": timezone.localdate()}))
    return context


def _requirement_areas():
    from foljsam.catalogue.models import RequirementArea

    return sorted(set(RequirementArea.objects.values_list("name", flat=True)))


@require("indepth.view")
def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    template = "indepth/case_result.html" if selectors.own_organisation(request.user) else "indepth/case_detail.html"
    return render(request, template, _case_context(request, case))


def _case_action(request, pk, form_key, form, action, success, partial=None):
    """Run one officer action on a case: redirect on success, the page with the form's errors otherwise."""
    case = selectors.case_get(user=request.user, pk=pk)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if partial and request.headers.get("HX-Request"):
                case.refresh_from_db()
                return render(request, partial, _case_context(request, case))
            messages.success(request, success)
            return redirect(case)
    case.refresh_from_db()
    return render(request, "indepth/case_detail.html", _case_context(request, case, **{form_key: form}), status=400)


@require("indepth.edit")
@require_POST
def case_plan_visit(request, pk):
    return _case_action(
        request, pk, "plan_form", forms.PlanVisitForm(request.POST, prefix="plan"),
        lambda case, d: services.case_plan_visit(case=case, by=request.user, **d), _("Besöket är planerat."))


@require("indepth.edit")
@require_POST
def case_record_visit(request, pk):
    return _case_action(
        request, pk, "visit_form", forms.RecordVisitForm(request.POST, prefix="visit"),
        lambda case, d: services.case_record_visit(case=case, by=request.user, **d), _("Besöket är registrerat."))


@require("indepth.edit")
@require_POST
def case_checks(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    valid = {v for v, _label in forms.CheckResultField().choices}
    values = {}
    for check in case.checks.all():
        result = request.POST.get(f"result-{check.pk}", check.result)
        values[check.pk] = (result if result in valid else check.result,
                            request.POST.get(f"comment-{check.pk}", check.comment)[:500])
    try:
        services.case_checks_save(case=case, by=request.user, values=values)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if request.headers.get("HX-Request"):
            return render(request, "indepth/_checklist.html", {**_case_context(request, case), "saved": True})
        messages.success(request, _("Checklistan är sparad."))
    return redirect(case)


@require("indepth.edit")
@require_POST
def case_check_add(request, pk):
    return _case_action(
        request, pk, "check_form", forms.CheckAddForm(request.POST, prefix="check"),
        lambda case, d: services.case_check_add(case=case, by=request.user, **d), _("Kontrollpunkten är tillagd."))


@require("indepth.edit")
@require_POST
def case_finding(request, pk):
    return _case_action(
        request, pk, "finding_form", forms.FindingForm(request.POST, prefix="finding"),
        lambda case, d: services.finding_add(case=case, by=request.user, **d), _("Iakttagelsen är sparad."),
        partial="indepth/_findings.html")


@require("indepth.edit")
@require_POST
def case_deviations(request, pk):
    def action(case, data):
        ids = [i for i in map(parse_pk, request.POST.getlist("findings")) if i]
        chosen = case.findings.filter(pk__in=ids)
        if not chosen:
            raise ValidationError(_("Välj minst en gul eller röd iakttagelse."), code="none_chosen")
        services.findings_to_deviations(case=case, by=request.user, findings=chosen, **data)

    return _case_action(request, pk, "deviations_form", forms.DeviationsForm(request.POST, prefix="dev"), action,
                        _("Avvikelserna är registrerade och en åtgärdsplan är begärd."))


@require("indepth.edit")
@require_POST
def case_bistand(request, pk):
    return _case_action(
        request, pk, "bistand_form", forms.BistandForm(request.POST, prefix="bistand"),
        lambda case, d: services.bistand_notify(case=case, by=request.user, **d),
        _("Meddelandet till bistånd är registrerat."))


@require("indepth.edit")
@require_POST
def case_sanction(request, pk):
    return _case_action(
        request, pk, "sanction_form", forms.SanctionForm(request.POST, prefix="sanction"),
        lambda case, d: services.sanction_propose(case=case, by=request.user, **d), _("Förslaget om vite är sparat."))


@require("indepth.edit")
@require_POST
def case_termination(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    return _case_action(
        request, pk, "termination_form",
        forms.TerminationForm(request.POST, prefix="termination", provider=case.provider),
        lambda case, d: services.termination_propose(case=case, by=request.user, **d),
        _("Förslaget om att avsluta avtalet är sparat."))


@require("indepth.edit")
@require_POST
def sanction_decide(request, pk):
    sanction = selectors.sanction_get(user=request.user, pk=pk)
    return _case_action(
        request, sanction.case_id, "decide_form", forms.DecideForm(request.POST, prefix=f"sanction-{pk}"),
        lambda case, d: services.sanction_decide(sanction=sanction, by=request.user, **d),
        _("Beslutet om vite är registrerat."))


@require("indepth.edit")
@require_POST
def termination_decide(request, pk):
    termination = selectors.termination_get(user=request.user, pk=pk)
    return _case_action(
        request, termination.case_id, "decide_form", forms.DecideForm(request.POST, prefix=f"termination-{pk}"),
        lambda case, d: services.termination_decide(termination=termination, by=request.user, **d),
        _("Beslutet är registrerat. Ett bifallet avslut avslutar avtalet i registret på sista avtalsdagen."))


@require("indepth.edit")
@require_POST
def case_close(request, pk):
    return _case_action(
        request, pk, "close_form", forms.CloseForm(request.POST, prefix="close"),
        lambda case, d: services.case_close(case=case, by=request.user, **d),
        _("Den fördjupade uppföljningen är avslutad; utföraren ser resultatet."))


# --- Risk, board counts, settings ---------------------------------------------------------------


@require("indepth.propose.view")
def risk_view(request):
    weights = risk.weights()
    return render(request, "indepth/risk.html", {
        "rows": risk.risk_rows(user=request.user),
        "weights": [(label, weights[key]) for key, (_default, label) in risk.WEIGHTS.items()],
        "can_edit": selectors.can_edit(request.user)})


@require("reports.view")
def board_view(request):
    form = forms.YearForm(request.GET or {"year": timezone.localdate().year - 1})
    rows = None
    if form.is_valid():
        rows = board.indepth_counts(user=request.user, year=form.cleaned_data["year"])
        if request.GET.get("format") == "xlsx":
            return exports.board_xlsx(rows, form.cleaned_data["year"])
    return render(request, "indepth/board.html", {
        "form": form, "rows": rows, "triggers": TriggerKind.choices, "sources": SignalSource.choices,
        "themes": sorted({t for r in rows or [] for t in r.signals_by_theme}),
    }, status=200 if form.is_valid() else 400)


SETTINGS = {
    "teman": (forms.ThemeFormSet, SignalTheme.objects.all, _("Teman för signaler")),
    "troskar": (forms.RuleFormSet, lambda: SignalRule.objects.select_related("area"),
                _("Trösklar: signaler som föreslår fördjupad uppföljning")),
    "checklista": (forms.ChecklistFormSet, ChecklistItem.objects.all, _("Checklistmall för besök")),
}


@require("indepth.edit")
def settings_view(request):
    formsets = {key: cls(prefix=key, queryset=qs()) for key, (cls, qs, _label) in SETTINGS.items()}
    weights_form = forms.WeightsForm(current=risk.weights(), prefix="vikter")
    which = request.POST.get("which", "")
    status = 200
    if request.method == "POST":
        if which in SETTINGS:
            cls, qs, _label = SETTINGS[which]
            formset = formsets[which] = cls(request.POST, prefix=which, queryset=qs())
            if formset.is_valid():
                try:
                    services.formset_save(formset=formset, by=request.user)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, _("Inställningarna är sparade."))
                    return redirect("indepth:settings")
        elif which == "vikter":
            weights_form = forms.WeightsForm(request.POST, current=risk.weights(), prefix="vikter")
            if weights_form.is_valid():
                services.risk_weights_save(values=weights_form.cleaned_data, by=request.user)
                messages.success(request, _("Vikterna är sparade."))
                return redirect("indepth:settings")
        status = 400
    sections = [(key, SETTINGS[key][2], formsets[key]) for key in SETTINGS]
    return render(request, "indepth/settings.html", {"sections": sections, "weights_form": weights_form},
                  status=status)

