"""Form helpers shared by the apps."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def date_widgets(*names: str) -> dict:
    return {name: DateInput() for name in names}
