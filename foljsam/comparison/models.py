"""Comparison with the nation (Kolada) and the public comparison page (/jamfor/).

Kolada values are stored as imported (one row per KPI, municipality or organisational unit, year
and gender). What the public sees is never computed on request: an officer publishes a period,
and the publication freezes the figures – already suppressed where fewer than
`MIN_CLIENTS` clients stand behind them – so the public page cannot reach row-level data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit

# Kolada's code for the whole country ("Riket").
COUNTRY = "0000"


class KoladaValue(models.Model):
    kpi = models.CharField(_("nyckeltal"), max_length=12)
    municipality = models.CharField(_("kommun"), max_length=4, blank=True)
    ou = models.CharField(_("organisatorisk enhet"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, default="T")
    value = models.FloatField(_("värde"), null=True, blank=True)
    count = models.PositiveIntegerField(_("antal"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    fetched_at = models.DateTimeField(_("hämtad"), auto_now=True)

    class Meta:
        ordering = ["kpi", "municipality", "ou", "year"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "municipality", "ou", "year", "gender"], name="kolada_value_key"),
        ]
        verbose_name = _("Kolada-värde")
        verbose_name_plural = _("Kolada-värden")

    def __str__(self):
        return f"{self.kpi} {self.ou or self.municipality} {self.year}: {self.value}"


class ProviderProfile(models.Model):
    """Facts about a provider for people choosing one (LOV)."""

    PROVIDER_LOOKUP = "provider"

    provider = models.OneToOneField("registry.Provider", verbose_name=_("utförare"), on_delete=models.CASCADE,
                                    related_name="public_profile")
    area_served = models.CharField(_("geografiskt område"), max_length=300, blank=True)
    languages = models.CharField(_("språk"), max_length=300, blank=True,
                                 help_text=_("T.ex. svenska, finska, arabiska."))
    specialisations = models.CharField(_("inriktning"), max_length=300, blank=True,
                                       help_text=_("T.ex. demens, psykisk ohälsa."))
    website = models.URLField(_("webbplats"), blank=True)
    kolada_ou = models.CharField(_("Kolada-enhet (OU)"), max_length=40, blank=True,
                                 help_text=_("Enhetens id i Kolada, för brukarundersökningens resultat."))
    published = models.BooleanField(_("visas på jämförelsesidan"), default=True)

    class Meta:
        verbose_name = _("utförarprofil")
        verbose_name_plural = _("utförarprofiler")

    def __str__(self):
        return str(self.provider)


class Publication(models.Model):
    """A frozen set of public figures of one area and period (a year `2026` or a quarter `2026-Q3`)."""

    area = models.ForeignKey("registry.Area", verbose_name=_("område"), on_delete=models.PROTECT,
                             related_name="publications")
    period = models.CharField(_("period"), max_length=7)
    published_at = models.DateTimeField(_("publicerad"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, on_delete=models.SET_NULL)
    withdrawn_at = models.DateTimeField(_("tillbakadragen"), null=True, blank=True)
    # {"providers": [{"code", "name", "ownership", facts…, "figures": {key: value or None}}], "nation": {…}}
    content = models.JSONField(_("innehåll"), default=dict)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("publicering")
        verbose_name_plural = _("publiceringar")

    def __str__(self):
        return f"{self.area} {self.period}"


# Kolada values are public statistics, replaced in bulk at each import: not audited row by row.
for _model in (ProviderProfile, Publication):
    audit(_model)
