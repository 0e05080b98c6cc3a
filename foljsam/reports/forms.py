from django import forms
from django.utils.translation import gettext_lazy as _


class SectionTextForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
