from django import forms
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foljsam.lib.forms import DateInput, date_widgets
from foljsam.registry.models import Area, Contract, Provider, Unit

from .models import (
    CaseCheck,
    ChecklistItem,
    CheckResult,
    Finding,
    Sanction,
    Signal,
    SignalDecision,
    SignalRule,
    SignalTheme,
    Termination,
    TriggerKind,
)

PNR_WARNING = _("Skriv aldrig personnummer, namn eller andra uppgifter om brukaren – beskriv vad som hänt, "
                "inte vem det gällde.")


class SignalForm(forms.ModelForm):
    class Meta:
        model = Signal
        fields = ["provider", "unit", "area", "received_on", "source", "theme", "severity", "description", "shared"]
        widgets = {**date_widgets("received_on"), "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"description": PNR_WARNING, "area": _("Tomt: enhetens område, eller utförarens enda område.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = SignalTheme.objects.filter(active=True)
        self.fields["unit"].queryset = Unit.objects.select_related("provider")
        self.fields["area"].required = False
        self.fields["received_on"].initial = timezone.localdate()


class SignalAssessForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslut"), choices=SignalDecision.choices)
    note = forms.CharField(label=_("Motivering"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV-fil"))


class CaseForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Utförare"), queryset=Provider.objects.all())
    area = forms.ModelChoiceField(label=_("Verksamhetsområde"), queryset=Area.objects.all())
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.select_related("provider"), required=False)
    trigger = forms.ChoiceField(label=_("Anledning"), choices=TriggerKind.choices)
    evidence = forms.CharField(label=_("Underlag för anledningen"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = forms.DateField(label=_("Öppnad"), widget=DateInput(), initial=timezone.localdate)


class PlanVisitForm(forms.Form):
    visit_on = forms.DateField(label=_("Besöksdatum"), widget=DateInput())
    visit_by = forms.CharField(label=_("Vem besöker"), max_length=200)


class RecordVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Besöket genomfördes"), widget=DateInput())
    interviewed = forms.CharField(label=_("Intervjuade (roller)"), max_length=300, required=False)
    interview_notes = forms.CharField(label=_("Anteckningar från intervjuerna (interna)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 4}))
    internal_notes = forms.CharField(label=_("Interna anteckningar"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))


class CheckAddForm(forms.ModelForm):
    class Meta:
        model = CaseCheck
        fields = ["group", "text"]


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["requirement_area", "rating", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}),
                   "requirement_area": forms.TextInput(attrs={"list": "requirement-areas"})}


class DeviationsForm(forms.Form):
    plan_title = forms.CharField(label=_("Åtgärdsplanens rubrik"), max_length=200, required=False)
    submit_within_weeks = forms.IntegerField(label=_("Planen ska lämnas inom (veckor)"), min_value=1, max_value=26,
                                             initial=2)


class BistandForm(forms.Form):
    recipient = forms.CharField(label=_("Till"), max_length=200, initial=_("Bistånd och förebyggande"))
    text = forms.CharField(label=_("Text som skickades"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=PNR_WARNING)
    sent_on = forms.DateField(label=_("Skickat"), widget=DateInput(), initial=timezone.localdate)


class SanctionForm(forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ["amount", "clause", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


class TerminationForm(forms.ModelForm):
    class Meta:
        model = Termination
        fields = ["contract", "initiator", "reason", "notice", "last_day"]
        widgets = {**date_widgets("last_day"), "reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(provider=provider).select_related("area", "provider")


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Beslut"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Bifall")), ("no", _("Avslag"))])
    decided_by = forms.CharField(label=_("Beslutat av"), max_length=200)
    decision_on = forms.DateField(label=_("Beslutsdatum"), widget=DateInput())
    note = forms.CharField(label=_("Motivering"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    result = forms.CharField(label=_("Resultat till utföraren"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Utföraren ser resultatet, iakttagelserna och de åtgärdsplaner som begärs – "
                                         "inte interna anteckningar."))


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)


class CheckResultField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[("", "–"), *CheckResult.choices], required=False, **kwargs)


ThemeFormSet = modelformset_factory(SignalTheme, fields=["name", "active", "sort_order"], extra=1)
RuleFormSet = modelformset_factory(SignalRule, fields=["area", "source", "min_severity", "count", "days"], extra=1,
                                   can_delete=True)
ChecklistFormSet = modelformset_factory(ChecklistItem, fields=["area", "group", "text", "order", "active"], extra=1)


class WeightsForm(forms.Form):
    """One number per weight of the risk view (risk.WEIGHTS)."""

    def __init__(self, *args, current: dict, **kwargs):
        from .risk import WEIGHTS

        super().__init__(*args, **kwargs)
        for key, (_default, label) in WEIGHTS.items():
            self.fields[key] = forms.DecimalField(label=label, min_value=0, max_value=1000, decimal_places=2,
                                                  initial=current[key])
