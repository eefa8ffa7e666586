"""What a person asks to be exported."""

from __future__ import annotations

from django import forms
from django.conf import settings

from exports.models import ExportScope


class ExportForm(forms.Form):
    scope = forms.ChoiceField(
        label="What to include",
        choices=ExportScope.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
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


class VerifyFileForm(forms.Form):
    """The PDF to check, or only its SHA-256 when the browser computed it (the file stays)."""

    file = forms.FileField(
        label="The PDF portfolio",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    sha256 = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_file(self) -> object:
        uploaded = self.cleaned_data.get("file")
        if uploaded and uploaded.size > settings.VERIFY_MAX_FILE_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is larger than {settings.VERIFY_MAX_FILE_MB} MB, more than any "
                "portfolio this site issues, so it cannot be one of them."
            )
        return uploaded

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("sha256") and not self.errors:
            raise forms.ValidationError("Choose the PDF file to check.")
        return cleaned
