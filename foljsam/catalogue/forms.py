from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Catalogue, Requirement, RequirementArea


class CatalogueForm(forms.ModelForm):
    class Meta:
        model = Catalogue
        fields = ["name", "version", "tender", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AreaForm(forms.ModelForm):
    class Meta:
        model = RequirementArea
        fields = ["name", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        fields = ["code", "title", "text", "question", "answer_type", "weight", "documents", "applies_to", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "question": forms.Textarea(attrs={"rows": 2}),
                   "documents": forms.Textarea(attrs={"rows": 2})}


class CopyForm(forms.Form):
    version = forms.CharField(label=_("Ny version"), max_length=40)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fil (YAML eller Excel)"), help_text=_("Filändelse .yaml, .yml eller .xlsx."))
