"""The rules of planning, quality studies and dialogue meetings. Every write goes through here."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.accounts import policy
from foljsam.accounts.services import NOT_OFFICER
from foljsam.ops import mail

from . import generation
from .models import (
    AgendaItem,
    AgreedAction,
    Interview,
    Invitation,
    ItemStatus,
    Kind,
    Meeting,
    PlanItem,
    QualityStudy,
    Recommendation,
)

log = logging.getLogger(__name__)

BAD_YEAR = _("Ange ett år mellan 2000 och 2100.")
BAD_MONTH = _("Månaden ska vara 1–12 eller tom.")
REASON_REQUIRED = _("Ange varför posten flyttas eller stryks.")
ALREADY_CANCELLED = _("Posten är redan struken.")
NOT_MOVED = _("Välj ett annat år eller en annan månad än nu.")
REALISED_ELSEWHERE = _("Det som genomförde posten hör till ett annat område eller år.")
NO_PROVIDERS = _("Bjud in minst en utförare.")
ALREADY_INVITED = _("Inbjudan är redan skickad.")
NOT_YELLOW = _("Bara gula resultat från en avtalsuppföljning läggs på dagordningen.")
NO_AREAS = _("Välj minst ett verksamhetsområde.")
ACTION_ALREADY_DONE = _("Åtgärden är redan markerad som klar.")
UNIT_OUTSIDE = _("Enheten %(unit)s hör inte till undersökningens områden.")
NO_RECIPIENTS = _("Ingen av de deltagande enheterna har någon e-postadress.")
NOT_INVITED = _("Utföraren är inte inbjuden till mötet.")


def _ensure(by, capability):
    policy.ensure(by, capability, message=NOT_OFFICER)


def _year(year):
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(BAD_YEAR, code="bad_year")


def _month(month):
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(BAD_MONTH, code="bad_month")


# --- The plan ---------------------------------------------------------------------------------

@transaction.atomic
def plan_generate(*, year: int, by) -> list[PlanItem]:
    """Add to the plan what the registry says for `year`, `year+1` and `year+2`; returns the new
    items. Items already generated (also moved or cancelled ones) are left as they are."""
    _ensure(by, "followup_plan.edit")
    _year(year)
    existing = set(PlanItem.objects.exclude(key=None).values_list("key", flat=True))
    created = []
    for p in generation.proposals(range(year, year + 3)):
        if p.key in existing:
            continue
        item = PlanItem.objects.create(key=p.key, kind=p.kind, area=p.area, year=p.year, month=p.month,
                                       provider_id=p.provider_id, title=p.title, created_by=by)
        created.append(item)
    link_realised(items=created)
    return created


@transaction.atomic
def plan_item_add(*, by, kind: str, area, year: int, month: int | None = None, title: str = "",
                  provider=None) -> PlanItem:
    _ensure(by, "followup_plan.edit")
    _year(year)
    _month(month)
    if kind not in Kind.values:
        raise ValidationError(_("Okänd typ av uppföljning."), code="bad_kind")
    item = PlanItem.objects.create(kind=kind, area=area, year=year, month=month, title=title, provider=provider,
                                   created_by=by)
    link_realised(items=[item])
    return item


@transaction.atomic
def plan_item_move(*, item: PlanItem, by, year: int, month: int | None, reason: str) -> PlanItem:
    _ensure(by, "followup_plan.edit")
    _year(year)
    _month(month)
    if item.status == ItemStatus.CANCELLED:
        raise ValidationError(ALREADY_CANCELLED, code="cancelled")
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    if (item.year, item.month) == (year, month):
        raise ValidationError(NOT_MOVED, code="not_moved")
    item.reason = f"{item.reason}\n{reason.strip()}".strip()
    item.year, item.month = year, month
    item.save()
    return item


@transaction.atomic
def plan_item_cancel(*, item: PlanItem, by, reason: str) -> PlanItem:
    _ensure(by, "followup_plan.edit")
    if item.status == ItemStatus.CANCELLED:
        raise ValidationError(ALREADY_CANCELLED, code="cancelled")
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    item.status = ItemStatus.CANCELLED
    item.reason = f"{item.reason}\n{reason.strip()}".strip()
    item.save()
    return item


def _realised_area_year(obj) -> tuple[set[int], int | None]:
    """The areas and year of something that realises a plan item."""
    if isinstance(obj, QualityStudy):
        return set(obj.areas.values_list("pk", flat=True)), obj.year
    if isinstance(obj, Meeting):
        return set(obj.areas.values_list("pk", flat=True)), timezone.localtime(obj.starts_at).year
    area_id = getattr(obj, "area_id", None)
    return ({area_id} if area_id else set()), getattr(obj, "year", None)


@transaction.atomic
def plan_item_realise(*, item: PlanItem, obj, by=None) -> PlanItem:
    """Link a plan item to what realised it (a campaign, study, meeting or in-depth case)."""
    if by is not None:
        _ensure(by, "followup_plan.edit")
    areas, year = _realised_area_year(obj)
    if (areas and item.area_id not in areas) or (year is not None and year != item.year):
        raise ValidationError(REALISED_ELSEWHERE, code="realised_elsewhere")
    item.realised_type = ContentType.objects.get_for_model(obj)
    item.realised_id = obj.pk
    item.save()
    return item


def link_realised(*, items=None, obj=None, kind: str | None = None, area=None, year: int | None = None,
                  provider=None) -> int:
    """Link planned, not yet realised items to what realised them. Returns how many were linked.

    With `items`: look up what realised each (campaigns by area and year, studies and meetings by
    their areas and year). With `obj`: link the items `obj` realises – campaigns, studies and meetings
    are recognised; anything else (an in-depth case of another app) names its `kind`, `area`, `year`
    and, for in-depth follow-ups, `provider`."""
    from django.apps import apps

    linked = 0
    if obj is not None:
        if kind is None:
            kind = {QualityStudy: Kind.QUALITY, Meeting: Kind.DIALOGUE}.get(type(obj))
            if kind is None and obj._meta.label == "followups.Campaign":
                kind = Kind.CONTRACT
        if kind not in Kind.values:
            raise TypeError(f"link_realised: name the kind of plan item {type(obj).__name__} realises")
        areas, obj_year = _realised_area_year(obj)
        areas = {area.pk} if area is not None else areas
        candidates = PlanItem.objects.filter(kind=kind, area_id__in=areas, year=year or obj_year,
                                             status=ItemStatus.PLANNED, realised_type__isnull=True)
        if provider is not None:
            candidates = candidates.filter(Q(provider=provider) | Q(provider__isnull=True))
        for item in candidates:
            item.realised_type = ContentType.objects.get_for_model(obj)
            item.realised_id = obj.pk
            item.save()
            linked += 1
        return linked
    campaign_model = apps.get_model("followups", "Campaign") if apps.is_installed("foljsam.followups") else None
    for item in items or []:
        if item.status != ItemStatus.PLANNED or item.realised_type_id:
            continue
        found = None
        if item.kind == Kind.CONTRACT and campaign_model is not None:
            found = campaign_model.objects.filter(area=item.area, year=item.year).first()
        elif item.kind == Kind.QUALITY:
            found = QualityStudy.objects.filter(areas=item.area, year=item.year).first()
        elif item.kind == Kind.DIALOGUE:
            found = Meeting.objects.filter(areas=item.area, starts_at__year=item.year).first()
        if found is not None:
            plan_item_realise(item=item, obj=found)
            linked += 1
    return linked


# --- Quality studies -------------------------------------------------------------------------

STUDY_FIELDS = ("year", "theme", "why", "interviews_managers", "group_interviews_staff", "on_site", "starts_on",
                "ends_on", "findings", "status")


def _check_units(areas, units):
    area_ids = {a.pk for a in areas}
    for unit in units:
        if unit.area_id not in area_ids:
            raise ValidationError(UNIT_OUTSIDE, code="unit_outside", params={"unit": unit})


@transaction.atomic
def study_save(*, by, study: QualityStudy | None = None, areas, units=(), recommendations: list[str] | None = None,
               **fields) -> QualityStudy:
    """Create or change a quality study; recommendations (one per entry) replace the old ones."""
    _ensure(by, "study.edit")
    areas, units = list(areas), list(units)
    if not areas:
        raise ValidationError(NO_AREAS, code="no_areas")
    _check_units(areas, units)
    study = study or QualityStudy(created_by=by)
    for name in STUDY_FIELDS:
        if name in fields:
            setattr(study, name, fields[name])
    _year(study.year)
    study.full_clean()
    study.save()
    study.areas.set(areas)
    study.units.set(units)
    if recommendations is not None:
        study.recommendations.all().delete()
        for i, text in enumerate(t.strip() for t in recommendations):
            if text:
                Recommendation.objects.create(study=study, text=text, order=i)
    link_realised(obj=study)
    return study


@transaction.atomic
def interview_add(*, by, study: QualityStudy, unit, kind: str, held_on, notes: str = "") -> Interview:
    _ensure(by, "study.edit")
    _check_units(study.areas.all(), [unit])
    interview = Interview(study=study, unit=unit, kind=kind, held_on=held_on, notes=notes)
    interview.full_clean()
    interview.save()
    return interview


def _send(subject, body, to: list[str], on_sent: tuple[str, dict]) -> None:
    """Queue for the task worker after commit (ops/mail.py, retried); `on_sent` runs only for a mail
    the server accepted, so nothing records a mail that was not sent."""
    mail.send_on_commit(subject=subject, body=body, to=to, on_result=on_sent)


def _study_feedback_sent(*, pk: int, reached: int) -> None:
    if reached:
        QualityStudy.objects.filter(pk=pk).update(feedback_sent_at=timezone.now())


def _invitation_sent(*, pk: int, reached: int) -> None:
    if reached:
        Invitation.objects.filter(pk=pk).update(sent_at=timezone.now())


def _provider_emails(provider, capability: str, extra: str = "") -> list[str]:
    """The provider's users who may read what the mail is about, its contact address and `extra`."""
    emails = {u.email for u in policy.users_acting_for(capability, provider) if u.email}
    for e in (provider.contact_email, extra):
        if e:
            emails.add(e)
    return sorted(emails)


