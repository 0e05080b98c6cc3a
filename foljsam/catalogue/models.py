"""The requirement catalogue (kravkatalog): per tender document version, requirement areas
(kravområden) with the requirements the contract follow-up asks about (seed 001, seed 002)."""

from django.db import models
from django.db.models import Q
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
    # What counts and what follows (seed 002 is the default): "the first criterion counts as approved,
    # the other two as deviation"; area rating 2 → dialogue, followed up next time; 3 → action plan,
    # approved by the administration, corrected within four weeks.
    deviation_ratings = models.CharField(
        _("räknas som avvikelse"), max_length=10, choices=[("yellow_red", _("Gul och röd")), ("red", _("Endast röd"))],
        default="yellow_red",
        help_text=_("Vilka bedömningar av krav som räknas och registreras som avvikelser när bedömningen slutförs."))
    plan_from = models.PositiveSmallIntegerField(
        _("åtgärdsplan från värdering"), choices=[(2, _("2 – med anmärkning")), (3, _("3 – med avvikelse"))], default=3,
        help_text=_("Kravområden med denna värdering eller sämre kräver en åtgärdsplan."))
    plan_submit_weeks = models.PositiveSmallIntegerField(_("åtgärdsplanen lämnas inom (veckor)"), default=2)
    plan_fix_weeks = models.PositiveSmallIntegerField(_("avvikelsen åtgärdad inom (veckor)"), default=4)
    dialogue_from = models.PositiveSmallIntegerField(
        _("dialogmöte från värdering"), choices=[(2, _("2 – med anmärkning")), (3, _("3 – med avvikelse"))],
        default=2, help_text=_("Kravområden med denna värdering eller sämre tas upp på dialogmötet. De som inte "
                               "kräver åtgärdsplan följs upp vid nästa uppföljning."))
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
    # Seed 002's "Digital teknik": shares of use, no traffic light and no area rating.
    reported_only = models.BooleanField(_("redovisas som siffror"), default=False,
                                        help_text=_("Området bedöms inte med trafikljus; svaren visas som siffror."))
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
    # Figures (seed 002's diagrams): reported, never rated.
    NUMBER = "number", _("Antal")
    SHARE = "share", _("Andel (procent)")
    COUNT_TABLE = "count_table", _("Antal per rad (fasta rader)")
    SAMPLE = "sample", _("Stickprov (förvaltningen granskar)")


FIGURE_TYPES = (AnswerType.NUMBER, AnswerType.SHARE, AnswerType.COUNT_TABLE, AnswerType.SAMPLE)


class AppliesTo(models.TextChoices):
    ALL = "all", _("Alla utförare")
    EXTERNAL = "external", _("Endast externa utförare")
    OWN = "own", _("Endast egen regi")


class Method(models.TextChoices):
    """How a requirement is checked. A survey answer alone is the provider's own word."""

    SURVEY = "survey", _("Enkätsvar")
    DOCUMENT = "document", _("Dokument")
    KEY_FIGURE = "key_figure", _("Nyckeltal från månadsuppföljningen")
    SAMPLE = "sample", _("Stickprov")
    INTERVIEW = "interview", _("Intervju")
    VISIT = "visit", _("Verksamhetsbesök")


# The methods that can show that a requirement is met (beyond the provider's own answer).
VERIFYING_METHODS = (Method.DOCUMENT, Method.KEY_FIGURE, Method.SAMPLE, Method.INTERVIEW, Method.VISIT)


def kpi_choices():
    from foljsam.monthly.engine.kpis import CATALOGUE

    return [("", "–")] + [(k.key, _(k.label_sv)) for k in CATALOGUE]


def rated_q(prefix: str = "") -> Q:
    """Requirements that get a traffic light: not figures, not in a reported-only area."""
    return Q(**{f"{prefix}area__reported_only": False}) & ~Q(**{f"{prefix}answer_type__in": FIGURE_TYPES})


