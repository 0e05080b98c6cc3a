"""Django side of the monthly home-care follow-up.

Visit rows are analytical data and live in Parquet under FOLJSAM_DATA_DIR (see `engine/`);
the web database keeps what people work with: import runs and their reports, column mappings,
thresholds, and one snapshot of key figures per provider and month.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit

from .engine.kpis import BY_KEY, CATALOGUE

FILE_KINDS = [
    ("visits", _("Besök")),
    ("grants", _("Beviljade insatser")),
    ("additional_reports", _("Tilläggsrapporter")),
]
KPI_CHOICES = [(k.key, k.label_sv) for k in CATALOGUE if k.worse]


class ColumnMapping(models.Model):
    """A saved column mapping of one source system's export (Phoniro, TES, Lifecare …)."""

    name = models.CharField(_("namn"), max_length=100)
    kind = models.CharField(_("filtyp"), max_length=20, choices=FILE_KINDS)
    columns = models.JSONField(_("kolumner"), default=dict, blank=True,
                               help_text=_("Vår kolumn → rubrik i exportfilen."))
    timestamp_format = models.CharField(_("tidsformat"), max_length=40, blank=True,
                                        help_text=_("T.ex. %d/%m/%Y %H:%M. Tomt = ÅÅÅÅ-MM-DDTtt:mm:ss."))
    date_format = models.CharField(_("datumformat"), max_length=40, blank=True,
                                   help_text=_("T.ex. %Y%m%d. Tomt = ÅÅÅÅ-MM-DD."))
    method_values = models.JSONField(_("värden för method"), default=dict, blank=True,
                                     help_text=_("T.ex. {\"NFC\": \"electronic\", \"Manuell\": \"manual\"}."))
    sheet = models.CharField(_("kalkylblad (xlsx)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name", "kind"]
        unique_together = [("name", "kind")]
        verbose_name = _("kolumnmappning")
        verbose_name_plural = _("kolumnmappningar")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class ImportRun(models.Model):
    """One import of up to three files; its report is kept and shown later."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Pågår")
        AWAITING = "awaiting", _("Väntar på bekräftelse")
        DONE = "done", _("Klar")
        REFUSED = "refused", _("Avvisad")
        FAILED = "failed", _("Misslyckades")
        CANCELLED = "cancelled", _("Avbruten")

    started_at = models.DateTimeField(_("startad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, blank=True,
                           on_delete=models.SET_NULL)
    source = models.CharField(_("källa"), max_length=20, default="web")  # web | command | pickup
    files = models.JSONField(_("filer"), default=dict)  # kind -> original file name
    mapping = models.CharField(_("kolumnmappning"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    phase = models.CharField(_("steg"), max_length=100, blank=True)
    progress = models.FloatField(_("förlopp"), default=0.0)
    message = models.TextField(_("meddelande"), blank=True)
    report = models.JSONField(_("rapport"), default=dict, blank=True)
    accepted = models.PositiveIntegerField(_("godkända rader"), default=0)
    rejected = models.PositiveIntegerField(_("avvisade rader"), default=0)
    # The month this run has figures for (YYYY-MM): a month gets figures only when a finished import
    # declared it; rows of other months in the file only serve that month's neighbours' sequence checks.
    period = models.CharField(_("månad"), max_length=7, blank=True)
    # Web uploads waiting for the officer to confirm the month: kind -> file in the upload directory.
    uploads = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")

    def __str__(self):
        return f"Import {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class Threshold(models.Model):
    """Green / yellow / red limits of a figure, per procurement (tender document) or default."""

    key = models.CharField(_("nyckeltal"), max_length=40, choices=KPI_CHOICES)
    tender = models.ForeignKey("registry.TenderDocument", verbose_name=_("förfrågningsunderlag"), null=True,
                               blank=True, on_delete=models.CASCADE,
                               help_text=_("Tomt = gäller alla avtal som saknar egna gränser."))
    yellow = models.FloatField(_("gul gräns"))
    red = models.FloatField(_("röd gräns"))

    class Meta:
        ordering = ["key", "tender"]
        constraints = [
            models.UniqueConstraint(fields=["key", "tender"], name="threshold_key_tender"),
            models.UniqueConstraint(fields=["key"], condition=models.Q(tender__isnull=True),
                                    name="threshold_key_default"),
        ]
        verbose_name = _("tröskelvärde")
        verbose_name_plural = _("tröskelvärden")

    def __str__(self):
        return f"{BY_KEY[self.key].label_sv}: {self.yellow} / {self.red}"


class KpiSnapshot(models.Model):
    """The key figures of one provider and month, recomputed after every import."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="kpi_snapshots")
    period = models.CharField(max_length=7, db_index=True)  # YYYY-MM
    values = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "provider__name"]
        unique_together = [("provider", "period")]

    def __str__(self):
        return f"{self.provider} {self.period}"


class QuarterSnapshot(models.Model):
    """The key figures of one provider over a quarter's imported months, computed by the engine over
    all their rows (not combined from monthly figures); computed on first use, dropped whenever one
    of its months is recomputed."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="quarter_snapshots")
    quarter = models.CharField(max_length=7, db_index=True)  # YYYY-Qn
    periods = models.JSONField(default=list)  # the months it was computed over
    values = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("provider", "quarter")]

    def __str__(self):
        return f"{self.provider} {self.quarter}"


class MatrixDispatch(models.Model):
    """A quarterly matrix sent to a provider by e-mail: who sent what to whom, and when."""

    PROVIDER_LOOKUP = "provider"

    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="matrix_dispatches")
    quarter = models.CharField(_("kvartal"), max_length=7)  # YYYY-Qn
    sent_at = models.DateTimeField(_("skickad"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, on_delete=models.SET_NULL)
    recipients = models.TextField(_("mottagare"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("utskickad kvartalsmatris")
        verbose_name_plural = _("utskickade kvartalsmatriser")

    def __str__(self):
        return f"{self.quarter} {self.provider}"


def default_contract_forms():
    return ["LOV"]


def default_ownerships():
    return ["private"]


class FollowUpScope(models.Model):
    """Which providers of an area (with monthly follow-up) are followed month by month: by contract
    form and ownership. Seed 001: the LOV home-care providers; own units only where the area says so.
    An area without a row follows its private LOV providers."""

    area = models.OneToOneField("registry.Area", verbose_name=_("område"), on_delete=models.CASCADE,
                                related_name="monthly_scope")
    contract_forms = models.JSONField(_("avtalsformer"), default=default_contract_forms)
    ownerships = models.JSONField(_("regiformer"), default=default_ownerships)

    class Meta:
        verbose_name = _("omfattning av månadsuppföljningen")
        verbose_name_plural = _("omfattning av månadsuppföljningen")

    def __str__(self):
        return str(self.area)


for _model in (ColumnMapping, Threshold, MatrixDispatch, FollowUpScope):
    audit(_model)
