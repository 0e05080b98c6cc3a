"""Signals about providers and the in-depth follow-up (fördjupad uppföljning, seeds 000, 001, 003):
the register of signals, the rules that turn them into proposals, the case with its visit,
checklist, findings and actions, and the decisions on sanctions (vite) and terminations."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit

# --- Signals ------------------------------------------------------------------------------------


class SignalSource(models.TextChoices):
    CLIENT = "client", _("Brukare eller anhörig (klagomål)")
    LEX_SARAH = "lex_sarah", _("Lex Sarah")
    LEX_MARIA = "lex_maria", _("Lex Maria")
    INTERNAL = "internal", _("Intern avvikelse")
    IVO = "ivo", _("IVO")
    BISTAND = "bistand", _("Bistånd (handläggare)")
    COLLEAGUE = "colleague", _("Kollega i förvaltningen")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Annat")


class SignalSeverity(models.IntegerChoices):
    LOW = 1, _("Låg")
    MEDIUM = 2, _("Medel")
    HIGH = 3, _("Hög – risk för missförhållande")
    SERIOUS = 4, _("Allvarlig – missförhållande")


class SignalStatus(models.TextChoices):
    RECEIVED = "received", _("Mottagen")
    ASSESSED = "assessed", _("Bedömd")
    CLOSED = "closed", _("Avslutad")


class SignalDecision(models.TextChoices):
    NO_ACTION = "no_action", _("Ingen åtgärd")
    DIALOGUE = "dialogue", _("Dialog med utföraren")
    DEVIATION = "deviation", _("Avvikelse")
    INDEPTH = "indepth", _("Fördjupad uppföljning")


class SignalTheme(models.Model):
    """Tema: the list officers edit (bemötande, mat och måltider, hygien …)."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    active = models.BooleanField(_("används"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sortering"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("tema")
        verbose_name_plural = _("teman")

    def __str__(self):
        return self.name


