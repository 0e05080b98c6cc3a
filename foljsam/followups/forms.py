from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.catalogue.models import Catalogue
from foljsam.lib.forms import DateInput
from foljsam.registry.models import Area

from .models import AreaRating


class CampaignForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Verksamhetsområde"), queryset=Area.objects.filter(contract_followup=True))
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    catalogue = forms.ModelChoiceField(label=_("Kravkatalog"), queryset=Catalogue.objects.select_related("tender"),
                                       help_text=_("Kravkatalogen för det förfrågningsunderlag som gäller."))
    opens_on = forms.DateField(label=_("Öppnar"), widget=DateInput())
    deadline = forms.DateField(label=_("Sista svarsdag"), widget=DateInput())
    factcheck_weeks = forms.TypedChoiceField(label=_("Tid för sakgranskning"), coerce=int, initial=2,
                                             choices=[(w, _("%(n)s veckor") % {"n": w}) for w in (1, 2, 3, 4)])
    units = forms.ModelMultipleChoiceField(label=_("Enheter som ingår"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, units_qs=None, tenders=None, **kwargs):
        super().__init__(*args, **kwargs)
        from foljsam.registry.models import Unit

        self.fields["units"].queryset = units_qs if units_qs is not None else Unit.objects.none()
        tenders = tenders or {}

        def label(unit):
            # The provider answers to the tender version of its contract; show it so the officer
            # notices units signed under another version than the chosen catalogue.
            tender = tenders.get(unit.provider_id)
            suffix = _(" (avtal enligt förfrågningsunderlag %(v)s)") % {"v": tender} if tender else ""
            return f"{unit.provider.name} – {unit.name}{suffix}"

        self.fields["units"].label_from_instance = label

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("deadline") and data["deadline"] < data["opens_on"]:
            self.add_error("deadline", _("Sista svarsdag kan inte vara före öppningsdagen."))
        return data


def campaign_initial(area=None):
    # Seed 001: the survey goes out in February; four weeks to answer is the usual deadline.
    today = timezone.localdate()
    opens = today.replace(month=2, day=1) if today.month <= 2 else today
    return {"year": today.year, "opens_on": opens, "deadline": opens + timedelta(weeks=4), "area": area}


class InterviewForm(forms.Form):
    interview_on = forms.DateField(label=_("Intervjudatum"), widget=DateInput(), required=False)
    interview_with = forms.CharField(label=_("Intervjuade"), max_length=200, required=False,
                                     help_text=_("T.ex. verksamhetsansvarig och två medarbetare."))
    interview_notes = forms.CharField(label=_("Anteckningar från intervjun"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 5}))
    summary = forms.CharField(label=_("Sammanfattning till utföraren"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class OverrideForm(forms.Form):
    value = forms.TypedChoiceField(label=_("Värdering"), coerce=int, empty_value=None, required=False,
                                   choices=[("", _("Enligt regeln"))] + list(AreaRating.Value.choices))
    reason = forms.CharField(label=_("Skäl"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
