from django import forms
from django.utils.translation import gettext_lazy as _

from foljsam.registry.models import Area

from .models import NARRATIVE_HEADINGS

IMPORT_KINDS = [("survey", _("Brukarundersökning per enhet (Enhet, Fråga, Andel positiva)")),
                ("ickeval", _("Andel ickeval per utförare (Utförar-id, Andel ickeval)"))]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Vad importeras"), choices=IMPORT_KINDS)
    area = forms.ModelChoiceField(label=_("Verksamhetsområde"), queryset=Area.objects.all())
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("Fil (Excel eller CSV)"))


class NarrativeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in NARRATIVE_HEADINGS:
            self.fields[key] = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))
