from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts import policy
from foljsam.accounts.policy import require
from foljsam.accounts.selectors import get_visible
from foljsam.lib.documents import docx_response, pdf_response, render_pdf
from foljsam.lib.forms import parse_pk
from foljsam.lib.outline import to_docx

from . import documents, forms, selectors, services
from .models import Kind, Meeting, PlanItem, QualityStudy


def _year(request) -> int:
    raw = request.GET.get("ar", "")
    year = parse_pk(raw)
    if year is None or not 2000 <= year <= 2100:
        return timezone.localdate().year
    return year


# --- The plan ---------------------------------------------------------------------------------

@require("followup_plan.view")
def plan(request):
    year = _year(request)
    view = selectors.plan_view(year=year)
    add_form = forms.ItemAddForm(initial={"year": year})
    return render(request, "planning/plan.html", {"view": view, "add_form": add_form, "kinds": Kind.choices})


def _back(year):
    return redirect(f"{reverse('planning:plan')}?ar={year}")


@require("followup_plan.edit")
@require_POST
def plan_generate(request):
    year = parse_pk(request.POST.get("year"))
    try:
        created = services.plan_generate(year=year or 0, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(timezone.localdate().year)
    messages.success(request, _("%(n)s poster lades till i planen.") % {"n": len(created)})
    return _back(year)


@require("followup_plan.edit")
@require_POST
def plan_item_add(request):
    form = forms.ItemAddForm(request.POST)
    if form.is_valid():
        try:
            item = services.plan_item_add(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Posten är tillagd."))
            return _back(item.year)
    year = _year(request)
    return render(request, "planning/plan.html",
                  {"view": selectors.plan_view(year=year), "add_form": form, "kinds": Kind.choices}, status=400)


@require("followup_plan.edit")
def plan_item_edit(request, pk):
    item = get_object_or_404(PlanItem.objects.select_related("area", "provider"), pk=pk)
    move = forms.ItemMoveForm(request.POST if request.POST.get("action") == "move" else None,
                              initial={"year": item.year, "month": item.month}, prefix="move")
    cancel = forms.ItemCancelForm(request.POST if request.POST.get("action") == "cancel" else None,
                                  prefix="cancel")
    if request.method == "POST":
        form = move if request.POST.get("action") == "move" else cancel
        if form.is_valid():
            try:
                if form is move:
                    services.plan_item_move(item=item, by=request.user, **form.cleaned_data)
                else:
                    services.plan_item_cancel(item=item, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Planen är ändrad."))
                return _back(item.year)
    status = 400 if (move.errors or cancel.errors) else 200
    return render(request, "planning/item_edit.html", {"item": item, "move": move, "cancel": cancel},
                  status=status)


@require("followup_plan.view")
def plan_document(request, fmt):
    year = _year(request)
    outline = documents.plan_outline(selectors.plan_view(year=year))
    name = f"uppfoljningsplan-{year}"
    if fmt == "docx":
        return docx_response(to_docx(outline), f"{name}.docx")
    if fmt == "pdf":
        return pdf_response(render_pdf("documents/outline.html", {"outline": outline}), f"{name}.pdf")
    raise Http404


# --- Dialogue meetings -----------------------------------------------------------------------

@require("meeting.view")
def meetings(request):
    return render(request, "planning/meetings.html",
                  {"meetings": selectors.meeting_list(user=request.user)})


@require("meeting.edit")
def meeting_create(request):
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Mötet är skapat. Skicka inbjudan när dagordningen är klar."))
            return redirect(meeting)
    return render(request, "planning/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


def _meeting_context(request, meeting, **forms_):
    context = {
        "meeting": meeting,
        "agenda_items": selectors.agenda_items(meeting=meeting, user=request.user),
        "invitations": meeting.invitations.select_related("provider"),
        "actions": meeting.agreed_actions.select_related("done_by"),
    }
    if policy.can(request.user, "meeting.edit"):
        context.update(
            minutes_form=forms_.get("minutes_form") or forms.MinutesForm(initial={"minutes": meeting.minutes}),
            agenda_form=forms_.get("agenda_form") or forms.AgendaItemForm(),
            action_form=forms_.get("action_form") or forms.AgreedActionForm(),
            yellow=selectors.yellow_results(meeting=meeting),
        )
    return context


@require("meeting.view")
def meeting(request, pk):
    meeting = selectors.get_meeting(user=request.user, pk=pk)
    return render(request, "planning/meeting.html", _meeting_context(request, meeting))


@require("meeting.edit")
@require_POST
def meeting_step(request, pk, step):
    meeting = get_visible(Meeting.objects.all(), request.user, "meeting.edit", pk=pk)
    form, form_name = None, None
    try:
        if step == "invite":
            n = services.meeting_invite(by=request.user, meeting=meeting)
            messages.success(request, _("Inbjudan skickas till %(n)s utförare.") % {"n": n})
        elif step == "attendance":
            ids = {pk for pk in map(parse_pk, request.POST.getlist("attended")) if pk}
            services.meeting_attendance(by=request.user, meeting=meeting, attended_provider_ids=ids)
            messages.success(request, _("Närvaron är sparad."))
        elif step == "minutes":
            form, form_name = forms.MinutesForm(request.POST), "minutes_form"
            if form.is_valid():
                services.meeting_update(by=request.user, meeting=meeting, **form.cleaned_data)
                messages.success(request, _("Minnesanteckningarna är sparade."))
        elif step == "agenda":
            answer_pk = parse_pk(request.POST.get("answer"))
            if answer_pk:
                from foljsam.followups.models import Answer

                answer = get_object_or_404(Answer, pk=answer_pk)
                services.agenda_item_add(by=request.user, meeting=meeting, answer=answer)
                messages.success(request, _("Resultatet är lagt på dagordningen."))
            else:
                form, form_name = forms.AgendaItemForm(request.POST), "agenda_form"
                if form.is_valid():
                    services.agenda_item_add(by=request.user, meeting=meeting, **form.cleaned_data)
        elif step == "action":
            form, form_name = forms.AgreedActionForm(request.POST), "action_form"
            if form.is_valid():
                services.agreed_action_add(by=request.user, meeting=meeting, **form.cleaned_data)
                messages.success(request, _("Åtgärden är sparad."))
        elif step == "action-done":
            action = get_object_or_404(meeting.agreed_actions, pk=parse_pk(request.POST.get("action")))
            services.agreed_action_done(by=request.user, action=action)
            messages.success(request, _("Åtgärden är markerad som klar."))
        else:
            raise Http404
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect(meeting)
        form.add_error(None, exc)
    if form is not None and form.errors:
        return render(request, "planning/meeting.html", _meeting_context(request, meeting, **{form_name: form}),
                      status=400)
    return redirect(meeting)


# --- Quality studies -------------------------------------------------------------------------

@require("study.view")
def studies(request):
    return render(request, "planning/studies.html", {"studies": selectors.study_list(user=request.user)})


@require("study.edit")
def study_edit(request, pk=None):
    study = get_visible(QualityStudy.objects.distinct(), request.user, "study.edit", pk=pk) if pk else None
    initial = {"recommendations": "\n".join(r.text for r in study.recommendations.all())} if study else \
        {"year": timezone.localdate().year}
    form = forms.StudyForm(request.POST or None, instance=study, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        areas, units = data.pop("areas"), data.pop("units")
        recommendations = data.pop("recommendations").splitlines()
        try:
            study = services.study_save(by=request.user, study=study, areas=areas, units=units,
                                        recommendations=recommendations, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Kvalitetsundersökningen är sparad."))
            return redirect(study)
    return render(request, "planning/study_form.html", {"form": form, "study": study},
                  status=400 if form.errors else 200)


def _sees_interviews(user) -> bool:
    """The interview notes are the municipality's own: not for the providers whose units took part."""
    return policy.scope(user, "study.view") == policy.ALL


@require("study.view")
def study(request, pk):
    study = selectors.get_study(user=request.user, pk=pk)
    may_edit = policy.can(request.user, "study.edit")
    interview_form = forms.InterviewForm(study=study) if may_edit else None
    if request.method == "POST" and may_edit:
        interview_form = forms.InterviewForm(request.POST, study=study)
        if interview_form.is_valid():
            try:
                services.interview_add(by=request.user, study=study, **interview_form.cleaned_data)
            except ValidationError as exc:
                interview_form.add_error(None, exc)
            else:
                messages.success(request, _("Intervjun är sparad."))
                return redirect(study)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "planning/study.html", {
        "study": study, "interviews": None if not _sees_interviews(request.user) else
        study.interviews.select_related("unit__provider"),
        "interview_form": interview_form}, status=400 if interview_form and interview_form.errors else 200)


@require("study.edit")
@require_POST
def study_feedback(request, pk):
    study = get_visible(QualityStudy.objects.distinct(), request.user, "study.edit", pk=pk)
    try:
        n = services.study_send_feedback(by=request.user, study=study)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Återkopplingen skickas till %(n)s mottagare.") % {"n": n})
    return redirect(study)


@require("study.view")
def study_document(request, pk, fmt):
    study = selectors.get_study(user=request.user, pk=pk)
    outline = documents.study_outline(study, interviews=_sees_interviews(request.user))
    name = f"kvalitetsundersokning-{study.year}-{study.pk}"
    if fmt == "docx":
        return docx_response(to_docx(outline), f"{name}.docx")
    if fmt == "pdf":
        return pdf_response(render_pdf("documents/outline.html", {"outline": outline}), f"{name}.pdf")
    raise Http404
