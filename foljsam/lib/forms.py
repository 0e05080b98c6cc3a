"""Form helpers shared by the apps."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def date_widgets(*names: str) -> dict:
    return {name: DateInput() for name in names}


def parse_pk(value) -> int | None:
    """A primary key from a query or form parameter; anything but a plain positive number is ignored
    (str.isdigit alone accepts "²", and a huge number overflows the database's integer)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value) or None
