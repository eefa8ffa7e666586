"""What a person asks to be exported."""

from __future__ import annotations

from django import forms

from exports.models import ExportScope


class ExportForm(forms.Form):
    scope = forms.ChoiceField(
        label="What to include",
        choices=ExportScope.choices,
        widget=forms.RadioSelect,
        initial=ExportScope.WHOLE,
    )
    unit = forms.ModelChoiceField(
        label="Unit (for a one-unit export)",
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: object, units: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("scope") == ExportScope.UNIT and not cleaned.get("unit"):
            self.add_error("unit", "Choose the unit to export.")
        return cleaned