class Signal(models.Model):
    """A complaint, report or tip about a provider. Never holds client details."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", verbose_name=_("utförare"), on_delete=models.PROTECT,
                                 related_name="signals")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("enhet"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    area = models.ForeignKey("registry.Area", verbose_name=_("verksamhetsområde"), on_delete=models.PROTECT,
                             related_name="+")
    received_on = models.DateField(_("inkom"))
    source = models.CharField(_("källa"), max_length=12, choices=SignalSource.choices)
    theme = models.ForeignKey(SignalTheme, verbose_name=_("tema"), on_delete=models.PROTECT, related_name="signals")
    severity = models.PositiveSmallIntegerField(_("allvarlighet"), choices=SignalSeverity.choices,
                                                default=SignalSeverity.MEDIUM)
    description = models.TextField(
        _("kort beskrivning"), max_length=2000,
        help_text=_("Skriv aldrig personnummer, namn eller andra uppgifter om brukaren."),
    )
    status = models.CharField(_("status"), max_length=10, choices=SignalStatus.choices,
                              default=SignalStatus.RECEIVED)
    decision = models.CharField(_("beslut"), max_length=10, choices=SignalDecision.choices, blank=True)
    decision_note = models.TextField(_("motivering"), blank=True)
    shared = models.BooleanField(_("delad med utföraren"), default=False)
    deviation = models.ForeignKey("actions.Deviation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    case = models.ForeignKey("indepth.Case", verbose_name=_("fördjupad uppföljning"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="signals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("signal")
        verbose_name_plural = _("signaler")

    def __str__(self):
        return f"{self.received_on:%Y-%m-%d} {self.get_source_display()}: {self.provider.name}"

    def get_absolute_url(self):
        return reverse("indepth:signal", args=[self.pk])


class SignalRule(models.Model):
    """A threshold that proposes an in-depth follow-up: `count` signals of `source` with at least
    `min_severity` in the last `days` days (settable per area; no area = every area)."""

    area = models.ForeignKey("registry.Area", verbose_name=_("verksamhetsområde"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+", help_text=_("Tomt = alla områden."))
    source = models.CharField(_("källa"), max_length=12, choices=SignalSource.choices, blank=True,
                              help_text=_("Tomt = alla källor."))
    min_severity = models.PositiveSmallIntegerField(_("lägsta allvarlighet"), choices=SignalSeverity.choices,
                                                    default=SignalSeverity.LOW)
    count = models.PositiveSmallIntegerField(_("antal"), default=3)
    days = models.PositiveSmallIntegerField(_("dagar"), default=90)

    class Meta:
        ordering = ["area__sort_order", "source", "id"]
        verbose_name = _("tröskel för signaler")
        verbose_name_plural = _("trösklar för signaler")

    def __str__(self):
        source = self.get_source_display() or _("alla källor")  # outside the f-string: xgettext cannot see in
        return f"{self.count} × {source} / {self.days} d"


# --- The case -----------------------------------------------------------------------------------


class TriggerKind(models.TextChoices):
    """Why an in-depth follow-up is proposed or was opened; the board counts cases by this."""

    NEW_PROVIDER = "new_provider", _("Ny utförare (sex månader efter första brukaren)")
    SIGNALS = "signals", _("Signaler (klagomål, lex Sarah m.m.)")
    RED_FIGURES = "red_figures", _("Nyckeltal röda tre månader i rad")
    CONTRACT_FOLLOWUP = "contract_followup", _("Brister i avtalsuppföljningen")
    ORGANISATION = "organisation", _("Förändring i utförarens organisation")
    EXTERNAL = "external", _("Omvärldsbevakning (t.ex. media)")
    OTHER = "other", _("Annat")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Öppnad")
    PLANNED = "planned", _("Besök planerat")
    VISITED = "visited", _("Besök genomfört")
    CLOSED = "closed", _("Avslutad")


class Case(models.Model):
    """One in-depth follow-up of one provider in one area."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", verbose_name=_("utförare"), on_delete=models.PROTECT,
                                 related_name="indepth_cases")
    area = models.ForeignKey("registry.Area", verbose_name=_("verksamhetsområde"), on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("enhet"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(_("anledning"), max_length=20, choices=TriggerKind.choices)
    trigger_evidence = models.TextField(_("underlag för anledningen"), blank=True)
    opened_on = models.DateField(_("öppnad"))
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    visit_on = models.DateField(_("besöksdatum"), null=True, blank=True)
    visit_by = models.CharField(_("besöker (från förvaltningen)"), max_length=200, blank=True)
    visited_on = models.DateField(_("besök genomfört"), null=True, blank=True)
    interviewed = models.CharField(_("intervjuade"), max_length=300, blank=True,
                                   help_text=_("Roller, t.ex. verksamhetsansvarig och två undersköterskor."))
    interview_notes = models.TextField(_("anteckningar från intervjuerna (interna)"), blank=True)
    internal_notes = models.TextField(_("interna anteckningar"), blank=True)
    result = models.TextField(_("resultat till utföraren"), blank=True)
    closed_on = models.DateField(_("avslutad"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("fördjupad uppföljning")
        verbose_name_plural = _("fördjupade uppföljningar")

    def __str__(self):
        return f"{self.provider.name}, {self.area.name} ({self.opened_on:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("indepth:case", args=[self.pk])

    @property
    def source_ref(self) -> str:
        """How deviations found in this case are marked (actions.Deviation.source_ref)."""
        return f"indepth:{self.pk}"


class CheckGroup(models.TextChoices):
    DOCUMENTS = "documents", _("Dokument")
    PREMISES = "premises", _("Lokaler")
    INTERVIEWS = "interviews", _("Intervjuer")


class ChecklistItem(models.Model):
    """The editable template: what to check at a visit, per area (no area = every area)."""

    area = models.ForeignKey("registry.Area", verbose_name=_("verksamhetsområde"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+", help_text=_("Tomt = alla områden."))
    group = models.CharField(_("grupp"), max_length=10, choices=CheckGroup.choices)
    text = models.CharField(_("kontrollpunkt"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordning"), default=100)
    active = models.BooleanField(_("används"), default=True)

    class Meta:
        ordering = ["group", "order", "id"]
        verbose_name = _("kontrollpunkt i mall")
        verbose_name_plural = _("checklistmall")

    def __str__(self):
        return self.text


class CheckResult(models.TextChoices):
    OK = "ok", _("Finns / godkänt")
    PARTLY = "partly", _("Delvis")
    MISSING = "missing", _("Saknas")
    NA = "na", _("Ej aktuellt")


class CaseCheck(models.Model):
    """One checklist row of a case, copied from the template when the case is opened."""

    PROVIDER_LOOKUP = "case__provider"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checks")
    group = models.CharField(_("grupp"), max_length=10, choices=CheckGroup.choices)
    text = models.CharField(_("kontrollpunkt"), max_length=300)
    order = models.PositiveSmallIntegerField(default=100)
    result = models.CharField(_("resultat"), max_length=8, choices=CheckResult.choices, blank=True)
    comment = models.CharField(_("kommentar"), max_length=500, blank=True)

    class Meta:
        ordering = ["group", "order", "id"]
        verbose_name = _("kontrollpunkt")
        verbose_name_plural = _("checklista")

    def __str__(self):
        return self.text


class FindingRating(models.TextChoices):
    # As in the contract follow-up's traffic light (seed 002).
    GREEN = "green", _("Grön – uppfylls")
    YELLOW = "yellow", _("Gul – uppfylls delvis (anmärkning)")
    RED = "red", _("Röd – uppfylls inte (avvikelse)")


class Finding(models.Model):
    PROVIDER_LOOKUP = "case__provider"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    requirement_area = models.CharField(_("kravområde"), max_length=200)
    rating = models.CharField(_("bedömning"), max_length=6, choices=FindingRating.choices)
    text = models.TextField(_("iakttagelse"))
    deviation = models.ForeignKey("actions.Deviation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("iakttagelse")
        verbose_name_plural = _("iakttagelser")

    def __str__(self):
        return f"{self.requirement_area}: {self.get_rating_display()}"


class BistandNotice(models.Model):
    """"Meddela bistånd": clients may not get the help they are granted (seed 001). Internal."""

    PROVIDER_LOOKUP = "case__provider"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bistand_notices")
    sent_on = models.DateField(_("skickat"))
    recipient = models.CharField(_("till"), max_length=200)
    text = models.TextField(_("text som skickades"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["sent_on", "id"]
        verbose_name = _("meddelande till bistånd")
        verbose_name_plural = _("meddelanden till bistånd")

    def __str__(self):
        return f"{self.sent_on:%Y-%m-%d} {self.recipient}"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Förslag")
    DECIDED = "decided", _("Beslutat")
    REJECTED = "rejected", _("Avslaget")


class Sanction(models.Model):
    """Vite: proposed from a case and tracked to its decision."""

    PROVIDER_LOOKUP = "case__provider"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sanctions")
    amount = models.DecimalField(_("belopp (kr)"), max_digits=10, decimal_places=0)
    clause = models.CharField(_("avtalspunkt"), max_length=200)
    reason = models.TextField(_("skäl"))
    proposed_on = models.DateField(_("föreslaget"))
    status = models.CharField(_("status"), max_length=8, choices=DecisionStatus.choices,
                              default=DecisionStatus.PROPOSED)
    decided_by = models.CharField(_("beslutat av"), max_length=200, blank=True)
    decision_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    decision_note = models.TextField(_("beslutets motivering"), blank=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("vite")
        verbose_name_plural = _("viten")

    def __str__(self):
        return f"{self.case.provider.name}: {self.amount} kr ({self.get_status_display()})"


class TerminationInitiator(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommunen säger upp avtalet")
    PROVIDER = "provider", _("Utföraren avslutar på egen begäran")


class Termination(models.Model):
    """Avsluta avtal (seed 001's process): a decided termination ends the contract on its last day."""

    PROVIDER_LOOKUP = "case__provider"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="terminations")
    contract = models.ForeignKey("registry.Contract", verbose_name=_("avtal"), on_delete=models.PROTECT,
                                 related_name="+")
    initiator = models.CharField(_("vem avslutar"), max_length=12, choices=TerminationInitiator.choices,
                                 default=TerminationInitiator.MUNICIPALITY)
    reason = models.TextField(_("skäl"))
    notice = models.CharField(_("uppsägningstid"), max_length=100, help_text=_("T.ex. ”tre månader”."))
    proposed_on = models.DateField(_("föreslaget"))
    last_day = models.DateField(_("sista avtalsdag"))
    status = models.CharField(_("status"), max_length=8, choices=DecisionStatus.choices,
                              default=DecisionStatus.PROPOSED)
    decided_by = models.CharField(_("beslutat av"), max_length=200, blank=True)
    decision_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    decision_note = models.TextField(_("beslutets motivering"), blank=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("avslut av avtal")
        verbose_name_plural = _("avslut av avtal")

    def __str__(self):
        return f"{self.case.provider.name}: {self.last_day:%Y-%m-%d} ({self.get_status_display()})"


class RiskWeight(models.Model):
    """The risk view's weights, editable by officers; a missing row means the default."""

    key = models.CharField(max_length=40, unique=True)
    value = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["key"]
        verbose_name = _("vikt i riskvyn")
        verbose_name_plural = _("vikter i riskvyn")

    def __str__(self):
        return f"{self.key} = {self.value}"


for _model in (SignalTheme, Signal, SignalRule, Case, ChecklistItem, CaseCheck, Finding, BistandNotice, Sanction,
               Termination, RiskWeight):
    audit(_model)
