from django import forms
from django.utils.translation import gettext_lazy as _

from foljsam.registry.models import Provider, Unit

from .models import Deviation

WEEKS = [(w, _("inom %(n)s veckor") % {"n": w}) for w in (1, 2, 3, 4, 6, 8, 12)]


class DeviationForm(forms.ModelForm):
    class Meta:
        model = Deviation
        fields = ["provider", "unit", "source", "requirement", "severity", "text", "found_on"]
        widgets = {"found_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.all()
        self.fields["unit"].queryset = Unit.objects.select_related("provider")

    def clean(self):
        data = super().clean()
        unit, provider = data.get("unit"), data.get("provider")
        if unit and provider and unit.provider_id != provider.pk:
            self.add_error("unit", _("Enheten hör inte till utföraren."))
        return data


class PlanRequestForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    submit_within_weeks = forms.TypedChoiceField(
        label=_("Åtgärdsplanen ska lämnas"), choices=WEEKS, coerce=int, initial=2
    )
    request_note = forms.CharField(label=_("Meddelande till utföraren"), widget=forms.Textarea(attrs={"rows": 3}),
                                   required=False)


class SubmitForm(forms.Form):
    cause = forms.CharField(label=_("Orsaksanalys"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures = forms.CharField(label=_("Åtgärder och tidplan"), widget=forms.Textarea(attrs={"rows": 5}))
    responsible = forms.CharField(label=_("Ansvarig"), max_length=200, required=False)


class ApproveForm(forms.Form):
    complete_within_weeks = forms.TypedChoiceField(
        label=_("Avvikelsen ska vara åtgärdad"), choices=WEEKS, coerce=int, initial=4
    )
    comment = forms.CharField(label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Vad ska kompletteras?"), widget=forms.Textarea(attrs={"rows": 3}))
    submit_within_weeks = forms.TypedChoiceField(
        label=_("Ny tidsfrist"), choices=WEEKS, coerce=int, initial=2
    )


class ReopenForm(forms.Form):
    comment = forms.CharField(label=_("Vad saknas?"), widget=forms.Textarea(attrs={"rows": 3}))
    complete_within_weeks = forms.TypedChoiceField(
        label=_("Ny tidsfrist för åtgärden"), choices=WEEKS, coerce=int, initial=2
    )
