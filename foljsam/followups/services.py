"""The rules of the contract follow-up. Every write goes through these functions."""

import mimetypes
import uuid
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.accounts import policy
from foljsam.accounts.services import NOT_OFFICER
from foljsam.actions import services as actions
from foljsam.actions.models import Severity, Source
from foljsam.audit.log import Action, log_event
from foljsam.catalogue.models import AnswerType, rated_q
from foljsam.registry.models import Procurement

from . import notify
from .models import (
    Answer,
    AreaRating,
    Assessment,
    Campaign,
    Document,
    Rating,
    RatingChange,
    Reminder,
    Status,
)

NOT_YOURS = _("Bedömningen hör inte till din organisation.")
NO_UNITS = _("Välj minst en enhet.")
WRONG_AREA_UNIT = _("Enheten %(unit)s hör inte till verksamhetsområdet.")
WRONG_CATALOGUE = _("Kravkatalogen hör till ett förfrågningsunderlag för ett annat område.")
LOU_NOT_THIS_YEAR = _("Ramavtalet för %(area)s följs upp år %(year)s enligt uppföljningsplanen.")
LOU_NO_YEAR = _("Ramavtalet för %(area)s har inget uppföljningsår i registret.")
ALREADY_SENT = _("Uppföljningen är redan skickad.")
CAMPAIGN_EXISTS = _("Det finns redan en avtalsuppföljning för %(area)s år %(year)s. Öppna den i stället för att "
                    "skapa en ny, så att enheterna inte får samma enkät två gånger.")
EMPTY_CATALOGUE = _("Kravkatalogen har inga krav.")
CLOSED_FOR_ANSWERS = _("Enkäten är inskickad och kan inte längre ändras.")
NOT_OPEN_YET = _("Enkäten är inte skickad än.")
INCOMPLETE = _("%(n)s frågor är obesvarade. Besvara alla frågor innan ni skickar in.")
LOCKED = _("Bedömningen är slutförd och låst; inget kan ändras.")
NOT_SUBMITTED = _("Utföraren har inte skickat in enkäten än.")
BAD_RATING = _("Okänd bedömning: %(value)s.")
COMMENT_REQUIRED = _("Skriv en kommentar till gula och röda bedömningar (%(req)s).")
REASON_REQUIRED = _("Ange skälet till att värderingen ändras.")
TEXT_REQUIRED = _("Skriv en text.")
NO_COMPLETION = _("Ingen komplettering är begärd för frågan.")
NOT_COMPLETE_RATINGS = _("Alla krav måste bedömas innan utkastet skickas för sakgranskning (%(n)s kvar).")
NOT_IN_FACTCHECK = _("Bedömningen är inte hos utföraren för sakgranskning.")
WRONG_STATE = _("Det går inte att göra det här när bedömningen har status ”%(status)s”.")
FACTCHECK_PENDING = _("Utföraren har inte lämnat sakgranskningen och tidsfristen %(due)s har inte passerat.")
FILE_TOO_LARGE = _("Filen är för stor (högst %(mb)s MB).")
FILE_TYPE = _("Filtypen är inte tillåten. Tillåtna: %(types)s.")
FILE_CONTENT = _("Filens innehåll stämmer inte med filändelsen %(ext)s.")
FILE_EMPTY = _("Filen är tom.")
NOT_RATED = _("”%(req)s” redovisas som siffror och bedöms inte med trafikljus.")
BAD_NUMBER = _("”%(req)s”: ange ett tal som är noll eller större%(max)s, inte ”%(value)s”.")
NOT_SAMPLE = _("”%(req)s” är inget stickprov.")
SAMPLE_MORE_MET = _("”%(req)s”: fler uppfyller kriteriet ”%(criterion)s” (%(met)s) än som granskades (%(checked)s).")
UPLOAD_REFUSED = _("Inget är sparat: filen ”%(name)s” kunde inte tas emot. %(reason)s Rätta och skicka igen; "
                   "svaren och de andra filerna måste skickas med på nytt.")
UPLOAD_FAILED = _("Filen kunde inte sparas på servern.")
UNKNOWN_ANSWER = _("Frågan finns inte i den här enkäten.")