class Requirement(models.Model):
    area = models.ForeignKey(RequirementArea, verbose_name=_("kravområde"), on_delete=models.CASCADE,
                             related_name="requirements")
    code = models.CharField(_("nummer"), max_length=20, blank=True)
    # Stable across catalogue versions (carried by the copy), unique within the catalogue: year vs
    # year follows the same requirement when the tender is renewed and the text changes.
    key = models.SlugField(_("kravets id"), max_length=60, blank=True,
                           help_text=_("Stabilt id som följer kravet till nästa version av katalogen."))
    title = models.CharField(_("krav"), max_length=200, help_text=_("Kort namn, visas i matrisen."))
    text = models.TextField(_("kravtext"), blank=True, help_text=_("Kravet enligt förfrågningsunderlaget."))
    question = models.TextField(_("fråga"))
    answer_type = models.CharField(_("svarstyp"), max_length=12, choices=AnswerType.choices,
                                   default=AnswerType.YES_NO)
    rows = models.TextField(_("rader eller kriterier"), blank=True,
                            help_text=_("För antal per rad: en rad per rad i tabellen. För stickprov: ett kriterium "
                                        "per rad."))
    # Seed 001: requirements are weighted by how much they matter to the client.
    weight = models.PositiveSmallIntegerField(
        _("vikt"), default=2, choices=[(3, _("3 – stor betydelse för brukaren")), (2, _("2 – betydelse")),
                                       (1, _("1 – liten betydelse"))],
    )
    documents = models.TextField(_("begärda dokument"), blank=True, help_text=_("Ett dokument per rad."))
    applies_to = models.CharField(_("gäller"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL)
    unit_types = models.ManyToManyField("registry.UnitType", verbose_name=_("enhetstyper"), blank=True,
                                        related_name="requirements",
                                        help_text=_("Tomt: alla enheter. Annars ställs kravet bara till enheter av "
                                                    "de valda typerna (och till enheter utan typ)."))
    methods = models.JSONField(_("kontrolleras genom"), default=list, blank=True)
    kpi = models.CharField(_("nyckeltal"), max_length=40, blank=True,
                           help_text=_("Nyckeltalet i månadsuppföljningen som visar kravet."))
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

    @property
    def row_list(self) -> list[str]:
        return [line.strip() for line in self.rows.splitlines() if line.strip()]

    @property
    def is_rated(self) -> bool:
        return not self.area.reported_only and self.answer_type not in FIGURE_TYPES

    @property
    def is_figure(self) -> bool:
        return self.answer_type in FIGURE_TYPES

    def applies_to_provider(self, provider) -> bool:
        from foljsam.registry.models import Ownership

        own = provider.ownership == Ownership.MUNICIPAL
        return (self.applies_to == AppliesTo.ALL or (self.applies_to == AppliesTo.EXTERNAL and not own)
                or (self.applies_to == AppliesTo.OWN and own))

    def applies_to_unit(self, unit, type_ids=None) -> bool:
        """Asked of this unit? `type_ids`: the requirement's unit type ids, when prefetched. A unit
        with no type yet is asked everything, so nothing is left out silently."""
        if not self.applies_to_provider(unit.provider):
            return False
        type_ids = set(type_ids if type_ids is not None else self.unit_types.values_list("pk", flat=True))
        return not type_ids or unit.unit_type_id is None or unit.unit_type_id in type_ids

    @property
    def kpi_label(self) -> str:
        return str(dict(kpi_choices()).get(self.kpi, self.kpi))

    @property
    def method_labels(self) -> list[str]:
        return [Method(m).label for m in self.methods if m in Method.values]

    def check_problem(self) -> str:
        """'' when the requirement can be checked; otherwise why not (catalogue page, item 7)."""
        methods = [m for m in self.methods if m in Method.values]
        if not methods:
            return "no_method"
        if Method.KEY_FIGURE in methods and not self.kpi:
            return "no_kpi"
        if not any(m in VERIFYING_METHODS for m in methods):
            return "self_report"
        return ""


for _model in (Catalogue, RequirementArea, Requirement):
    audit(_model)
