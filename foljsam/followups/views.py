"""Views are glue: parse the request, call a service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam import datacache
from foljsam.accounts.policy import can, require
from foljsam.accounts.selectors import get_visible
from foljsam.audit.log import Action, client_ip, log_event
from foljsam.lib import documents
from foljsam.lib.forms import parse_pk
from foljsam.registry.models import Area

from . import exports, forms, selectors, services
from .models import AreaRating, Campaign, Rating, RatingChange, Status


def _error(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


# --- Officer: campaigns -----------------------------------------------------------------------

@require("campaign.view")
def campaign_list(request):
    campaigns = Campaign.objects.select_related("area", "catalogue")
    rows = [{"campaign": c, "progress": selectors.progress(c)} for c in campaigns]
    years = sorted({c.year for c in campaigns if c.sent_at}, reverse=True)
    return render(request, "followups/campaign_list.html", {"rows": rows, "years": years})


@require("campaign.create")
def campaign_create(request):
    """Step 1 picks the area (GET ?omrade=); step 2 shows its units, all ticked, and creates."""
    area_pk = parse_pk(request.GET.get("omrade")) or parse_pk(request.POST.get("area"))
    area = Area.objects.filter(pk=area_pk).first() if area_pk else None
    if area is None:
        return render(request, "followups/campaign_form.html", {"areas": Area.objects.filter(contract_followup=True)})
    units_qs = selectors.candidate_units(area=area, on=timezone.localdate())
    initial = {**forms.campaign_initial(area), "units": list(units_qs),
               "catalogue": area.tenders.first() and area.tenders.first().catalogues.order_by("-version").first()}
    tenders = dict(area.contracts.filter(tender__isnull=False).order_by("start")
                   .values_list("provider_id", "tender__version"))
    form = forms.CampaignForm(request.POST or None, initial=initial, units_qs=units_qs, tenders=tenders)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.campaign_create(
                by=request.user, area=d["area"], year=d["year"], catalogue=d["catalogue"], opens_on=d["opens_on"],
                deadline=d["deadline"], units=d["units"], factcheck_weeks=d["factcheck_weeks"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Avtalsuppföljningen %(c)s är skapad. Granska enheterna och skicka enkäten.")
                             % {"c": campaign})
            return redirect(campaign)
    return render(request, "followups/campaign_form.html", {"form": form, "area": area},
                  status=400 if form.errors else 200)


@require("campaign.view")
def year_summary(request, year):
    """The yearly follow-up report's part on contract follow-ups (seed 000): one row per area."""
    campaigns = Campaign.objects.filter(year=year, sent_at__isnull=False).select_related("area", "catalogue")
    rows = [{"campaign": c, "summary": selectors.summary(c)} for c in campaigns]
    years = Campaign.objects.filter(sent_at__isnull=False).values_list("year", flat=True).distinct().order_by("-year")
    return render(request, "followups/year_summary.html", {"year": year, "rows": rows, "years": years})


@require("campaign.view")
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("area", "catalogue"), pk=pk)
    assessments = campaign.assessments.select_related("unit__provider", "action_plan").prefetch_related("reminders")
    return render(request, "followups/campaign_detail.html", {
        "campaign": campaign, "assessments": assessments, "progress": selectors.progress(campaign),
        "shares": selectors.share_met([a.pk for a in assessments]),
    })


