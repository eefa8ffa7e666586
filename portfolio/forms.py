from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.params import ModelIdsChoiceField
from accounts.text import FreeTextField
from portfolio.models import MESSAGE_MAX_LENGTH, Evidence, EvidenceType, MappingStatus
from qualifications.models import AssessmentCriterion, Unit


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["type", "title", "activity_date", "description"]
        field_classes = {"title": FreeTextField, "description": FreeTextField}
        widgets = {
            "activity_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"type": "Type of evidence"}
        help_texts = {
            "title": "A short name you will recognise, e.g. “Customer feedback board, May”.",
            "description": "What you did, where, and who was involved.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["activity_date"].help_text = "When the activity happened (not in the future)."
        if not self.instance.pk:
            self.fields["activity_date"].initial = timezone.localdate()

    def clean_activity_date(self) -> Any:
        value = self.cleaned_data["activity_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                "The date of the activity cannot be in the future. Enter the day it happened."
            )
        return value

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class EvidenceFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    type = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Any type"), *EvidenceType.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unit = forms.ModelChoiceField(
        label="Unit",
        required=False,
        queryset=Unit.objects.none(),
        empty_label="Any unit",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        widget=forms.Select(attrs={"class": "form-select"}),
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            ("unmapped", "Not mapped yet"),
            *MappingStatus.choices,
        ],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


def upload_limit_text() -> str:
    return (
        f"Up to {settings.EVIDENCE_MAX_FILES} files, "
        f"each up to {settings.EVIDENCE_MAX_FILE_MB} MB: "
        "photos (JPEG, PNG, HEIC, WebP), PDFs, Word, Excel, PowerPoint or OpenDocument files, "
        "plain text, MP4 or MOV video, MP3 or M4A audio."
    )


class CommentaryForm(forms.Form):
    """One required commentary box per chosen criterion, named commentary-<criterion id>."""

    def __init__(self, *args: Any, criteria: list[AssessmentCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"commentary-{criterion.pk}"] = FreeTextField(
                label=f"How does this evidence meet {criterion.reference}?",
                widget=forms.Textarea(attrs={"rows": 6}),
                max_length=10_000,
                error_messages={
                    "required": (
                        f"Write your commentary for criterion {criterion.reference}: explain how "
                        "this evidence shows it."
                    ),
                    "max_length": (
                        "Keep the commentary under 10,000 characters (it is %(show_value)d)."
                    ),
                },
            )

    def commentaries(self) -> dict[AssessmentCriterion, str]:
        return {c: self.cleaned_data[f"commentary-{c.pk}"] for c in self.criteria}

    def field_for(self, criterion: AssessmentCriterion) -> forms.BoundField:
        return self[f"commentary-{criterion.pk}"]


class MappingCommentaryForm(forms.Form):
    commentary = FreeTextField(
        label="Your commentary",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        error_messages={
            "required": "Write your commentary: explain how this evidence meets the criterion.",
            "max_length": "Keep the commentary under 10,000 characters (it is %(show_value)d).",
        },
    )


class WitnessRequestForm(forms.Form):
    """Who the witness is and what they saw; optionally the criteria to speak to."""

    witness_name = FreeTextField(label="Witness’s name", max_length=200)
    witness_job_title = FreeTextField(label="Their job title", max_length=200)
    witness_relationship = FreeTextField(
        label="Their relationship to the learner",
        max_length=200,
        help_text="For example “Store manager, the learner’s line manager”.",
    )
    witness_email = forms.EmailField(
        label="Their email address", help_text="The link to give their statement goes here."
    )
    activity = FreeTextField(
        label="The activity they saw",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The witness sees this, so they know what to describe. Say where and roughly "
        "when.",
    )
    criteria = ModelIdsChoiceField(
        label="Criteria the statement should speak to (optional)",
        required=False,
        queryset=AssessmentCriterion.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
        help_text="Hold Ctrl (or Cmd) to choose several. The witness sees each one’s wording.",
    )

    def __init__(self, *args: Any, criteria: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["criteria"]
        field.queryset = criteria
        field.label_from_instance = lambda c: f"{c.reference}: {c.text[:90]}"


class WitnessStatementForm(forms.Form):
    """What a witness can say: what they saw, when, which activities, and that it is true."""

    observed = FreeTextField(
        label="What did you see the learner do?",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Describe it in your own words: what they did, how, and how well.",
    )
    observed_on = forms.DateField(
        label="When did you see it?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The date (or the last date, if you saw it over a period).",
    )
    activities = FreeTextField(
        label="Which activities or tasks did you see?",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example “serving customers at the tills; handling a complaint”.",
    )
    signed_name = FreeTextField(label="Your full name, as your signature", max_length=200)
    declared = forms.BooleanField(label="I confirm the declaration above.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_observed_on(self) -> Any:
        value = self.cleaned_data["observed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                "The date cannot be in the future. Enter the day you saw it."
            )
        return value


class EmployerStatementForm(WitnessStatementForm):
    """The witness statement, written by the employer contact from their account: the same
    questions and declaration, with their job title and relationship (their name and email are
    their account's)."""

    job_title = FreeTextField(label="Your job title", max_length=200)
    relationship = FreeTextField(
        label="Your relationship to the apprentice",
        max_length=200,
        help_text="For example “line manager for two years”.",
    )
    field_order = [
        "job_title",
        "relationship",
        "observed",
        "observed_on",
        "activities",
        "signed_name",
        "declared",
    ]


class OffTheJobForm(forms.Form):
    """One day's off-the-job training; the service checks the rules and says what is wrong."""

    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date of the training, such as 24/11/2026."},
    )
    hours = forms.DecimalField(
        label="Hours",
        help_text="Up to two decimal places: 1.5 for an hour and a half.",
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
        error_messages={"invalid": "Enter the hours as a number, such as 1.5."},
    )
    activity = FreeTextField(
        label="What you did",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The training: a course, shadowing, study, a workshop, and what it covered.",
    )
    evidence = forms.ModelChoiceField(
        label="Linked evidence (optional)",
        queryset=Evidence.objects.none(),
        required=False,
        empty_label="None",
    )

    def __init__(self, *args: Any, portfolio: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["evidence"].queryset = portfolio.evidence.order_by("-activity_date", "title")


class OffTheJobQueryForm(forms.Form):
    reason = FreeTextField(
        label="What is wrong with this entry?",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The apprentice sees this, corrects the entry and sends it again.",
    )


class EqaCodeForm(forms.Form):
    """The six-digit code emailed to an external quality assurer; the service checks it."""

    code = forms.CharField(
        label="Sign-in code",
        max_length=20,
        help_text="The six digits in the email we just sent you.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class MessageForm(forms.Form):
    body = FreeTextField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={
            "required": "Write your message before sending it.",
            "max_length": (
                f"Keep a message under {MESSAGE_MAX_LENGTH:,} characters (it is %(show_value)d)."
            ),
        },
        help_text="Everyone in this conversation reads it. Messages cannot be changed or "
        "deleted once sent, and are kept with the portfolio’s record.",
    )
