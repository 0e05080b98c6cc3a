"""The requirement catalogue (kravkatalog): per tender document version, requirement areas
(kravområden) with the requirements the contract follow-up asks about (seed 001, seed 002)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class Catalogue(models.Model):
    """One version of the requirements; a campaign freezes the version it was sent with."""

    name = models.CharField(_("namn"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    tender = models.ForeignKey(
        "registry.TenderDocument", verbose_name=_("förfrågningsunderlag"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="catalogues",
    )
    description = models.TextField(_("beskrivning"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        unique_together = [("name", "version")]
        verbose_name = _("kravkatalog")
        verbose_name_plural = _("kravkataloger")

    def __str__(self):
        return f"{self.name} ({self.version})"

    def get_absolute_url(self):
        return reverse("catalogue:detail", args=[self.pk])

    def requirements(self):
        return Requirement.objects.filter(area__catalogue=self).select_related("area")


class RequirementArea(models.Model):
    """Kravområde, e.g. "Ledningssystem för kvalitet"."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["catalogue", "order", "id"]
        unique_together = [("catalogue", "name")]
        verbose_name = _("kravområde")
        verbose_name_plural = _("kravområden")

    def __str__(self):
        return self.name


class AnswerType(models.TextChoices):
    # Seed 001: "ja/nej?", "frekvens/omfattning?" and the open "beskriv hur ni gör?".
    YES_NO = "yes_no", _("Ja/nej")
    FREQUENCY = "frequency", _("Frekvens/omfattning")
    FREE_TEXT = "free_text", _("Beskriv hur ni gör")


class AppliesTo(models.TextChoices):
    ALL = "all", _("Alla utförare")
    EXTERNAL = "external", _("Endast externa utförare")


class Requirement(models.Model):
    area = models.ForeignKey(RequirementArea, verbose_name=_("kravområde"), on_delete=models.CASCADE,
                             related_name="requirements")
    code = models.CharField(_("nummer"), max_length=20, blank=True)
    title = models.CharField(_("krav"), max_length=200, help_text=_("Kort namn, visas i matrisen."))
    text = models.TextField(_("kravtext"), blank=True, help_text=_("Kravet enligt förfrågningsunderlaget."))
    question = models.TextField(_("fråga"))
    answer_type = models.CharField(_("svarstyp"), max_length=10, choices=AnswerType.choices,
                                   default=AnswerType.YES_NO)
    # Seed 001: requirements are weighted by how much they matter to the client.
    weight = models.PositiveSmallIntegerField(
        _("vikt"), default=2, choices=[(3, _("3 – stor betydelse för brukaren")), (2, _("2 – betydelse")),
                                       (1, _("1 – liten betydelse"))],
    )
    documents = models.TextField(_("begärda dokument"), blank=True, help_text=_("Ett dokument per rad."))
    applies_to = models.CharField(_("gäller"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        ordering = ["area__order", "area_id", "order", "id"]
        verbose_name = _("krav")
        verbose_name_plural = _("krav")

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]

    def applies_to_provider(self, provider) -> bool:
        from foljsam.registry.models import Ownership

        return self.applies_to == AppliesTo.ALL or provider.ownership != Ownership.MUNICIPAL


for _model in (Catalogue, RequirementArea, Requirement):
    audit(_model)
