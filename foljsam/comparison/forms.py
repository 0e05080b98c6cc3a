from django import forms
from django.utils.translation import gettext_lazy as _

from foljsam.registry.models import Area

from .models import ProviderProfile


class PublishForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Område"), queryset=Area.objects.all())
    period = forms.RegexField(label=_("Period"), regex=r"^\d{4}(-Q[1-4])?\Z", max_length=7,
                              help_text=_("Ett år (2026) eller ett kvartal (2026-Q3)."),
                              error_messages={"invalid": _("Skriv ett år (ÅÅÅÅ) eller ett kvartal (ÅÅÅÅ-Qn).")})


class KoladaUploadForm(forms.Form):
    file = forms.FileField(label=_("Fil från Kolada (JSON, API v3)"))

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Filen är större än 20 MB."), code="too_large")
        return f


class ProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Webbplats"), required=False, assume_scheme="https")

    class Meta:
        model = ProviderProfile
        fields = ["area_served", "languages", "specialisations", "website", "kolada_ou", "published"]