@transaction.atomic
def study_send_feedback(*, by, study: QualityStudy) -> int:
    """E-mail the participating units the study's recommendations (feedback to participants)."""
    _ensure(by, "study.edit")
    to = set()
    for unit in study.units.select_related("provider"):
        to.update(_provider_emails(unit.provider, "study.view", unit.manager_email))
    if not to:
        raise ValidationError(NO_RECIPIENTS, code="no_recipients")
    body = render_to_string("planning/email/study_feedback.txt", {
        "study": study, "recommendations": study.recommendations.all(),
        "url": settings.SITE_ROOT.rstrip("/") + study.get_absolute_url()})
    _send(_("Återkoppling: kvalitetsundersökning %(theme)s") % {"theme": study.theme}, body, sorted(to),
          ("foljsam.planning.services._study_feedback_sent", {"pk": study.pk}))
    return len(to)


# --- Dialogue meetings -----------------------------------------------------------------------

@transaction.atomic
def meeting_create(*, by, title: str, areas, starts_at, place: str, agenda: str = "", providers=None) -> Meeting:
    """A meeting invites the providers of its areas with an active contract, unless given others."""
    from foljsam.registry.models import Provider

    _ensure(by, "meeting.edit")
    areas = list(areas)
    if not areas:
        raise ValidationError(NO_AREAS, code="no_areas")
    meeting = Meeting(title=title, starts_at=starts_at, place=place, agenda=agenda, created_by=by)
    meeting.full_clean()
    meeting.save()
    meeting.areas.set(areas)
    if providers is None:
        day = timezone.localtime(starts_at).date()
        # One contract must meet all three conditions (a filter() call joins one contract).
        providers = Provider.objects.filter(Q(contracts__area__in=areas), Q(contracts__start__lte=day),
                                            Q(contracts__end__isnull=True) | Q(contracts__end__gte=day)).distinct()
    providers = list(providers)
    if not providers:
        raise ValidationError(NO_PROVIDERS, code="no_providers")
    for provider in providers:
        Invitation.objects.create(meeting=meeting, provider=provider, email=provider.contact_email)
    link_realised(obj=meeting)
    return meeting


