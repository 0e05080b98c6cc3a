"""The officer's prose in the reports Följsam writes (the yearly report to the board, the quality
report), per report, year and section, every save a new version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class SectionText(models.Model):
    report = models.SlugField(_("rapport"), max_length=20, default="yearly")  # a key of services.REPORTS
    year = models.PositiveSmallIntegerField(_("år"))
    section = models.SlugField(_("avsnitt"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "year", "section", "-version"]
        constraints = [models.UniqueConstraint(fields=["report", "year", "section", "version"],
                                               name="report_text_one_version")]
        verbose_name = _("rapporttext")
        verbose_name_plural = _("rapporttexter")

    def __str__(self):
        return f"{self.report} {self.year} {self.section} v{self.version}"


audit(SectionText)