# Seed 001: many deviations start an in-depth follow-up; this many red requirements suggests one.
INDEPTH_RED_THRESHOLD = 5
REMIND_DAYS_BEFORE = 7
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Extension → the file's first bytes (None: text, checked by decoding).
ALLOWED_UPLOADS = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".odt": (b"PK\x03\x04",), ".ods": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",), ".xls": (b"\xd0\xcf\x11\xe0",),
    ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".txt": None,
}
ANSWERING = (Status.SENT, Status.OPENED)
RATING_OPEN = (Status.SUBMITTED, Status.ASSESSED, Status.FACTCHECK, Status.FACTCHECKED)


def _officer(by, capability="assessment.rate"):
    policy.ensure(by, capability, message=NOT_OFFICER)


def _own(assessment, by, capability="followup.answer"):
    """The provider's own users (a unit manager: their units) act on its assessments; officers may
    register on their behalf."""
    policy.ensure(by, capability, assessment, NOT_YOURS)


def _not_final(assessment):
    if assessment.status == Status.FINAL:
        raise ValidationError(LOCKED, code="locked")


def _state(assessment, allowed):
    _not_final(assessment)
    if assessment.status not in allowed:
        raise ValidationError(WRONG_STATE, code="wrong_state", params={"status": assessment.get_status_display()})


def _lock(assessment: Assessment) -> Assessment:
    """Re-read the assessment inside the transaction so two tabs cannot both pass a state check."""
    return Assessment.objects.select_for_update().select_related("campaign", "unit__provider").get(pk=assessment.pk)


# --- Campaigns --------------------------------------------------------------------------------

def check_lou_year(*, area, year: int) -> None:
    """Seed 001: LOU framework agreements are followed up in their scheduled year."""
    if area.procurement != Procurement.LOU:
        return
    if area.followup_year is None:
        raise ValidationError(LOU_NO_YEAR, code="lou_no_year", params={"area": area.name})
    if area.followup_year != year:
        raise ValidationError(LOU_NOT_THIS_YEAR, code="lou_not_this_year",
                              params={"area": area.name, "year": area.followup_year})


@transaction.atomic
def campaign_create(*, by, area, year: int, catalogue, opens_on, deadline, units, factcheck_weeks: int = 2) -> Campaign:
    _officer(by, "campaign.create")
    units = list(units)
    if not units:
        raise ValidationError(NO_UNITS, code="no_units")
    for unit in units:
        if unit.area_id != area.pk:
            raise ValidationError(WRONG_AREA_UNIT, code="wrong_area_unit", params={"unit": unit})
    if catalogue.tender_id and catalogue.tender.area_id != area.pk:
        raise ValidationError(WRONG_CATALOGUE, code="wrong_catalogue")
    check_lou_year(area=area, year=year)
    # One campaign per area and year (the form of contract follows from the area): a second one
    # would send the same survey to the same units again, e.g. when the form is posted twice.
    if Campaign.objects.filter(area=area, year=year).exists():
        raise ValidationError(CAMPAIGN_EXISTS, code="campaign_exists", params={"area": area.name, "year": year})
    campaign = Campaign(area=area, year=year, contract_form=area.procurement, catalogue=catalogue, opens_on=opens_on,
                        deadline=deadline, factcheck_weeks=factcheck_weeks, created_by=by)
    campaign.full_clean()
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:  # a simultaneous second post got there first
        raise ValidationError(CAMPAIGN_EXISTS, code="campaign_exists",
                              params={"area": area.name, "year": year}) from None
    for unit in units:
        Assessment.objects.create(campaign=campaign, unit=unit)
    return campaign


