import json

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from foljsam.actions.forms import WEEKS
from foljsam.lib.uploads import check_upload
from foljsam.registry.models import ContractForm, Ownership

from .models import ColumnMapping

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
NOT_CSV_OR_XLSX = _("Filen ”%(name)s” är varken CSV eller XLSX.")


class ImportForm(forms.Form):
    visits = forms.FileField(label=_("Besök (visits)"), required=False)
    grants = forms.FileField(label=_("Beviljade insatser (grants)"), required=False)
    additional_reports = forms.FileField(label=_("Tilläggsrapporter (additional_reports)"), required=False)
    mapping = forms.ChoiceField(label=_("Kolumnmappning"), required=False,
                                help_text=_("För export med andra kolumnnamn, t.ex. från Phoniro eller TES."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted(set(ColumnMapping.objects.values_list("name", flat=True)))
        self.fields["mapping"].choices = [("", _("Standardformat (ingen mappning)"))] + [(n, n) for n in names]

    def clean(self):
        data = super().clean()
        files = [data.get(k) for k in ("visits", "grants", "additional_reports")]
        if not any(files):
            raise forms.ValidationError(_("Välj minst en fil att importera."))
        for f in files:
            if f and not f.name.lower().endswith(ALLOWED_SUFFIXES):
                raise forms.ValidationError(NOT_CSV_OR_XLSX, params={"name": f.name})
            if f:  # size, line length, XLSX bombs: refused before the engine reads a byte
                check_upload(f, kind="monthly")
        return data


class ThresholdForm(forms.Form):
    yellow = forms.FloatField(label=_("Gul gräns"))
    red = forms.FloatField(label=_("Röd gräns"))


class JSONDictField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return json.dumps(value, ensure_ascii=False, indent=1) if isinstance(value, dict) else value

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return {}
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Ogiltig JSON: %(err)s"), params={"err": exc.msg}) from exc
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise forms.ValidationError(_("Ange ett objekt med text, t.ex. {\"check_in\": \"Starttid\"}."))
        return parsed


class MappingForm(forms.ModelForm):
    columns = JSONDictField(label=_("Kolumner"), required=False,
                            help_text=_("Vår kolumn → rubrik i exportfilen, t.ex. {\"check_in\": \"Incheckning\"}."))
    method_values = JSONDictField(label=_("Värden för method"), required=False,
                                  help_text=_("T.ex. {\"NFC\": \"electronic\", \"Manuell\": \"manual\"}."))

    class Meta:
        model = ColumnMapping
        fields = ["name", "kind", "columns", "timestamp_format", "date_format", "method_values", "sheet"]


class FigureDeviationForm(forms.Form):
    text = forms.CharField(label=_("Beskrivning av avvikelsen"), widget=forms.Textarea(attrs={"rows": 4}))
    submit_within_weeks = forms.TypedChoiceField(label=_("Åtgärdsplanen ska lämnas"), choices=WEEKS, coerce=int,
                                                 initial=2)


class ImportPeriodForm(forms.Form):
    """The month an upload has figures for: proposed from the file, changeable before the import."""

    period = forms.ChoiceField(label=_("Månad som importen gäller"),
                               help_text=_("Förvald är den månad som har flest rader i filen. Rader från andra "
                                           "månader sparas (för grannmånadernas kontroller) men ger inga nyckeltal."))

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].required = bool(months)  # grants or reports alone declare no month
        self.fields["period"].choices = [
            (m, ngettext("%(m)s (%(n)s rad)", "%(m)s (%(n)s rader)", n) % {"m": m, "n": n}) for m, n in months]


class ScopeForm(forms.Form):
    contract_forms = forms.MultipleChoiceField(label=_("Avtalsformer som följs"), choices=ContractForm.choices,
                                               widget=forms.CheckboxSelectMultiple, required=False)
    ownerships = forms.MultipleChoiceField(label=_("Regiformer som följs"), choices=Ownership.choices,
                                           widget=forms.CheckboxSelectMultiple, required=False,
                                           help_text=_("Egen regi visas bara om det är valt här."))
