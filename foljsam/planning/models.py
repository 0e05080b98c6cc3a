"""The yearly cycle's planning (seed 001): the three-year follow-up plan, quality studies and
dialogue meetings. The plan is one rolling list of items; the plan "of year N" is its items of
N, N+1 and N+2. Generated items carry a `key`, so generating again adds only what is missing and
never brings back an item an officer moved or cancelled."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class Kind(models.TextChoices):
    CONTRACT = "contract_followup", _("Avtalsuppföljning")
    MONTHLY = "monthly_followup", _("Månadsuppföljning")
    QUALITY = "quality_study", _("Kvalitetsundersökning")
    INDEPTH = "indepth_followup", _("Fördjupad uppföljning")
    DIALOGUE = "dialogue_meeting", _("Dialogmöte")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    CANCELLED = "cancelled", _("Struken")


class PlanItem(models.Model):
    key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False,
                           help_text="kind:area:year[:provider] of a generated item; empty for added items")
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey("registry.Area", verbose_name=_("verksamhetsområde"), on_delete=models.PROTECT,
                             related_name="plan_items")
    year = models.PositiveSmallIntegerField(_("år"))
    month = models.PositiveSmallIntegerField(_("månad"), null=True, blank=True,
                                             help_text=_("Tomt = löpande under året."))
    provider = models.ForeignKey("registry.Provider", verbose_name=_("utförare"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="plan_items")
    title = models.CharField(_("tema eller beskrivning"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PLANNED)
    reason = models.TextField(_("skäl"), blank=True, help_text=_("Varför posten flyttades eller ströks."))
    # What realised the item: a campaign, a quality study, a dialogue meeting, an in-depth case.
    realised_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    realised_id = models.PositiveBigIntegerField(null=True, blank=True)
    realised_by = GenericForeignKey("realised_type", "realised_id")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "area__sort_order", "area__name", "kind", "month", "id"]
        verbose_name = _("planerad uppföljning")
        verbose_name_plural = _("planerade uppföljningar")
        constraints = [
            models.CheckConstraint(condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                                   name="plan_item_month_1_12"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.area.name} {self.year}"

    @property
    def month_label(self) -> str:
        from .selectors import MONTHS

        return MONTHS[self.month - 1] if self.month else ""

    @property
    def realised(self):
        """The object that realised the item, or None (also when it has been deleted since)."""
        if not self.realised_type_id:
            return None
        try:
            return self.realised_by
        except Exception:  # noqa: BLE001 – a model removed from the project: treat as not realised
            return None


class StudyStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    ONGOING = "ongoing", _("Pågår")
    REPORTED = "reported", _("Rapporterad")


class QualityStudy(models.Model):
    """Kvalitetsundersökning: one theme studied across the providers of one or more areas. A provider
    whose unit took part reads the study's report (not the interview notes)."""

    PROVIDER_LOOKUP = "units__provider"

    year = models.PositiveSmallIntegerField(_("år"))
    theme = models.CharField(_("tema"), max_length=300)
    areas = models.ManyToManyField("registry.Area", verbose_name=_("verksamhetsområden"), related_name="studies")
    why = models.TextField(_("bakgrund och skäl"), blank=True,
                           help_text=_("Signaler, resultat från uppföljningar och brukarundersökningar."))
    interviews_managers = models.BooleanField(_("intervjuer med verksamhetsansvariga"), default=True)
    group_interviews_staff = models.BooleanField(_("gruppintervjuer med personal"), default=True)
    on_site = models.BooleanField(_("på plats i verksamheterna"), default=True)
    units = models.ManyToManyField("registry.Unit", verbose_name=_("deltagande enheter"), blank=True,
                                   related_name="studies")
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("slut"), null=True, blank=True)
    findings = models.TextField(_("resultat och analys"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StudyStatus.choices, default=StudyStatus.PLANNED)
    feedback_sent_at = models.DateTimeField(_("återkoppling skickad"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "theme"]
        verbose_name = _("kvalitetsundersökning")
        verbose_name_plural = _("kvalitetsundersökningar")

    def __str__(self):
        return f"{self.theme} ({self.year})"

    def get_absolute_url(self):
        return reverse("planning:study", args=[self.pk])

    def methods(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name)
                for f in ("interviews_managers", "group_interviews_staff", "on_site") if getattr(self, f)]


class InterviewKind(models.TextChoices):
    MANAGER = "manager", _("Intervju med verksamhetsansvarig")
    STAFF = "staff", _("Gruppintervju med personal")


class Interview(models.Model):
    study = models.ForeignKey(QualityStudy, on_delete=models.CASCADE, related_name="interviews")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="study_interviews")
    kind = models.CharField(_("typ"), max_length=10, choices=InterviewKind.choices)
    held_on = models.DateField(_("datum"))
    notes = models.TextField(_("anteckningar"), blank=True)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("intervju")
        verbose_name_plural = _("intervjuer")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.unit}"


class Recommendation(models.Model):
    study = models.ForeignKey(QualityStudy, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(_("rekommendation"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("rekommendation")
        verbose_name_plural = _("rekommendationer")

    def __str__(self):
        return self.text[:80]


class Meeting(models.Model):
    """Dialogmöte with the providers of one or more areas."""

    PROVIDER_LOOKUP = "invitations__provider"

    title = models.CharField(_("rubrik"), max_length=200)
    areas = models.ManyToManyField("registry.Area", verbose_name=_("verksamhetsområden"), related_name="meetings")
    starts_at = models.DateTimeField(_("tid"))
    place = models.CharField(_("plats"), max_length=200)
    agenda = models.TextField(_("dagordning"), blank=True)
    minutes = models.TextField(_("minnesanteckningar"), blank=True)
    invitations_sent_at = models.DateTimeField(_("inbjudan skickad"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("dialogmöte")
        verbose_name_plural = _("dialogmöten")

    def __str__(self):
        return f"{self.title} {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("planning:meeting", args=[self.pk])


class Invitation(models.Model):
    PROVIDER_LOOKUP = "provider"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    provider = models.ForeignKey("registry.Provider", verbose_name=_("utförare"), on_delete=models.CASCADE,
                                 related_name="meeting_invitations")
    email = models.EmailField(_("e-post"), blank=True)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    attended = models.BooleanField(_("deltog"), null=True, blank=True)

    class Meta:
        ordering = ["provider__name"]
        unique_together = [("meeting", "provider")]
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")

    def __str__(self):
        return f"{self.meeting}: {self.provider}"


class AgendaItem(models.Model):
    """A point on a meeting's agenda; may carry a yellow result of a contract follow-up."""

    PROVIDER_LOOKUP = "meeting__invitations__provider"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    text = models.CharField(_("punkt"), max_length=500)
    answer = models.ForeignKey("followups.Answer", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("dagordningspunkt")
        verbose_name_plural = _("dagordningspunkter")

    def __str__(self):
        return self.text[:80]


class AgreedAction(models.Model):
    PROVIDER_LOOKUP = "meeting__invitations__provider"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreed_actions")
    text = models.CharField(_("åtgärd"), max_length=500)
    owner = models.CharField(_("ansvarig"), max_length=200)
    due = models.DateField(_("klart senast"))
    done = models.BooleanField(_("klar"), default=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("klarmarkerad av"))
    done_at = models.DateTimeField(_("klarmarkerad"), null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("överenskommen åtgärd")
        verbose_name_plural = _("överenskomna åtgärder")

    def __str__(self):
        return self.text[:80]


for _model in (PlanItem, QualityStudy, Interview, Recommendation, Meeting, Invitation, AgendaItem, AgreedAction):
    audit(_model)
