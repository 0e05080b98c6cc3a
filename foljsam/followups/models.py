"""Contract follow-up (avtalsuppföljning, seed 001/002): a campaign per year and area sends the
catalogue's questions to every unit; each unit's assessment holds the answers, the officer's
traffic-light ratings, the area ratings 1/2/3, the fact-check and the final outcome."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class Campaign(models.Model):
    area = models.ForeignKey("registry.Area", verbose_name=_("verksamhetsområde"), on_delete=models.PROTECT,
                             related_name="campaigns")
    year = models.PositiveSmallIntegerField(_("år"))
    contract_form = models.CharField(_("upphandlingsform"), max_length=12, editable=False)
    catalogue = models.ForeignKey("catalogue.Catalogue", verbose_name=_("kravkatalog"), on_delete=models.PROTECT,
                                  related_name="campaigns")
    opens_on = models.DateField(_("öppnar"))
    deadline = models.DateField(_("sista svarsdag"))
    factcheck_weeks = models.PositiveSmallIntegerField(_("tid för sakgranskning (veckor)"), default=2)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "area__sort_order", "id"]
        verbose_name = _("avtalsuppföljning")
        verbose_name_plural = _("avtalsuppföljningar")
        constraints = [
            models.CheckConstraint(condition=models.Q(deadline__gte=models.F("opens_on")),
                                   name="campaign_deadline_after_opening"),
            # One survey per area and year. `contract_form` is copied from the area, so it adds nothing
            # to the key – and keyed on it, a change of the area's form would let the units be asked twice.
            models.UniqueConstraint(fields=["area", "year"], name="campaign_one_per_area_and_year"),
        ]

    def __str__(self):
        return f"{self.area.name} {self.year}"

    def get_absolute_url(self):
        return reverse("followups:campaign", args=[self.pk])


class Status(models.TextChoices):
    """The assessment's way; `progress` on the campaign page counts each step reached."""

    CREATED = "created", _("Ej skickad")
    SENT = "sent", _("Skickad")
    OPENED = "opened", _("Öppnad")
    SUBMITTED = "submitted", _("Inskickad")
    ASSESSED = "assessed", _("Bedömd")
    FACTCHECK = "factcheck", _("Hos utföraren för sakgranskning")
    FACTCHECKED = "factchecked", _("Sakgranskad")
    FINAL = "final", _("Slutförd")


STATUS_ORDER = list(Status.values)


class Assessment(models.Model):
    """One unit in one campaign."""

    PROVIDER_LOOKUP = "unit__provider"
    UNIT_LOOKUP = "unit"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="assessments")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CREATED)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    factcheck_sent_at = models.DateTimeField(null=True, blank=True)
    factcheck_due = models.DateField(_("sakgranskning senast"), null=True, blank=True)
    factchecked_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    interview_on = models.DateField(_("intervjudatum"), null=True, blank=True)
    interview_with = models.CharField(_("intervjuade"), max_length=200, blank=True)
    interview_notes = models.TextField(_("anteckningar från intervjun"), blank=True)
    summary = models.TextField(_("sammanfattning till utföraren"), blank=True)
    action_plan = models.ForeignKey("actions.ActionPlan", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="assessments")

    class Meta:
        ordering = ["campaign", "unit__provider__name", "unit__name"]
        unique_together = [("campaign", "unit")]
        verbose_name = _("bedömning")
        verbose_name_plural = _("bedömningar")

    def __str__(self):
        return f"{self.campaign}: {self.unit}"

    def get_absolute_url(self):
        return reverse("followups:assessment", args=[self.pk])

    def get_portal_url(self):
        return reverse("followups:portal_assessment", args=[self.pk])

    def reached(self, status: str) -> bool:
        return STATUS_ORDER.index(self.status) >= STATUS_ORDER.index(status)

    @property
    def is_final(self) -> bool:
        return self.status == Status.FINAL


class Rating(models.TextChoices):
    GREEN = "green", _("Grön – finns/uppnås")
    YELLOW = "yellow", _("Gul – finns delvis/uppnås delvis")
    RED = "red", _("Röd – saknas/uppnås ej")
    NA = "na", _("Ej tillämpligt")


# The short word shown next to the colour, so colour is never the only signal.
RATING_WORDS = {"green": _("Grön"), "yellow": _("Gul"), "red": _("Röd"), "na": _("Ej aktuellt"), "": _("Ej bedömd")}
RATING_SYMBOLS = {"green": "✓", "yellow": "!", "red": "✗", "na": "–", "": "?"}


