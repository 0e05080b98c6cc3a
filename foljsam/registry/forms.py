from django import forms
from django.utils.translation import gettext_lazy as _

from foljsam.lib.forms import date_widgets
from foljsam.lib.uploads import check_upload

from .models import Area, Board, Contract, Permit, Provider, ProviderEvent, TenderDocument, Unit


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["code", "name", "org_number", "ownership", "contact_email", "phone", "address", "clients", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "area", "unit_type", "manager", "manager_email", "address", "active"]


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["area", "form", "reference", "start", "end", "tender"]
        widgets = date_widgets("start", "end")


class PermitForm(forms.ModelForm):
    class Meta:
        model = Permit
        fields = ["kind", "status", "reference", "valid_from", "valid_to", "checked_on", "note"]
        widgets = date_widgets("valid_from", "valid_to", "checked_on")


class EventForm(forms.ModelForm):
    class Meta:
        model = ProviderEvent
        fields = ["kind", "date", "area", "unit", "note"]
        widgets = date_widgets("date")

    def __init__(self, *args, provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        if provider is not None:
            self.fields["unit"].queryset = provider.units.all()


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = [
            "code", "name", "board", "procurement", "sector", "contract_followup", "indepth_followup",
            "monthly_followup", "quality_study", "followup_year", "sort_order",
        ]


class BoardForm(forms.ModelForm):
    class Meta:
        model = Board
        fields = ["name"]


class TenderForm(forms.ModelForm):
    class Meta:
        model = TenderDocument
        fields = ["area", "name", "version", "valid_from"]
        widgets = date_widgets("valid_from")


class ProviderImportForm(forms.Form):
    file = forms.FileField(label=_("Fil (providers.csv)"), help_text=_("CSV med , eller ; som avgränsare, UTF-8."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, kind="providers")  # size and line length before the file is read
        return upload


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