@transaction.atomic
def meeting_update(*, by, meeting: Meeting, **fields) -> Meeting:
    _ensure(by, "meeting.edit")
    for name in ("title", "starts_at", "place", "agenda", "minutes"):
        if name in fields:
            setattr(meeting, name, fields[name])
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_invite(*, by, meeting: Meeting) -> int:
    """E-mail every invited provider not yet invited: date, place and agenda. An invitation counts
    as sent only once the mail server took it."""
    _ensure(by, "meeting.edit")
    pending = list(meeting.invitations.filter(sent_at__isnull=True).select_related("provider"))
    if not pending:
        raise ValidationError(ALREADY_INVITED, code="already_invited")
    agenda = list(meeting.agenda_items.all())
    reached = 0
    for invitation in pending:
        to = _provider_emails(invitation.provider, "meeting.view", invitation.email)
        if not to:
            continue
        body = render_to_string("planning/email/meeting_invitation.txt", {
            "meeting": meeting, "agenda": agenda, "provider": invitation.provider,
            "url": settings.SITE_ROOT.rstrip("/") + meeting.get_absolute_url()})
        _send(_("Inbjudan till dialogmöte: %(title)s") % {"title": meeting.title}, body, to,
              ("foljsam.planning.services._invitation_sent", {"pk": invitation.pk}))
        reached += 1
    meeting_pk = meeting.pk
    transaction.on_commit(lambda: Meeting.objects.filter(pk=meeting_pk, invitations_sent_at__isnull=True)
                          .update(invitations_sent_at=timezone.now()))
    return reached


