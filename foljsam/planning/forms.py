from django import forms
from django.utils.translation import gettext_lazy as _

from foljsam.lib.forms import DateInput
from foljsam.registry.models import Area, Provider, Unit

from .models import InterviewKind, Kind, QualityStudy

MONTH_CHOICES = [("", _("Löpande under året"))] + [(str(m), str(m)) for m in range(1, 13)]


class ItemAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=Kind.choices)
    area = forms.ModelChoiceField(label=_("Verksamhetsområde"), queryset=Area.objects.all())
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("Månad"), choices=MONTH_CHOICES, coerce=int, empty_value=None,
                                   required=False)
    title = forms.CharField(label=_("Tema eller beskrivning"), max_length=300, required=False)
    provider = forms.ModelChoiceField(label=_("Utförare (fördjupad uppföljning)"), queryset=Provider.objects.all(),
                                      required=False)


class ItemMoveForm(forms.Form):
    year = forms.IntegerField(label=_("Nytt år"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("Ny månad"), choices=MONTH_CHOICES, coerce=int, empty_value=None,
                                   required=False)
    reason = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}))


class ItemCancelForm(forms.Form):
    reason = forms.CharField(label=_("Skäl till att posten stryks"), widget=forms.Textarea(attrs={"rows": 2}))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    areas = forms.ModelMultipleChoiceField(label=_("Verksamhetsområden"), queryset=Area.objects.all(),
                                           help_text=_("Utförarna med avtal inom områdena bjuds in."))
    starts_at = forms.DateTimeField(label=_("Tid"), widget=DateTimeInput())
    place = forms.CharField(label=_("Plats"), max_length=200)
    agenda = forms.CharField(label=_("Dagordning"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minnesanteckningar"), widget=forms.Textarea(attrs={"rows": 8}),
                              required=False)


class AgendaItemForm(forms.Form):
    text = forms.CharField(label=_("Ny punkt på dagordningen"), max_length=500)


class AgreedActionForm(forms.Form):
    text = forms.CharField(label=_("Åtgärd"), max_length=500)
    owner = forms.CharField(label=_("Ansvarig"), max_length=200)
    due = forms.DateField(label=_("Klart senast"), widget=DateInput())


class StudyForm(forms.ModelForm):
    areas = forms.ModelMultipleChoiceField(label=_("Verksamhetsområden"), queryset=Area.objects.all())
    units = forms.ModelMultipleChoiceField(label=_("Deltagande enheter"), required=False,
                                           queryset=Unit.objects.select_related("provider").filter(active=True))
    recommendations = forms.CharField(label=_("Rekommendationer"), required=False,
                                      help_text=_("En rekommendation per rad."),
                                      widget=forms.Textarea(attrs={"rows": 5}))

    class Meta:
        model = QualityStudy
        fields = ["year", "theme", "areas", "why", "interviews_managers", "group_interviews_staff", "on_site",
                  "units", "starts_on", "ends_on", "findings", "status"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(),
                   "why": forms.Textarea(attrs={"rows": 4}), "findings": forms.Textarea(attrs={"rows": 6})}


class InterviewForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Typ"), choices=InterviewKind.choices)
    held_on = forms.DateField(label=_("Datum"), widget=DateInput())
    notes = forms.CharField(label=_("Anteckningar"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = study.units.select_related("provider")