@transaction.atomic
def campaign_send(*, campaign: Campaign, by, notify_providers: bool = True) -> int:
    """Send the survey to every unit in one go: one answer row per requirement that applies to
    the unit's provider (external-only requirements are not asked of egen regi)."""
    _officer(by, "campaign.send")
    caller, campaign = campaign, Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.sent_at:
        raise ValidationError(ALREADY_SENT, code="already_sent")
    requirements = list(campaign.catalogue.requirements().prefetch_related("unit_types"))
    type_ids = {req.pk: [t.pk for t in req.unit_types.all()] for req in requirements}
    if not requirements:
        raise ValidationError(EMPTY_CATALOGUE, code="empty_catalogue")
    now = timezone.now()
    campaign.sent_at = caller.sent_at = now
    campaign.save()
    sent = 0
    for assessment in campaign.assessments.select_related("unit__provider"):
        for req in requirements:
            # Limited to other unit types or to the other ownership: not asked, not rated, not counted.
            if req.applies_to_unit(assessment.unit, type_ids[req.pk]):
                Answer.objects.create(assessment=assessment, requirement=req)
        assessment.status, assessment.sent_at = Status.SENT, now
        assessment.save()
        if notify_providers:
            notify.send(assessment, kind="sent", subject=_("Avtalsuppföljning %(c)s: enkät att besvara")
                        % {"c": campaign})
        sent += 1
    return sent


# --- The provider answers ---------------------------------------------------------------------

@transaction.atomic
def assessment_open(*, assessment: Assessment, by) -> Assessment:
    """The provider's first look: progress shows "öppnad". Officers looking do not count."""
    if policy.scope(by, "followup.answer") in policy.OWN and assessment.status == Status.SENT:
        assessment = _lock(assessment)
        if assessment.status == Status.SENT:
            assessment.status, assessment.opened_at = Status.OPENED, timezone.now()
            assessment.save()
    return assessment


def is_answered(answer: Answer) -> bool:
    kind = answer.requirement.answer_type
    if kind == AnswerType.YES_NO:
        return answer.yes_no is not None
    if kind in (AnswerType.NUMBER, AnswerType.SHARE):
        return answer.number is not None
    if kind == AnswerType.COUNT_TABLE:
        return all(answer.figures.get(row) is not None for row in answer.requirement.row_list)
    if kind == AnswerType.SAMPLE:
        return True  # the officer's sample audit: nothing for the provider to answer
    return bool(answer.text.strip())


def asked_of_provider(requirement) -> bool:
    return requirement.answer_type != AnswerType.SAMPLE


def parse_number(raw, *, requirement, maximum=None):
    """'' → None; a Swedish decimal comma is accepted; negative, too large or not a number is refused."""
    from decimal import Decimal, InvalidOperation

    text = str(raw if raw is not None else "").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (maximum is not None and value > maximum) \
            or value >= Decimal("1e10"):
        raise ValidationError(BAD_NUMBER, code="bad_number", params={
            "req": requirement.title, "value": raw, "max": f" och högst {maximum}" if maximum is not None else ""})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def answers_save(*, assessment: Assessment, by, values: dict, submit: bool = False) -> Assessment:
    """Save a draft (any sitting) or submit. `values`: {answer_pk: {"yes_no": bool|None, "text": str,
    "number": str (number, share), "rows": {row: str} (count table)}}."""
    assessment = _lock(assessment)
    _own(assessment, by)
    _not_final(assessment)
    if assessment.status == Status.CREATED:
        raise ValidationError(NOT_OPEN_YET, code="not_open_yet")
    if assessment.status not in ANSWERING:
        raise ValidationError(CLOSED_FOR_ANSWERS, code="closed_for_answers")
    now = timezone.now()
    answers = list(assessment.answers.select_related("requirement"))
    for answer in answers:
        if answer.pk not in values:
            continue
        new, req = values[answer.pk], answer.requirement
        if req.answer_type == AnswerType.SAMPLE:
            continue
        yes_no, text = new.get("yes_no", answer.yes_no), (new.get("text") or "").strip()
        number, figures = answer.number, answer.figures
        if req.answer_type in (AnswerType.NUMBER, AnswerType.SHARE) and "number" in new:
            number = parse_number(new["number"], requirement=req,
                                  maximum=100 if req.answer_type == AnswerType.SHARE else None)
        if req.answer_type == AnswerType.COUNT_TABLE and "rows" in new:
            figures = {}
            for row in req.row_list:
                value = parse_number(new["rows"].get(row), requirement=req)
                figures[row] = None if value is None else float(value)
        if (yes_no, text, number, figures) != (answer.yes_no, answer.text, answer.number, answer.figures):
            answer.yes_no, answer.text, answer.number, answer.figures = yes_no, text, number, figures
            answer.answered_at = now
            answer.save()
    if submit:
        missing = sum(1 for a in answers if not is_answered(a))
        if missing:
            raise ValidationError(INCOMPLETE, code="incomplete", params={"n": missing})
        assessment.status, assessment.submitted_at = Status.SUBMITTED, now
    elif assessment.status == Status.SENT:
        assessment.status, assessment.opened_at = Status.OPENED, assessment.opened_at or now
    assessment.save()
    return assessment