@transaction.atomic
def meeting_attendance(*, by, meeting: Meeting, attended_provider_ids: set[int]) -> None:
    _ensure(by, "meeting.edit")
    for invitation in meeting.invitations.all():
        invitation.attended = invitation.provider_id in attended_provider_ids
        invitation.save()


@transaction.atomic
def agenda_item_add(*, by, meeting: Meeting, text: str = "", answer=None) -> AgendaItem:
    """A point on the agenda; a yellow contract follow-up result may be one (its requirement is the text)."""
    from foljsam.followups.models import Rating

    _ensure(by, "meeting.edit")
    if answer is not None:
        if answer.rating != Rating.YELLOW:
            raise ValidationError(NOT_YELLOW, code="not_yellow")
        if not meeting.invitations.filter(provider_id=answer.assessment.unit.provider_id).exists():
            raise ValidationError(NOT_INVITED, code="not_invited")
        text = text or f"{answer.requirement} ({answer.assessment.campaign})"
    item = AgendaItem(meeting=meeting, text=text, answer=answer, order=meeting.agenda_items.count())
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agreed_action_add(*, by, meeting: Meeting, text: str, owner: str, due) -> AgreedAction:
    _ensure(by, "meeting.edit")
    action = AgreedAction(meeting=meeting, text=text, owner=owner, due=due)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def agreed_action_done(*, by, action: AgreedAction) -> AgreedAction:
    """Mark an agreed action done, recording who and when. Done is terminal: marking it again is
    refused (the first marking stands, with its person and time)."""
    _ensure(by, "meeting.edit")
    action = AgreedAction.objects.select_for_update().get(pk=action.pk)
    if action.done:
        raise ValidationError(ACTION_ALREADY_DONE, code="already_done")
    action.done, action.done_by, action.done_at = True, by, timezone.now()
    action.save()
    return action
