"""The provider registry: boards, areas of activity, providers, units, contracts, permits, events."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class Board(models.Model):
    """Nämnd."""

    name = models.CharField(_("namn"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nämnd")
        verbose_name_plural = _("nämnder")

    def __str__(self):
        return self.name


class Procurement(models.TextChoices):
    LOV = "LOV", _("LOV (valfrihetssystem)")
    LOU = "LOU", _("LOU-ramavtal")
    ENTREPRENAD = "entreprenad", _("Entreprenad")


class Sector(models.TextChoices):
    ELDERLY = "aldreomsorg", _("Äldreomsorg")
    DISABILITY = "funktionshinderomsorg", _("Funktionshinderomsorg")
    INDIVIDUAL_FAMILY = "individ_familj", _("Individ- och familjeomsorg")


class Area(models.Model):
    """Verksamhetsområde: an area of activity under one procurement form (seed 001)."""

    code = models.SlugField(_("kod"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    board = models.ForeignKey(Board, verbose_name=_("nämnd"), on_delete=models.PROTECT, related_name="areas")
    procurement = models.CharField(_("upphandlingsform"), max_length=12, choices=Procurement.choices)
    sector = models.CharField(_("verksamhet"), max_length=24, choices=Sector.choices)
    # Which kinds of follow-up apply (seed 001): LOV and entreprenad yearly; LOU in
    # year one after signing; monthly only for home care.
    contract_followup = models.BooleanField(_("avtalsuppföljning"), default=True)
    indepth_followup = models.BooleanField(_("fördjupad uppföljning"), default=True)
    monthly_followup = models.BooleanField(_("månadsuppföljning"), default=False)
    quality_study = models.BooleanField(_("kvalitetsundersökning"), default=False)
    # LOU framework agreements: the year of the contract follow-up (seed 001's schedule).
    followup_year = models.PositiveSmallIntegerField(_("uppföljningsår (ramavtal)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sortering"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("verksamhetsområde")
        verbose_name_plural = _("verksamhetsområden")

    def __str__(self):
        return self.name

    def followup_kinds(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name)
            for f in ("contract_followup", "indepth_followup", "monthly_followup", "quality_study")
            if getattr(self, f)
        ]


class TenderDocument(models.Model):
    """Förfrågningsunderlag: the version of the requirements a contract was signed under."""

    area = models.ForeignKey(Area, verbose_name=_("område"), on_delete=models.PROTECT, related_name="tenders")
    name = models.CharField(_("namn"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    valid_from = models.DateField(_("gäller från"))

    class Meta:
        ordering = ["area", "-valid_from"]
        unique_together = [("area", "version")]
        verbose_name = _("förfrågningsunderlag")
        verbose_name_plural = _("förfrågningsunderlag")

    def __str__(self):
        return f"{self.name} ({self.version})"


class Ownership(models.TextChoices):
    PRIVATE = "private", _("Privat")
    MUNICIPAL = "municipal", _("Egen regi")


class Provider(models.Model):
    """Utförare."""

    PROVIDER_LOOKUP = "pk"

    code = models.CharField(
        _("utförar-id"), max_length=40, unique=True,
        help_text=_("Id i tidregistreringssystemet och i importfiler (provider_id)."),
    )
    name = models.CharField(_("namn"), max_length=200)
    org_number = models.CharField(_("organisationsnummer"), max_length=20, blank=True)
    ownership = models.CharField(_("regiform"), max_length=10, choices=Ownership.choices)
    contact_email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    address = models.CharField(_("adress"), max_length=200, blank=True)
    clients = models.PositiveIntegerField(_("antal brukare"), null=True, blank=True)
    notes = models.TextField(_("anteckningar"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("utförare")
        verbose_name_plural = _("utförare")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:provider", args=[self.pk])


class UnitType(models.Model):
    """Enhetstyp per area (hemtjänstgrupp, nattpatrull, …): a requirement of the contract
    follow-up can be limited to some types, so it is not asked of the others (seed 002)."""

    area = models.ForeignKey(Area, verbose_name=_("område"), on_delete=models.CASCADE, related_name="unit_types")
    name = models.CharField(_("namn"), max_length=100)

    class Meta:
        ordering = ["area__name", "name"]
        unique_together = [("area", "name")]
        verbose_name = _("enhetstyp")
        verbose_name_plural = _("enhetstyper")

    def __str__(self):
        return self.name


class Unit(models.Model):
    """Enhet: where the work is done; follow-ups assess units."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey(Provider, verbose_name=_("utförare"), on_delete=models.CASCADE, related_name="units")
    area = models.ForeignKey(Area, verbose_name=_("område"), on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("namn"), max_length=200)
    manager = models.CharField(_("verksamhetsansvarig"), max_length=200, blank=True)
    manager_email = models.EmailField(_("chefens e-post"), blank=True)
    address = models.CharField(_("adress"), max_length=200, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    unit_type = models.ForeignKey(UnitType, verbose_name=_("enhetstyp"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="units")

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")

    def __str__(self):
        return f"{self.provider.name} – {self.name}"

    def clean(self):
        if self.unit_type_id and self.area_id and self.unit_type.area_id != self.area_id:
            raise ValidationError({"unit_type": _("Enhetstypen hör till ett annat område.")})


class ContractForm(models.TextChoices):
    LOV = "LOV", _("LOV")
    LOU = "LOU", _("LOU-ramavtal")
    ENTREPRENAD = "entreprenad", _("Entreprenad")
    DIRECT = "direkt", _("Direktupphandling")
    OWN = "egen_regi", _("Uppdragsbeskrivning egen regi")


class Contract(models.Model):
    """Avtal or uppdragsbeskrivning. The providers table is computed from these dates."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey(
        Provider, verbose_name=_("utförare"), on_delete=models.CASCADE, related_name="contracts"
    )
    area = models.ForeignKey(Area, verbose_name=_("område"), on_delete=models.PROTECT, related_name="contracts")
    form = models.CharField(_("avtalsform"), max_length=12, choices=ContractForm.choices)
    reference = models.CharField(_("diarienummer"), max_length=60, blank=True)
    start = models.DateField(_("startdatum"))
    end = models.DateField(_("slutdatum"), null=True, blank=True, help_text=_("Tomt = tillsvidare."))
    tender = models.ForeignKey(
        TenderDocument, verbose_name=_("förfrågningsunderlag"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="contracts",
    )

    class Meta:
        ordering = ["provider__name", "-start"]
        verbose_name = _("avtal")
        verbose_name_plural = _("avtal")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="contract_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.provider.name}, {self.area.name} ({self.get_form_display()})"

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("Slutdatum kan inte vara före startdatum.")})
        if self.tender_id and self.area_id and self.tender.area_id != self.area_id:
            raise ValidationError({"tender": _("Förfrågningsunderlaget hör till ett annat område.")})

    def active_on(self, day) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class PermitKind(models.TextChoices):
    IVO = "ivo", _("Tillstånd från IVO")
    FOOD = "food", _("Livsmedelsregistrering")
    COLLECTIVE_AGREEMENT = "collective_agreement", _("Kollektivavtal")
    INSURANCE = "insurance", _("Försäkring")
    CREDIT_RATING = "credit_rating", _("Kreditvärdighet")


class Permit(models.Model):
    """Permits and attributes the follow-ups check (seed 002's external-only requirements, seed 004)."""

    PROVIDER_LOOKUP = "provider"

    class Status(models.TextChoices):
        OK = "ok", _("Finns / godkänd")
        PARTLY = "partly", _("Delvis / gul")
        MISSING = "missing", _("Saknas / röd")

    provider = models.ForeignKey(Provider, verbose_name=_("utförare"), on_delete=models.CASCADE, related_name="permits")
    kind = models.CharField(_("typ"), max_length=24, choices=PermitKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OK)
    reference = models.CharField(_("beteckning"), max_length=120, blank=True)
    valid_from = models.DateField(_("gäller från"), null=True, blank=True)
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    checked_on = models.DateField(_("kontrollerad"), null=True, blank=True)
    note = models.CharField(_("kommentar"), max_length=300, blank=True)

    class Meta:
        ordering = ["provider__name", "kind"]
        verbose_name = _("tillstånd eller uppgift")
        verbose_name_plural = _("tillstånd och uppgifter")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class EventKind(models.TextChoices):
    CONTRACT_START = "contract_start", _("Avtalsstart")
    FIRST_CLIENT = "first_client", _("Första brukaren")
    MANAGER_CHANGE = "manager_change", _("Byte av verksamhetsansvarig")
    NEW_PREMISES = "new_premises", _("Nya lokaler")
    ACQUISITION = "acquisition", _("Förvärv")
    TERMINATION = "termination", _("Avslut")
    INDEPTH_DONE = "indepth_done", _("Fördjupad uppföljning genomförd")
    OTHER = "other", _("Övrigt")


class ProviderEvent(models.Model):
    """History of a provider. `first_client` starts the six-month in-depth follow-up clock."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey(Provider, verbose_name=_("utförare"), on_delete=models.CASCADE, related_name="events")
    unit = models.ForeignKey(Unit, verbose_name=_("enhet"), null=True, blank=True, on_delete=models.SET_NULL)
    area = models.ForeignKey(Area, verbose_name=_("område"), null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("händelse"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("datum"))
    note = models.CharField(_("kommentar"), max_length=500, blank=True)

    class Meta:
        ordering = ["provider__name", "-date"]
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


for _model in (Board, Area, TenderDocument, Provider, UnitType, Unit, Contract, Permit, ProviderEvent):
    audit(_model)