def _check_upload(upload) -> str:
    ext = Path(upload.name).suffix.lower()
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError(FILE_TYPE, code="file_type", params={"types": ", ".join(sorted(ALLOWED_UPLOADS))})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(FILE_TOO_LARGE, code="file_too_large", params={"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(FILE_EMPTY, code="file_empty")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    magics = ALLOWED_UPLOADS[ext]
    if magics is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A cut in the middle of a multi-byte character is fine; binary content is not.
            if b"\x00" in head:
                raise ValidationError(FILE_CONTENT, code="file_content", params={"ext": ext}) from None
    elif not any(head.startswith(m) for m in magics):
        raise ValidationError(FILE_CONTENT, code="file_content", params={"ext": ext})
    return ext


@transaction.atomic
def document_upload(*, answer: Answer, by, upload) -> Document:
    """Size and type are checked; the file is stored under the data directory with a random name
    and served only through the access layer (never from a public URL)."""
    assessment = _lock(answer.assessment)
    _own(assessment, by)
    _not_final(assessment)
    if assessment.status not in ANSWERING and not answer.completion_open:
        raise ValidationError(CLOSED_FOR_ANSWERS, code="closed_for_answers")
    ext = _check_upload(upload)
    original = Path(upload.name).name[:200]
    upload.name = f"{uuid.uuid4().hex}{ext}"
    document = Document(answer=answer, file=upload, name=original, size=upload.size, uploaded_by=by)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    assessment = _lock(document.answer.assessment)
    _own(assessment, by)
    _not_final(assessment)
    if assessment.status not in ANSWERING and not document.answer.completion_open:
        raise ValidationError(CLOSED_FOR_ANSWERS, code="closed_for_answers")
    document.file.delete(save=False)
    document.delete()


def portal_save(*, assessment: Assessment, by, values: dict, uploads: dict | None = None,
                submit: bool = False) -> Assessment:
    """What the portal's survey form sends, all or nothing: the answers, every uploaded file
    (`uploads`: {answer_pk: [files]}) and, with `submit`, the submission. If any part is refused
    nothing is kept – no answer text, no Document row, no stored file – and one ValidationError
    names the refused file."""
    uploads = {pk: list(files) for pk, files in (uploads or {}).items() if files}
    stored: list = []
    try:
        with transaction.atomic():
            assessment = answers_save(assessment=assessment, by=by, values=values, submit=False)
            answers = {a.pk: a for a in assessment.answers.select_related("assessment")}
            for answer_pk, files in uploads.items():
                if answer_pk not in answers:
                    raise ValidationError(UNKNOWN_ANSWER, code="unknown_answer")
                for upload in files:
                    name = Path(upload.name).name[:200]
                    try:
                        document = document_upload(answer=answers[answer_pk], by=by, upload=upload)
                    except ValidationError as exc:
                        raise ValidationError(UPLOAD_REFUSED, code="upload_refused",
                                              params={"name": name, "reason": " ".join(exc.messages)}) from exc
                    except OSError as exc:
                        raise ValidationError(UPLOAD_REFUSED, code="upload_refused",
                                              params={"name": name, "reason": UPLOAD_FAILED}) from exc
                    stored.append(document.file)
            if submit:
                assessment = answers_save(assessment=assessment, by=by, values={}, submit=True)
    except BaseException:
        # The rows are rolled back; the files already written to storage must go as well.
        for file in stored:
            file.storage.delete(file.name)
        raise
    return assessment


def content_type(document: Document) -> str:
    return mimetypes.guess_type(document.name)[0] or "application/octet-stream"


# --- Completion requests (komplettering) -------------------------------------------------------

@transaction.atomic
def completion_request(*, answer: Answer, by, text: str) -> Answer:
    _officer(by)
    assessment = _lock(answer.assessment)
    _state(assessment, (Status.SUBMITTED, Status.ASSESSED))
    if not text.strip():
        raise ValidationError(TEXT_REQUIRED, code="text_required")
    answer.completion_request, answer.completion_requested_at = text.strip(), timezone.now()
    answer.completion_reply, answer.completion_replied_at = "", None
    answer.save()
    notify.send(assessment, kind="completion", subject=_("Avtalsuppföljning %(c)s: komplettering begärs")
                % {"c": assessment.campaign}, extra={"answer": answer})
    return answer


@transaction.atomic
def completion_reply(*, answer: Answer, by, text: str) -> Answer:
    assessment = _lock(answer.assessment)
    _own(assessment, by)
    _not_final(assessment)
    if not answer.completion_open:
        raise ValidationError(NO_COMPLETION, code="no_completion")
    if not text.strip():
        raise ValidationError(TEXT_REQUIRED, code="text_required")
    answer.completion_reply, answer.completion_replied_at = text.strip(), timezone.now()
    answer.save()
    return answer


# --- The officer's assessment -----------------------------------------------------------------

@transaction.atomic
def interview_save(*, assessment: Assessment, by, interview_on=None, interview_with: str = "",
                   interview_notes: str = "", summary: str = "") -> Assessment:
    _officer(by)
    assessment = _lock(assessment)
    _state(assessment, RATING_OPEN)
    assessment.interview_on, assessment.interview_with = interview_on, interview_with.strip()
    assessment.interview_notes, assessment.summary = interview_notes.strip(), summary.strip()
    assessment.save()
    return assessment


def area_rule(ratings) -> int | None:
    """Seed 002: any red → 3, any yellow → 2, else 1. None while a requirement is unrated or
    when nothing in the area applies (all "not applicable")."""
    ratings = list(ratings)
    if any(r == "" for r in ratings):
        return None
    counted = [r for r in ratings if r != Rating.NA]
    if not counted:
        return None
    if Rating.RED in counted:
        return 3
    if Rating.YELLOW in counted:
        return 2
    return 1


def area_ratings_recompute(assessment: Assessment) -> list[AreaRating]:
    by_area: dict[int, list[str]] = {}
    for area_id, rating in assessment.answers.filter(rated_q("requirement__")).values_list(
            "requirement__area_id", "rating"):
        by_area.setdefault(area_id, []).append(rating)
    existing = {ar.area_id: ar for ar in assessment.area_ratings.select_related("area")}
    result = []
    for area_id, ratings in by_area.items():
        value = area_rule(ratings)
        ar = existing.get(area_id)
        if ar is None:
            ar = AreaRating.objects.create(assessment=assessment, area_id=area_id, rule_value=value)
        elif ar.rule_value != value:
            ar.rule_value = value
            ar.save()
        result.append(ar)
    return result


def unrated(assessment: Assessment):
    """Answers still waiting for a traffic light; figures and reported-only areas never do."""
    return assessment.answers.filter(rated_q("requirement__"), rating="")


@transaction.atomic
def sample_save(*, answer: Answer, by, checked, met: dict) -> Answer:
    """The officer's sample audit (seed 002: implementation plans): n items checked and, per
    criterion, how many met it. `met`: {criterion: count}."""
    _officer(by)
    assessment = _lock(answer.assessment)
    _state(assessment, RATING_OPEN)
    req = answer.requirement
    if req.answer_type != AnswerType.SAMPLE:
        raise ValidationError(NOT_SAMPLE, code="not_sample", params={"req": req})
    n = parse_number(checked, requirement=req)
    figures = {"checked": None if n is None else int(n), "met": {}}
    for criterion in req.row_list:
        m = parse_number(met.get(criterion), requirement=req)
        if m is not None and n is not None and m > n:
            raise ValidationError(SAMPLE_MORE_MET, code="more_met", params={
                "req": req.title, "criterion": criterion, "met": int(m), "checked": int(n)})
        figures["met"][criterion] = None if m is None else int(m)
    answer.figures, answer.answered_at = figures, timezone.now()
    answer.save()
    return answer


@transaction.atomic
def ratings_save(*, assessment: Assessment, by, values: dict) -> Assessment:
    """`values`: {answer_pk: {"rating": str, "comment": str, "response": str (fact-check answer)}}.
    Every change of a rating is kept as a RatingChange (who, when, old → new)."""
    _officer(by)
    assessment = _lock(assessment)
    _not_final(assessment)
    if assessment.status in (Status.CREATED, *ANSWERING):
        raise ValidationError(NOT_SUBMITTED, code="not_submitted")
    for answer in assessment.answers.select_related("requirement__area"):
        if answer.pk not in values:
            continue
        new = values[answer.pk]
        if not answer.requirement.is_rated:
            if new.get("rating"):
                raise ValidationError(NOT_RATED, code="not_rated", params={"req": answer.requirement})
            continue
        rating = new.get("rating", answer.rating) or ""
        comment = (new.get("comment", answer.rating_comment) or "").strip()
        response = (new.get("response", answer.factcheck_response) or "").strip()
        if rating not in Rating.values and rating != "":
            raise ValidationError(BAD_RATING, code="bad_rating", params={"value": rating})
        if rating in (Rating.YELLOW, Rating.RED) and not comment:
            raise ValidationError(COMMENT_REQUIRED, code="comment_required", params={"req": answer.requirement})
        if rating != answer.rating:
            RatingChange.objects.create(answer=answer, old_rating=answer.rating, new_rating=rating,
                                        comment=comment, by=by)
        if (rating, comment, response) != (answer.rating, answer.rating_comment, answer.factcheck_response):
            answer.rating, answer.rating_comment, answer.factcheck_response = rating, comment, response
            answer.save()
    area_ratings_recompute(assessment)
    if assessment.status == Status.SUBMITTED and not unrated(assessment).exists():
        assessment.status = Status.ASSESSED
        assessment.save()
    return assessment


@transaction.atomic
def area_override(*, area_rating: AreaRating, by, value: int | None, reason: str = "") -> AreaRating:
    """The officer may set another rating than the rule's, with a reason; None returns to the rule."""
    _officer(by)
    _state(_lock(area_rating.assessment), RATING_OPEN)
    if value is not None and value not in (1, 2, 3):
        raise ValidationError(BAD_RATING, code="bad_rating", params={"value": value})
    if value is not None and not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    area_rating.override = value
    area_rating.override_reason = reason.strip() if value is not None else ""
    area_rating.save()
    return area_rating


# --- Fact-check (sakgranskning) ---------------------------------------------------------------

@transaction.atomic
def factcheck_send(*, assessment: Assessment, by) -> Assessment:
    _officer(by)
    assessment = _lock(assessment)
    _state(assessment, (Status.SUBMITTED, Status.ASSESSED))
    left = unrated(assessment).count()
    if left:
        raise ValidationError(NOT_COMPLETE_RATINGS, code="not_complete_ratings", params={"n": left})
    area_ratings_recompute(assessment)
    assessment.status, assessment.factcheck_sent_at = Status.FACTCHECK, timezone.now()
    assessment.factcheck_due = timezone.localdate() + timedelta(weeks=assessment.campaign.factcheck_weeks)
    assessment.save()
    notify.send(assessment, kind="factcheck", subject=_("Avtalsuppföljning %(c)s: utkast för sakgranskning")
                % {"c": assessment.campaign})
    return assessment


@transaction.atomic
def factcheck_save(*, assessment: Assessment, by, comments: dict, done: bool = False) -> Assessment:
    """The provider comments per judgement; `done` hands the fact-check back to the officer."""
    assessment = _lock(assessment)
    _own(assessment, by, "followup.factcheck")
    _not_final(assessment)
    if assessment.status != Status.FACTCHECK:
        raise ValidationError(NOT_IN_FACTCHECK, code="not_in_factcheck")
    for answer in assessment.answers.all():
        if answer.pk in comments and (comments[answer.pk] or "").strip() != answer.factcheck_comment:
            answer.factcheck_comment = (comments[answer.pk] or "").strip()
            answer.save()
    if done:
        assessment.status, assessment.factchecked_at = Status.FACTCHECKED, timezone.now()
        assessment.save()
    return assessment


# --- Finalise ---------------------------------------------------------------------------------

def plan_note(*, assessment: Assessment, areas) -> str:
    names = ", ".join(a.name for a in areas)
    catalogue = assessment.campaign.catalogue
    return str(_(
        "Enheten har fått värderingen %(value)s eller sämre inom: %(areas)s. Lämna en åtgärdsplan som beskriver "
        "hur bristerna rättas till. Planen ska godkännas av förvaltningen och avvikelserna ska vara åtgärdade "
        "inom %(weeks)s veckor efter godkännandet."
    ) % {"areas": names, "value": catalogue.plan_from, "weeks": catalogue.plan_fix_weeks})


def counted_ratings(catalogue) -> tuple[str, ...]:
    """The requirement results the catalogue counts as deviations (seed 002: yellow and red)."""
    return (Rating.RED,) if catalogue.deviation_ratings == "red" else (Rating.YELLOW, Rating.RED)


def consequence(catalogue, value: int | None) -> str:
    """What an area rating leads to under the catalogue's settings: "plan" (action plan and
    dialogue), "dialogue" (dialogue meeting, followed up at the next follow-up) or ""."""
    if not value:
        return ""
    if value >= catalogue.plan_from:
        return "plan"
    if value >= catalogue.dialogue_from:
        return "dialogue"
    return ""


def _area_deviation(*, assessment: Assessment, area_rating: AreaRating, severity: str, by, today):
    """An area rated 2 or 3 that holds no requirement judged as badly still gets its finding,
    described by the officer's reason for the rating."""
    unit = assessment.unit
    return actions.deviation_create(
        provider=unit.provider, unit=unit, by=by, source=Source.CONTRACT_FOLLOWUP,
        requirement=area_rating.area.name[:300], severity=severity,
        text=area_rating.override_reason or str(area_rating.get_override_display() or area_rating.area.name),
        source_ref=f"followup:{assessment.pk}:area:{area_rating.area_id}", found_on=today,
    )


@transaction.atomic
def assessment_finalise(*, assessment: Assessment, by, today=None) -> Assessment:
    """Lock the assessment. The requirement results the catalogue counts as deviations
    (`deviation_ratings`; seed 002: yellow and red) become deviations (red: deviation, yellow: note).
    An area rated 3 without a red requirement (or 2 without a yellow or red one) – possible by
    override – becomes a deviation (note) of its own, with the override's reason as text. A unit
    with any area rated at or above the catalogue's `plan_from` gets ONE action plan for the
    deviations of those areas, to be handed in within `plan_submit_weeks`."""
    _officer(by, "assessment.finalise")
    today = today or timezone.localdate()
    assessment = _lock(assessment)
    _state(assessment, (Status.FACTCHECK, Status.FACTCHECKED))
    if assessment.status == Status.FACTCHECK and assessment.factcheck_due and assessment.factcheck_due >= today:
        raise ValidationError(FACTCHECK_PENDING, code="factcheck_pending",
                              params={"due": assessment.factcheck_due.isoformat()})
    # Ratings stay open during the fact-check; one taken back to "unrated" must be judged again.
    left = unrated(assessment).count()
    if left:
        raise ValidationError(NOT_COMPLETE_RATINGS, code="not_complete_ratings", params={"n": left})
    area_ratings = {ar.area_id: ar for ar in area_ratings_recompute(assessment)}
    unit, campaign = assessment.unit, assessment.campaign
    catalogue = campaign.catalogue
    deviations_by_area: dict[int, list] = {}
    for answer in assessment.answers.select_related("requirement__area").filter(
        rated_q("requirement__"), rating__in=counted_ratings(catalogue)
    ):
        req = answer.requirement
        deviation = actions.deviation_create(
            provider=unit.provider, unit=unit, by=by, source=Source.CONTRACT_FOLLOWUP,
            requirement=f"{req.area.name}: {req.title}"[:300],
            severity=Severity.DEVIATION if answer.rating == Rating.RED else Severity.NOTE,
            text=answer.rating_comment or req.text or req.question,
            source_ref=f"followup:{assessment.pk}:{req.pk}", found_on=today,
        )
        deviations_by_area.setdefault(req.area_id, []).append(deviation)
    covered, plan_areas = [], []
    for ar in area_ratings.values():
        found = deviations_by_area.get(ar.area_id, [])
        if consequence(catalogue, ar.value) == "plan":
            plan_areas.append(ar.area)
            worst = [d for d in found if d.severity == Severity.DEVIATION] if ar.value == 3 else found
            covered += worst or [_area_deviation(
                assessment=assessment, area_rating=ar, by=by, today=today,
                severity=Severity.DEVIATION if ar.value == 3 else Severity.NOTE)]
        elif ar.value and ar.value >= 2 and not found:
            _area_deviation(assessment=assessment, area_rating=ar, by=by, today=today,
                            severity=Severity.DEVIATION if ar.value == 3 else Severity.NOTE)
    if covered:
        title = str(_("Avtalsuppföljning %(year)s – %(unit)s") % {"year": campaign.year, "unit": unit.name})
        assessment.action_plan = actions.action_plan_request(
            deviations=covered, by=by, submit_within_weeks=catalogue.plan_submit_weeks, title=title[:200],
            request_note=plan_note(assessment=assessment, areas=plan_areas),
        )
    assessment.status, assessment.finalised_at, assessment.finalised_by = Status.FINAL, timezone.now(), by
    assessment.save()
    notify.send(assessment, kind="final", subject=_("Avtalsuppföljning %(c)s: resultat") % {"c": campaign})
    return assessment


# --- Reminders --------------------------------------------------------------------------------

@transaction.atomic
def reminders_send(*, today=None, campaign: Campaign | None = None) -> int:
    """Remind units that have not submitted: once when the deadline is near, once when it has
    passed. The (assessment, kind) constraint makes repeated runs send nothing new."""
    today = today or timezone.localdate()
    qs = Assessment.objects.filter(status__in=ANSWERING, campaign__sent_at__isnull=False).select_related(
        "campaign", "unit__provider"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    sent = 0
    for assessment in qs:
        deadline = assessment.campaign.deadline
        if deadline < today:
            kind = Reminder.Kind.PASSED
            subject = _("Påminnelse: sista svarsdag för avtalsuppföljningen %(c)s har passerat")
        elif (deadline - today).days <= REMIND_DAYS_BEFORE:
            kind = Reminder.Kind.APPROACHING
            subject = _("Påminnelse: avtalsuppföljningen %(c)s ska besvaras senast %(d)s")
        else:
            continue
        if Reminder.objects.filter(assessment=assessment, kind=kind).exists():
            continue
        # The record reserves the (assessment, kind); the mail goes out after the commit, and the
        # record then says how many got it – or is removed if sending failed, so the next run retries.
        reminder = Reminder.objects.create(assessment=assessment, kind=kind, recipients=0)
        notify.send(assessment, kind=f"reminder_{kind}",
                    subject=subject % {"c": assessment.campaign, "d": deadline.isoformat()},
                    on_result=("foljsam.followups.services._reminder_result", {"reminder_pk": reminder.pk}))
        sent += 1
    return sent


def _reminder_result(*, reminder_pk: int, reached: int) -> None:
    """After the reminder's mail was tried (outside the transaction that reserved it)."""
    reminder = Reminder.objects.filter(pk=reminder_pk).first()
    if reminder is None:
        return
    if reached:
        reminder.recipients = reached
        reminder.save()
        log_event(user=None, action=Action.REMINDER, obj=reminder.assessment, detail=f"{reminder.get_kind_display()} till {reached} mottagare")  # noqa: E501
    else:
        reminder.delete()