@require("campaign.send")
@require_POST
def campaign_send(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        n = services.campaign_send(campaign=campaign, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Enkäten är skickad till %(n)s enheter.") % {"n": n})
    return redirect(campaign)


@require("campaign.send")
@require_POST
def campaign_remind(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    n = services.reminders_send(campaign=campaign)
    messages.success(request, _("%(n)s påminnelser skickade. Enheter som redan fått samma påminnelse får ingen ny.")
                     % {"n": n})
    return redirect(campaign)


@require("campaign.view")
def campaign_results(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("area", "catalogue"), pk=pk)
    # The body is the same for everyone who may see it: its HTML is kept per data version (datacache.py),
    # so a repeated view neither queries the results nor renders ~100 kB of tables (bench/web.py).
    body = datacache.cached("followups.results_html", lambda: render_to_string(
        "followups/_results_body.html", {"campaign": campaign, **selectors.results(campaign)}), parts=(campaign.pk,))
    return render(request, "followups/results.html", {"campaign": campaign, "body": body})


@require("campaign.view")
def campaign_export(request, pk, fmt):
    campaign = get_object_or_404(Campaign.objects.select_related("area", "catalogue"), pk=pk)
    name = slugify(f"avtalsuppfoljning-{campaign.area.name}-{campaign.year}")
    if fmt == "xlsx":
        log_event(user=request.user, action=Action.DOWNLOAD, obj=campaign, detail="Resultatmatris (xlsx)")
        return documents.xlsx_response(exports.results_xlsx(campaign), f"{name}.xlsx")
    if fmt == "pdf":
        log_event(user=request.user, action=Action.DOWNLOAD, obj=campaign, detail="Resultatmatris (pdf)")
        return documents.pdf_response(exports.results_pdf(campaign), f"{name}.pdf")
    raise Http404


# --- Officer: one assessment ------------------------------------------------------------------

# One key per colour on the assessment page (assessment.js), shown next to each choice.
RATING_KEYS = {"green": "1", "yellow": "2", "red": "3", "na": "0"}
FILTERS = {"alla": None, "ej-bedomda": "", "gula": Rating.YELLOW, "roda": Rating.RED}


def _filter_groups(groups, shown):
    """Issue 11 item 8: all, unrated, yellow or red requirements (figures show only under "all")."""
    wanted = FILTERS.get(shown)
    if wanted is None:
        return groups
    result = []
    for area, answers in groups:
        kept = [a for a in answers if a.requirement.is_rated and a.rating == wanted]
        if kept:
            result.append((area, kept))
    return result


def _assessment_context(request, assessment, **extra):
    groups = selectors.answers_by_area(assessment)
    previous = selectors.previous_results(assessment)
    for _area, answers in groups:
        for answer in answers:
            answer.previous = previous.get(answer.requirement.key)
    rated = [a for _area, answers in groups for a in answers if a.requirement.is_rated]
    shown = request.GET.get("visa", "alla")
    shown = shown if shown in FILTERS else "alla"
    filters = [("alla", _("Alla"), sum(len(answers) for _area, answers in groups)),
               ("ej-bedomda", _("Ej bedömda"), sum(1 for a in rated if not a.rating)),
               ("gula", _("Gula"), sum(1 for a in rated if a.rating == Rating.YELLOW)),
               ("roda", _("Röda"), sum(1 for a in rated if a.rating == Rating.RED))]
    return {
        "assessment": assessment, "campaign": assessment.campaign, "groups": _filter_groups(groups, shown),
        "rating_areas": [area for area, _answers in groups if not area.reported_only],
        "filters": filters, "shown": shown,
        "factcheck_comments": [a for _area, answers in groups for a in answers if a.factcheck_comment],
        "remarks": selectors.carried_remarks(assessment),
        "area_ratings": {ar.area_id: ar for ar in assessment.area_ratings.select_related("area")},
        "ratings": Rating.choices, "override_choices": AreaRating.Value.choices,
        "rating_keys": [(v, label, RATING_KEYS[v]) for v, label in Rating.choices],
        "history": RatingChange.objects.filter(answer__assessment=assessment).select_related(
            "answer__requirement", "by")[:200],
        "interview_form": extra.pop("interview_form", None) or forms.InterviewForm(initial={
            "interview_on": assessment.interview_on, "interview_with": assessment.interview_with,
            "interview_notes": assessment.interview_notes, "summary": assessment.summary}),
        "locked": assessment.is_final, "can_rate": assessment.status in services.RATING_OPEN,
        "can_complete": assessment.status in (Status.SUBMITTED, Status.ASSESSED),
        "factcheck_overdue": bool(assessment.factcheck_due and assessment.factcheck_due < timezone.localdate()),
        **extra,
    }


def _card_response(request, answer, *, error=None, posted=None):
    """The requirement's card (and, out of band, the area ratings) after an HTMX save. A refused
    save shows what was chosen and typed again, with the error, so nothing has to be redone."""
    assessment = answer.assessment
    assessment.refresh_from_db()
    context = _assessment_context(request, assessment)
    answer = next(a for _area, answers in selectors.answers_by_area(assessment) for a in answers if a.pk == answer.pk)
    answer.previous = selectors.previous_results(assessment).get(answer.requirement.key)
    if error and posted:
        answer.form_rating, answer.form_comment = posted.get("rating", ""), posted.get("comment", "")
    return render(request, "followups/_answer_rate_response.html",
                  {**context, "answer": answer, "saved": not error, "error": error, "oob": True})


@require("campaign.view")
def assessment_detail(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    return render(request, "followups/assessment.html", _assessment_context(request, assessment))


@require("assessment.rate")
@require_POST
def assessment_ratings(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    values = {}
    for answer in assessment.answers.all():
        prefix = f"a-{answer.pk}-"
        if prefix + "rating" in request.POST:
            values[answer.pk] = {"rating": request.POST.get(prefix + "rating", ""),
                                 "comment": request.POST.get(prefix + "comment", "")}
            if prefix + "response" in request.POST:
                values[answer.pk]["response"] = request.POST.get(prefix + "response", "")
    try:
        services.ratings_save(assessment=assessment, by=request.user, values=values)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Bedömningarna är sparade."))
    return redirect(assessment.get_absolute_url() + "#bedomning")


@require("assessment.rate")
@require_POST
def answer_rate(request, pk):
    """Save one requirement's judgement. With HTMX the block and the area ratings are swapped in
    place; without JavaScript the button's formaction posts here and we redirect back."""
    answer = selectors.answer_get(user=request.user, pk=pk)
    assessment = answer.assessment
    prefix = f"a-{answer.pk}-"
    values = {answer.pk: {"rating": request.POST.get(prefix + "rating", ""),
                          "comment": request.POST.get(prefix + "comment", "")}}
    if prefix + "response" in request.POST:
        values[answer.pk]["response"] = request.POST.get(prefix + "response", "")
    error = None
    try:
        services.ratings_save(assessment=assessment, by=request.user, values=values)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Bedömningen av ”%(r)s” är sparad.") % {"r": answer.requirement.title})
        return redirect(assessment.get_absolute_url() + f"#svar-{answer.pk}")
    return _card_response(request, answer, error=error, posted=values[answer.pk])


@require("assessment.rate")
@require_POST
def sample_save_view(request, pk):
    """The officer's sample audit for one requirement (n checked, n meeting each criterion)."""
    answer = selectors.answer_get(user=request.user, pk=pk)
    met = {c: request.POST.get(f"met-{i}", "") for i, c in enumerate(answer.requirement.row_list)}
    error = None
    try:
        services.sample_save(answer=answer, by=request.user, checked=request.POST.get("checked", ""), met=met)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Stickprovet för ”%(r)s” är sparat.") % {"r": answer.requirement.title})
        return redirect(answer.assessment.get_absolute_url() + f"#svar-{answer.pk}")
    return _card_response(request, answer, error=error)


@require("assessment.rate")
@require_POST
def assessment_interview(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = forms.InterviewForm(request.POST)
    if form.is_valid():
        try:
            services.interview_save(assessment=assessment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Intervjun är sparad."))
            return redirect(assessment.get_absolute_url() + "#intervju")
    return render(request, "followups/assessment.html",
                  _assessment_context(request, assessment, interview_form=form), status=400)


@require("assessment.rate")
@require_POST
def area_override_view(request, pk):
    area_rating = get_visible(AreaRating.objects.select_related("assessment"), request.user, pk=pk)
    form = forms.OverrideForm(request.POST, prefix=f"o{pk}")
    if form.is_valid():
        try:
            services.area_override(area_rating=area_rating, by=request.user, value=form.cleaned_data["value"],
                                   reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Värderingen för %(a)s är sparad.") % {"a": area_rating.area})
    else:
        messages.error(request, _("Ogiltig värdering."))
    return redirect(area_rating.assessment.get_absolute_url() + "#vardering")


@require("assessment.rate")
@require_POST
def completion_request_view(request, pk):
    answer = selectors.answer_get(user=request.user, pk=pk)
    try:
        services.completion_request(answer=answer, by=request.user, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Komplettering är begärd."))
    return redirect(answer.assessment.get_absolute_url() + f"#svar-{answer.pk}")


@require("assessment.rate")
@require_POST
def assessment_factcheck(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    try:
        services.factcheck_send(assessment=assessment, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Utkastet är skickat till utföraren för sakgranskning."))
    return redirect(assessment)


@require("assessment.finalise")
@require_POST
def assessment_finalise(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    try:
        assessment = services.assessment_finalise(assessment=assessment, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if assessment.action_plan:
            messages.success(request, _("Bedömningen är slutförd. Avvikelser är registrerade och en åtgärdsplan "
                                        "är begärd."))
        else:
            messages.success(request, _("Bedömningen är slutförd."))
    return redirect(assessment)


# --- Provider portal --------------------------------------------------------------------------

@require("followup.answers.view")
def portal(request):
    return render(request, "followups/portal_list.html",
                  {"assessments": selectors.portal_assessments(user=request.user)})


def _answer_values(request, assessment) -> dict:
    values = {}
    for answer in assessment.answers.select_related("requirement"):
        prefix = f"a-{answer.pk}-"
        rows = {row: request.POST[f"{prefix}row-{i}"] for i, row in enumerate(answer.requirement.row_list)
                if f"{prefix}row-{i}" in request.POST}
        if prefix + "yes_no" in request.POST or prefix + "text" in request.POST:
            yes_no = {"ja": True, "nej": False}.get(request.POST.get(prefix + "yes_no", ""))
            values[answer.pk] = {"yes_no": yes_no, "text": request.POST.get(prefix + "text", "")}
        if prefix + "number" in request.POST:
            values.setdefault(answer.pk, {})["number"] = request.POST[prefix + "number"]
        if rows:
            values.setdefault(answer.pk, {})["rows"] = rows
    return values


@require("followup.answers.view")
def portal_assessment(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    if assessment.status == Status.CREATED:
        raise Http404
    if request.method == "POST" and not can(request.user, "followup.answer", assessment):
        raise PermissionDenied
    posted = None
    if request.method == "POST":
        submit = "submit" in request.POST
        values = _answer_values(request, assessment)
        uploads = {a.pk: request.FILES.getlist(f"a-{a.pk}-file") for a in assessment.answers.all()}
        try:
            services.portal_save(assessment=assessment, by=request.user, values=values, uploads=uploads,
                                 submit=submit)
        except ValidationError as exc:
            _error(request, exc)
            posted = values  # shown again so nothing typed is lost; nothing of it is saved
        else:
            messages.success(request, _("Enkäten är inskickad. Tack!") if submit else _("Svaren är sparade."))
            return redirect(assessment.get_portal_url())
    else:
        assessment = services.assessment_open(assessment=assessment, by=request.user)
    answering = assessment.status in services.ANSWERING
    groups = selectors.answers_by_area(assessment)
    if posted:
        for _area, answers in groups:
            for answer in answers:
                if answer.pk in posted:
                    new = posted[answer.pk]
                    answer.yes_no, answer.text = new.get("yes_no", answer.yes_no), new.get("text", answer.text)
                    answer.number = new.get("number", answer.number)
                    answer.figures = {**answer.figures, **new.get("rows", {})}
    total = sum(len(answers) for _area, answers in groups)
    answered = sum(1 for _area, answers in groups for a in answers if services.is_answered(a))
    show_ratings = assessment.reached(Status.FACTCHECK)
    return render(request, "followups/portal_assessment.html", {
        "assessment": assessment, "campaign": assessment.campaign, "groups": groups, "answering": answering,
        "total": total, "answered": answered, "show_ratings": show_ratings,
        "area_ratings": {ar.area_id: ar for ar in assessment.area_ratings.all()} if show_ratings else {},
        "in_factcheck": assessment.status == Status.FACTCHECK,
        "allowed_types": ", ".join(sorted(services.ALLOWED_UPLOADS)),
        "max_mb": services.MAX_UPLOAD_BYTES // (1024 * 1024),
    }, status=400 if request.method == "POST" else 200)


@require("followup.factcheck")
@require_POST
def portal_factcheck(request, pk):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    comments = {a.pk: request.POST.get(f"a-{a.pk}-factcheck", "") for a in assessment.answers.all()
                if f"a-{a.pk}-factcheck" in request.POST}
    done = "done" in request.POST
    try:
        services.factcheck_save(assessment=assessment, by=request.user, comments=comments, done=done)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Sakgranskningen är lämnad till förvaltningen.") if done
                         else _("Kommentarerna är sparade."))
    return redirect(assessment.get_portal_url())


@require("followup.answer")
@require_POST
def portal_completion(request, pk):
    answer = selectors.answer_get(user=request.user, pk=pk)
    try:
        services.completion_reply(answer=answer, by=request.user, text=request.POST.get("text", ""))
        for upload in request.FILES.getlist("file"):
            services.document_upload(answer=answer, by=request.user, upload=upload)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Kompletteringen är skickad."))
    return redirect(answer.assessment.get_portal_url() + f"#svar-{answer.pk}")


@require("followup.answers.view")
def document_download(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_event(user=request.user, action=Action.DOWNLOAD, obj=document, ip=client_ip(request))
    response = FileResponse(handle, content_type=services.content_type(document))
    response["Content-Disposition"] = documents.content_disposition(document.name)
    return response


@require("followup.answer")
@require_POST
def document_delete_view(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    assessment = document.answer.assessment
    try:
        services.document_delete(document=document, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Dokumentet ”%(d)s” är borttaget.") % {"d": document.name})
    return redirect(assessment.get_portal_url())
