from django import forms
from django.utils.translation import gettext_lazy as _

from foljsam.registry.models import UnitType

from .models import Catalogue, Method, Requirement, RequirementArea, kpi_choices


class CatalogueForm(forms.ModelForm):
    class Meta:
        model = Catalogue
        fields = ["name", "version", "tender", "description", "deviation_ratings", "plan_from", "plan_submit_weeks",
                  "plan_fix_weeks", "dialogue_from"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AreaForm(forms.ModelForm):
    class Meta:
        model = RequirementArea
        fields = ["name", "description", "reported_only", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RequirementForm(forms.ModelForm):
    methods = forms.MultipleChoiceField(label=_("Kontrolleras genom"), choices=Method.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    kpi = forms.ChoiceField(label=_("Nyckeltal"), required=False, choices=kpi_choices,
                            help_text=_("Nyckeltalet i månadsuppföljningen som visar kravet (metoden ”nyckeltal”)."))
    unit_types = forms.ModelMultipleChoiceField(
        label=_("Enhetstyper"), queryset=UnitType.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Inga valda: kravet ställs till alla enheter. Annars bara till enheter av de valda typerna."))

    class Meta:
        model = Requirement
        fields = ["key", "code", "title", "text", "question", "answer_type", "rows", "weight", "documents",
                  "applies_to", "methods", "kpi", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "question": forms.Textarea(attrs={"rows": 2}),
                   "documents": forms.Textarea(attrs={"rows": 2}), "rows": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = self.instance.area.catalogue
        if catalogue.tender_id:
            self.fields["unit_types"].queryset = UnitType.objects.filter(area_id=catalogue.tender.area_id)
            if self.instance.pk:
                self.fields["unit_types"].initial = list(self.instance.unit_types.all())
        else:
            del self.fields["unit_types"]


class UnitTypeForm(forms.ModelForm):
    class Meta:
        model = UnitType
        fields = ["area", "name"]


class CopyForm(forms.Form):
    version = forms.CharField(label=_("Ny version"), max_length=40)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fil (YAML eller Excel)"), help_text=_("Filändelse .yaml, .yml eller .xlsx."))
