"""The provider overview (seed 004): what the purchaser follows per provider and year besides the
contract follow-up – the quality report (kvalitetsberättelse) the provider hands in every year,
the national user survey per unit, and the share of clients who did not choose (ickeval)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit

# Seed 004, "Kvalitetsberättelsen": the headings the provider writes under.
NARRATIVE_HEADINGS = [
    ("organisation", _("Verksamhetens organisation och kvalitetsarbete")),
    ("permit", _("Tillstånd")),
    ("staff", _("Personal")),
    ("insurance", _("Försäkringar och kollektivavtal")),
    ("incidents", _("Oönskade händelser")),
    ("pandemic", _("Hantering av pandemin")),
    ("not_executed", _("Ej verkställda beslut")),
    ("environment", _("Miljöarbete")),
    ("authorities", _("Kontakter med tillsynsmyndigheter")),
    ("profit", _("Rörelsevinst")),
]


class QualityNarrative(models.Model):
    """Kvalitetsberättelse: requested by the officer, written by the provider in the portal."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", verbose_name=_("utförare"), on_delete=models.CASCADE,
                                 related_name="quality_narratives")
    year = models.PositiveSmallIntegerField(_("år"))
    content = models.JSONField(_("innehåll"), default=dict, blank=True)
    requested_at = models.DateTimeField(_("begärd"), auto_now_add=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("inlämnad"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-year", "provider__name"]
        constraints = [models.UniqueConstraint(fields=["provider", "year"], name="narrative_one_per_year")]
        verbose_name = _("kvalitetsberättelse")
        verbose_name_plural = _("kvalitetsberättelser")

    def __str__(self):
        return f"{self.provider.name} {self.year}"

    def sections(self):
        return [(key, label, self.content.get(key, "")) for key, label in NARRATIVE_HEADINGS]


class SurveyResult(models.Model):
    """"Vad tycker de äldre om äldreomsorgen?": share of positive answers per unit and question."""

    PROVIDER_LOOKUP = "unit__provider"

    unit = models.ForeignKey("registry.Unit", verbose_name=_("enhet"), on_delete=models.CASCADE,
                             related_name="survey_results")
    year = models.PositiveSmallIntegerField(_("år"))
    question = models.CharField(_("fråga"), max_length=300)
    share_positive = models.FloatField(_("andel positiva (%)"))

    class Meta:
        ordering = ["year", "unit", "question"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "question"], name="survey_one_per_question")]
        verbose_name = _("brukarundersökningsresultat")
        verbose_name_plural = _("brukarundersökningsresultat")

    def __str__(self):
        return f"{self.unit} {self.year}: {self.question}"


class ChoiceShare(models.Model):
    """Ickeval: the share of a provider's new clients who did not choose a provider themselves."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", verbose_name=_("utförare"), on_delete=models.CASCADE,
                                 related_name="choice_shares")
    area = models.ForeignKey("registry.Area", verbose_name=_("område"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    share = models.FloatField(_("andel ickeval (%)"))

    class Meta:
        ordering = ["year", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "area", "year"], name="ickeval_one_per_year")]
        verbose_name = _("andel ickeval")
        verbose_name_plural = _("andel ickeval")

    def __str__(self):
        return f"{self.provider} {self.year}: {self.share} %"


for _model in (QualityNarrative, SurveyResult, ChoiceShare):
    audit(_model)
