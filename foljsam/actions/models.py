"""Deviations and action plans: the process "Genomföra åtgärder" that every follow-up kind uses."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class Source(models.TextChoices):
    CONTRACT_FOLLOWUP = "contract_followup", _("Avtalsuppföljning")
    INDEPTH = "indepth", _("Fördjupad uppföljning")
    MONTHLY = "monthly", _("Månadsuppföljning")
    SIGNAL = "signal", _("Signal (klagomål, lex Sarah m.m.)")


class Severity(models.TextChoices):
    # Seed 002: yellow = "med anmärkning" (noted, checked next time), red = "med avvikelse".
    NOTE = "note", _("Anmärkning (gul)")
    DEVIATION = "deviation", _("Avvikelse (röd)")
    SERIOUS = "serious", _("Allvarlig avvikelse")


class Deviation(models.Model):
    """Avvikelse."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey(
        "registry.Provider", verbose_name=_("utförare"), on_delete=models.CASCADE, related_name="deviations"
    )
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("enhet"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="deviations",
    )
    source = models.CharField(_("källa"), max_length=20, choices=Source.choices)
    requirement = models.CharField(
        _("krav eller nyckeltal"), max_length=300,
        help_text=_("Kravet i avtalet eller nyckeltalet som avvikelsen gäller."),
    )
    severity = models.CharField(_("allvarlighet"), max_length=10, choices=Severity.choices, default=Severity.DEVIATION)
    text = models.TextField(_("beskrivning"))
    # Free reference to what found it, e.g. "monthly:2024-03:manual_share" or an assessment id.
    source_ref = models.CharField(_("källreferens"), max_length=120, blank=True, db_index=True)
    found_on = models.DateField(_("konstaterad"), default=timezone.localdate)
    closed_on = models.DateField(_("stängd"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerad av"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("avvikelse")
        verbose_name_plural = _("avvikelser")

    def __str__(self):
        return f"{self.provider.name}: {self.requirement}"

    def get_absolute_url(self):
        return reverse("actions:deviation", args=[self.pk])


class PlanStatus(models.TextChoices):
    REQUESTED = "requested", _("Begärd")
    SUBMITTED = "submitted", _("Inskickad")
    RETURNED = "returned", _("Återskickad för komplettering")
    APPROVED = "approved", _("Godkänd")
    CARRIED_OUT = "carried_out", _("Genomförd")
    VERIFIED = "verified", _("Verifierad")


class ActionPlan(models.Model):
    """Åtgärdsplan answering one or more deviations of one provider."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey(
        "registry.Provider", verbose_name=_("utförare"), on_delete=models.CASCADE, related_name="action_plans"
    )
    deviations = models.ManyToManyField(Deviation, verbose_name=_("avvikelser"), related_name="action_plans")
    title = models.CharField(_("rubrik"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.REQUESTED)
    request_note = models.TextField(_("begäran"), blank=True)
    # The provider's answer.
    measures = models.TextField(_("åtgärder"), blank=True)
    cause = models.TextField(_("orsaksanalys"), blank=True)
    responsible = models.CharField(_("ansvarig hos utföraren"), max_length=200, blank=True)
    # Deadlines are set relative to the decision: the plan must be submitted by
    # `submit_by`; once approved, the deviation must be fixed by `complete_by`.
    submit_by = models.DateField(_("ska lämnas senast"))
    complete_by = models.DateField(_("ska vara åtgärdad senast"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submit_by", "id"]
        verbose_name = _("åtgärdsplan")
        verbose_name_plural = _("åtgärdsplaner")

    def __str__(self):
        return f"{self.provider.name}: {self.title}"

    def get_absolute_url(self):
        return reverse("actions:plan", args=[self.pk])

    def overdue_since(self, today=None):
        """The missed deadline, or None. Waiting on the provider past a deadline is overdue."""
        today = today or timezone.localdate()
        if self.status in (PlanStatus.REQUESTED, PlanStatus.RETURNED) and self.submit_by < today:
            return self.submit_by
        if self.status == PlanStatus.APPROVED and self.complete_by and self.complete_by < today:
            return self.complete_by
        return None

    @property
    def is_overdue(self) -> bool:
        return self.overdue_since() is not None


class PlanStep(models.Model):
    """Every step of a plan: who did what, when."""

    PROVIDER_LOOKUP = "plan__provider"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("tid"), auto_now_add=True)
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("steg")
        verbose_name_plural = _("steg")

    def __str__(self):
        return f"{self.get_status_display()} {self.at:%Y-%m-%d}"


for _model in (Deviation, ActionPlan, PlanStep):
    audit(_model)
