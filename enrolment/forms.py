"""The enrolment pages' forms: they check what was typed; the rules themselves are
validation.py's, which the services apply again."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts.models import Role, User
from accounts.params import ModelIdsChoiceField
from accounts.text import FreeTextField
from cohorts.models import Cohort
from enrolment.intake_file import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    NOT_UTF8,
    OPTIONAL_UNITS,
    REGISTRATION_NUMBER,
    ULN,
    decode_intake,
)
from enrolment.selectors import (
    centre_cohorts,
    centre_people,
    current_qualifications,
    sample_choices,
    units_taken_at,
)
from enrolment.validation import (
    EMAIL_MAX_LENGTH,
    FIELDS,
    NAME_MAX_LENGTH,
    NO_END,
    NO_NAME,
    NO_QUALIFICATION,
    NO_START,
    REGISTRATION_MAX_LENGTH,
    cohort_problem,
    dates_problem,
    designated_iqa_problem,
    formula_problem,
    normalise_uln,
    uln_problem,
)
from portfolio.models import Portfolio
from portfolio.services import eqa
from qualifications.models import Unit


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _qualification_field() -> forms.ModelChoiceField:
    """The current version of each qualification: the one new learners start on."""
    return forms.ModelChoiceField(
        label="Qualification",
        queryset=current_qualifications().order_by("title"),
        empty_label="Choose a qualification",
        error_messages={"required": NO_QUALIFICATION},
    )


def _not_a_formula(value: str) -> str:
    if problem := formula_problem(value):
        raise forms.ValidationError(problem)
    return value


def _registration_field(*, among_required: bool = False) -> forms.CharField:
    """`among_required`: on a form whose other fields must be filled in, say it may not be."""
    return FreeTextField(
        label="Awarding-body registration number" + (" (optional)" if among_required else ""),
        max_length=REGISTRATION_MAX_LENGTH,
        required=False,
        help_text="The learner’s registration number with the awarding body for this "
        "qualification.",
    )


def _uln_field(*, among_required: bool = False) -> forms.CharField:
    # Read as free text (a ULN pasted from elsewhere may carry invisible controls); its length
    # and shape are the ULN rule's, checked by `_uln_cleaned`.
    return FreeTextField(
        label="Unique Learner Number (ULN" + (", optional)" if among_required else ")"),
        required=False,
        help_text="Ten digits, from the Learner Records Service. It belongs to the learner, so "
        "it shows on all their portfolios.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _registration_cleaned(value: str) -> str:
    return _not_a_formula(" ".join(value.split()))


def _uln_cleaned(value: str) -> str:
    uln = normalise_uln(value)
    if problem := uln_problem(uln):
        raise forms.ValidationError(problem)
    return uln


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cohort) -> str:
        return f"{obj.name} · {obj.qualification}" if obj.qualification_id else obj.name


class DatesForm(forms.Form):
    """Start and planned end, the end not before the start."""

    start_date = forms.DateField(
        label="Start", widget=_date_input(), error_messages={"required": NO_START}
    )
    planned_end_date = forms.DateField(
        label="Planned end",
        widget=_date_input(),
        error_messages={"required": NO_END},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := dates_problem(cleaned.get("start_date"), cleaned.get("planned_end_date")):
            self.add_error("planned_end_date", problem)
        return cleaned


class CohortForm(DatesForm):
    name = FreeTextField(
        label="Cohort name",
        max_length=200,
        help_text="For example “Retail Level 3 – September 2026”. Each name is used once.",
        error_messages={"required": "Give the cohort a name."},
    )
    qualification = _qualification_field()
    tutors = ModelIdsChoiceField(
        label="Tutors",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Learners enrolled in the cohort get the first of these (by name) as tutor.",
    )

    field_order = ["name", "qualification", "start_date", "planned_end_date", "tutors"]

    def __init__(self, *args: Any, centre_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tutors"].queryset = centre_people(centre_id, Role.TUTOR).order_by("full_name")

    def clean_name(self) -> str:
        return _not_a_formula(self.cleaned_data["name"])


class EnrolForm(DatesForm):
    full_name = FreeTextField(
        label="Learner’s full name",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": NO_NAME},
    )
    email = forms.EmailField(
        label="Learner’s email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="New learners are emailed a link to choose their password.",
        error_messages={"required": "Enter the learner’s email address."},
    )
    qualification = _qualification_field()
    cohort = CohortChoiceField(
        label="Cohort",
        queryset=Cohort.objects.none(),
        empty_label="Choose a cohort",
        help_text="A cohort on the same qualification. Its first tutor becomes the learner’s.",
        error_messages={"required": "Choose a cohort, or create one first."},
    )
    assessor = PersonChoiceField(
        label="Assessor",
        queryset=User.objects.none(),
        empty_label="Choose an assessor",
        error_messages={"required": "Choose the learner’s assessor."},
    )
    uln = _uln_field(among_required=True)
    registration_number = _registration_field(among_required=True)

    field_order = list(FIELDS)

    def __init__(self, *args: Any, centre_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = centre_cohorts(centre_id)
        self.fields["assessor"].queryset = centre_people(centre_id, Role.ASSESSOR).order_by(
            "full_name"
        )

    def clean_full_name(self) -> str:
        return _not_a_formula(self.cleaned_data["full_name"])

    def clean_uln(self) -> str:
        return _uln_cleaned(self.cleaned_data["uln"])

    def clean_registration_number(self) -> str:
        return _registration_cleaned(self.cleaned_data["registration_number"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := cohort_problem(cleaned.get("cohort"), cleaned.get("qualification")):
            self.add_error("cohort", problem)
        return cleaned


class ReassignForm(forms.Form):
    assessor = PersonChoiceField(
        label="Assessor", queryset=User.objects.none(), required=False, empty_label="No assessor"
    )
    tutor = PersonChoiceField(
        label="Tutor", queryset=User.objects.none(), required=False, empty_label="No tutor"
    )
    iqa = PersonChoiceField(
        label="Designated IQA",
        queryset=User.objects.none(),
        required=False,
        empty_label="No designated IQA",
        help_text="The internal quality assurer named for this portfolio; not its assessor.",
    )
    registration_number = _registration_field()
    uln = _uln_field()

    def __init__(self, *args: Any, centre_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = centre_people(centre_id, Role.ASSESSOR).order_by(
            "full_name"
        )
        self.fields["tutor"].queryset = centre_people(centre_id, Role.TUTOR).order_by("full_name")
        self.fields["iqa"].queryset = centre_people(centre_id, Role.IQA).order_by("full_name")

    def clean_registration_number(self) -> str:
        return _registration_cleaned(self.cleaned_data["registration_number"])

    def clean_uln(self) -> str:
        return _uln_cleaned(self.cleaned_data["uln"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := designated_iqa_problem(
            cleaned.get("iqa"), assessor=cleaned.get("assessor"), learner=None
        ):
            self.add_error("iqa", problem)
        return cleaned


class IntakeUploadForm(forms.Form):
    file = forms.FileField(
        label="Intake file (CSV)",
        help_text=(
            "One row per learner under a header row with the columns "
            + ", ".join(f"“{column}”" for column in COLUMNS)
            + f", and optionally “{OPTIONAL_UNITS}”, “{ULN}” and “{REGISTRATION_NUMBER}”. Dates "
            "as 2026-09-01 or 01/09/2026. Up to "
            f"{MAX_ROWS:,} learners."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose the CSV file to upload."},
    )

    def clean_file(self) -> Any:
        """Refuse what is not an intake list; the text of one that is waits for the preview."""
        uploaded = self.cleaned_data["file"]
        if getattr(uploaded, "exceeded_limit", False) or uploaded.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {filesizeformat(MAX_FILE_BYTES)}: that is more than an "
                f"intake of {MAX_ROWS:,} learners. Split it and upload each part in turn."
            )
        text = decode_intake(uploaded.read())
        if text is None:
            raise forms.ValidationError(NOT_UTF8)
        self.cleaned_data["text"] = text
        return uploaded


class ApprenticeshipForm(forms.Form):
    """Whether the portfolio is an apprenticeship, its employer contact and planned hours."""

    is_apprenticeship = forms.BooleanField(
        label="This portfolio is an apprenticeship", required=False
    )
    planned_hours = forms.IntegerField(
        label="Planned off-the-job hours",
        required=False,
        min_value=1,
        max_value=10_000,
        help_text="The total over the whole apprenticeship, in whole hours.",
        error_messages={
            "invalid": "Enter the planned hours as a whole number, such as 278.",
            "min_value": "Enter the planned off-the-job hours, a whole number more than 0.",
            "max_value": "That is more hours than an apprenticeship plans; check the number.",
        },
    )
    employer = PersonChoiceField(
        label="Employer contact",
        queryset=User.objects.none(),
        required=False,
        empty_label="None, or a new one named below",
        help_text="The apprentice’s line manager, who confirms their off-the-job hours.",
    )
    new_employer_name = FreeTextField(
        label="Or a new employer contact’s name", max_length=NAME_MAX_LENGTH, required=False
    )
    new_employer_email = forms.EmailField(
        label="Their email address",
        max_length=EMAIL_MAX_LENGTH,
        required=False,
        help_text="They are emailed a link to choose a password.",
    )

    def __init__(self, *args: Any, centre_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = centre_people(centre_id, Role.EMPLOYER).order_by(
            "full_name"
        )

    def clean_new_employer_name(self) -> str:
        return _not_a_formula(" ".join(self.cleaned_data["new_employer_name"].split()))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name, email = cleaned.get("new_employer_name"), cleaned.get("new_employer_email")
        if name and not email and "new_employer_email" not in self.errors:
            self.add_error("new_employer_email", "Enter the new employer contact’s email address.")
        if email and not name:
            self.add_error("new_employer_name", "Enter the new employer contact’s name.")
        needs_hours = cleaned.get("is_apprenticeship") and not cleaned.get("planned_hours")
        if needs_hours and "planned_hours" not in self.errors:
            self.add_error(
                "planned_hours",
                "Enter the planned off-the-job hours, a whole number more than 0.",
            )
        return cleaned


class SamplePortfolioField(ModelIdsChoiceField):
    def label_from_instance(self, obj: Portfolio) -> str:
        return (
            f"{obj.learner.full_name} · {obj.qualification.title} ({obj.qualification.reference})"
        )


class SampleUnitField(ModelIdsChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.reference} (version {obj.version}): {obj.title}"


class EqaGrantForm(forms.Form):
    """Who the external quality assurer is, until when, and the sample; the service checks the
    rules again."""

    full_name = FreeTextField(label="Assurer’s full name", max_length=NAME_MAX_LENGTH)
    email = forms.EmailField(
        label="Assurer’s email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="The sign-in link and each one-time code go to this address.",
    )
    organisation = FreeTextField(
        label="Assuring for",
        max_length=200,
        help_text="The awarding body or organisation, e.g. OCR.",
    )
    expires_on = forms.DateField(
        label="Access until the end of",
        widget=_date_input(),
        help_text=f"At most {eqa.MAX_DAYS} days from today.",
    )
    portfolios = SamplePortfolioField(
        label="Learners’ portfolios",
        queryset=Portfolio.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = SampleUnitField(
        label="Or every portfolio at the centre that takes a unit",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, centre_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        attrs = self.fields["expires_on"].widget.attrs
        attrs["min"] = today.isoformat()
        attrs["max"] = (today + datetime.timedelta(days=eqa.MAX_DAYS)).isoformat()
        self.fields["portfolios"].queryset = sample_choices(centre_id)
        self.fields["units"].queryset = units_taken_at(centre_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("portfolios") and not cleaned.get("units") and not self.errors:
            raise forms.ValidationError(
                "Choose at least one learner’s portfolio or one unit for the sample."
            )
        return cleaned
