"""The officer's prose in the yearly report, per year and section, every save a new version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from foljsam.audit.registry import audit


class SectionText(models.Model):
    year = models.PositiveSmallIntegerField(_("år"))
    section = models.SlugField(_("avsnitt"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "section", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "section", "version"],
                                               name="report_text_one_version")]
        verbose_name = _("rapporttext")
        verbose_name_plural = _("rapporttexter")

    def __str__(self):
        return f"{self.year} {self.section} v{self.version}"


audit(SectionText)