class Answer(models.Model):
    """The provider's answer to one requirement, and the officer's judgement of it."""

    PROVIDER_LOOKUP = "assessment__unit__provider"
    UNIT_LOOKUP = "assessment__unit"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    requirement = models.ForeignKey("catalogue.Requirement", on_delete=models.PROTECT, related_name="answers")
    yes_no = models.BooleanField(_("ja/nej"), null=True, blank=True)
    text = models.TextField(_("svar"), blank=True)
    # Figures (issue 11): a number or share (percent); a count table {row: n}; a sample audit
    # {"checked": n, "met": {criterion: n}} recorded by the officer.
    number = models.DecimalField(_("antal eller andel"), max_digits=12, decimal_places=2, null=True, blank=True)
    figures = models.JSONField(_("tabell"), default=dict, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(_("bedömning"), max_length=6, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("kommentar till bedömningen"), blank=True)
    completion_request = models.TextField(_("begärd komplettering"), blank=True)
    completion_requested_at = models.DateTimeField(null=True, blank=True)
    completion_reply = models.TextField(_("komplettering"), blank=True)
    completion_replied_at = models.DateTimeField(null=True, blank=True)
    factcheck_comment = models.TextField(_("utförarens kommentar i sakgranskningen"), blank=True)
    factcheck_response = models.TextField(_("förvaltningens svar i sakgranskningen"), blank=True)

    class Meta:
        ordering = ["requirement__area__order", "requirement__order", "requirement_id"]
        unique_together = [("assessment", "requirement")]
        verbose_name = _("svar")
        verbose_name_plural = _("svar")

    def __str__(self):
        return f"{self.assessment.unit}: {self.requirement}"

    @property
    def completion_open(self) -> bool:
        return bool(self.completion_requested_at) and not self.completion_replied_at

    @property
    def rating_word(self):
        return RATING_WORDS[self.rating]

    @property
    def rating_symbol(self):
        return RATING_SYMBOLS[self.rating]


class Document(models.Model):
    """A document the provider uploaded to an answer; served only through the access layer."""

    PROVIDER_LOOKUP = "answer__assessment__unit__provider"
    UNIT_LOOKUP = "answer__assessment__unit"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="followups/%Y/")
    name = models.CharField(_("filnamn"), max_length=200)
    size = models.PositiveIntegerField(_("storlek"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("dokument")
        verbose_name_plural = _("dokument")

    def __str__(self):
        return self.name


class AreaRating(models.Model):
    """Värdering 1/2/3 per requirement area: the rule's value, and the officer's override with a reason."""

    PROVIDER_LOOKUP = "assessment__unit__provider"
    UNIT_LOOKUP = "assessment__unit"

    class Value(models.IntegerChoices):
        SATISFACTORY = 1, _("1 – tillfredsställande")
        NOTED = 2, _("2 – med anmärkning")
        DEVIATION = 3, _("3 – med avvikelse")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="area_ratings")
    area = models.ForeignKey("catalogue.RequirementArea", on_delete=models.PROTECT, related_name="+")
    rule_value = models.PositiveSmallIntegerField(_("enligt regeln"), choices=Value.choices, null=True, blank=True)
    override = models.PositiveSmallIntegerField(_("ändrad värdering"), choices=Value.choices, null=True, blank=True)
    override_reason = models.TextField(_("skäl till ändringen"), blank=True)

    class Meta:
        ordering = ["area__order"]
        unique_together = [("assessment", "area")]
        verbose_name = _("värdering per kravområde")
        verbose_name_plural = _("värderingar per kravområde")

    def __str__(self):
        return f"{self.area}: {self.value}"

    @property
    def value(self):
        return self.override or self.rule_value


class RatingChange(models.Model):
    """History of the judgements: who changed which rating when, old → new."""

    PROVIDER_LOOKUP = "answer__assessment__unit__provider"
    UNIT_LOOKUP = "answer__assessment__unit"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    old_rating = models.CharField(max_length=6, blank=True)
    new_rating = models.CharField(max_length=6, blank=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.answer}: {self.old_rating or '–'} → {self.new_rating or '–'}"

    @property
    def old_word(self):
        return RATING_WORDS[self.old_rating]

    @property
    def new_word(self):
        return RATING_WORDS[self.new_rating]


class Reminder(models.Model):
    """One reminder per kind per assessment: the unique constraint makes `remind` idempotent."""

    PROVIDER_LOOKUP = "assessment__unit__provider"
    UNIT_LOOKUP = "assessment__unit"

    class Kind(models.TextChoices):
        APPROACHING = "approaching", _("Sista svarsdag närmar sig")
        PASSED = "passed", _("Sista svarsdag har passerat")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        unique_together = [("assessment", "kind")]

    def __str__(self):
        return f"{self.assessment}: {self.get_kind_display()}"


for _model in (Campaign, Assessment, Answer, Document, AreaRating, RatingChange, Reminder):
    audit(_model)
