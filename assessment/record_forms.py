"""The form an assessor writes an observation or professional discussion record with.

Kept apart from assessment/forms.py (the decision forms): a record is evidence, not a decision.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accounts.params import ModelIdsChoiceField
from accounts.text import FreeTextField
from assessment.services import RecordContent
from portfolio.models import AssessorRecord, EvidenceType, Portfolio
from portfolio.units import units_of
from qualifications.models import AssessmentCriterion

# Blank question rows offered beyond those already written; blank rows are ignored.
SPARE_QUESTIONS = 3
MIN_QUESTION_ROWS = 5


class CriterionChoice(ModelIdsChoiceField):
    def label_from_instance(self, obj: AssessmentCriterion) -> str:
        return f"{obj.reference} – {obj.text}"


class RecordForm(forms.Form):
    """What was seen or said, the judgement, and the criteria it is evidence for."""

    title = FreeTextField(
        max_length=200, help_text="A short name, e.g. “Observed handling a refund at the tills”."
    )
    location = FreeTextField(label="Where", max_length=200, required=False)
    occurred_at = forms.DateTimeField(
        label="When (date and time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="When it took place; not in the future.",
    )
    observed = FreeTextField(
        label="What was observed",
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    judgement = FreeTextField(
        label="Your judgement",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Whether what you saw or heard meets the criteria chosen below, and why.",
    )
    criteria = CriterionChoice(
        label="Criteria this record is evidence for",
        queryset=AssessmentCriterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one criterion this record is evidence for."},
    )
    audio = forms.FileField(
        label="Audio recording (optional)",
        required=False,
        help_text="An MP3 or M4A file of the discussion. A new file replaces the earlier one.",
    )

    def __init__(
        self,
        *args: Any,
        portfolio: Portfolio,
        record_type: str,
        record: AssessorRecord | None = None,
        **kwargs: Any,
    ) -> None:
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(record)
        super().__init__(*args, **kwargs)
        self.record_type = record_type
        self.fields["criteria"].queryset = (
            AssessmentCriterion.objects.filter(unit__in=units_of(portfolio))
            .select_related("unit", "outcome")
            .order_by("unit__reference", "outcome__number", "position")
        )
        self.fields["occurred_at"].widget.attrs["max"] = timezone.localtime().strftime(
            "%Y-%m-%dT%H:%M"
        )
        if record_type == EvidenceType.OBSERVATION:
            self.fields["location"].required = True
            self.fields["observed"].required = True
            del self.fields["audio"]
        else:
            del self.fields["observed"]
            written = len(record.items.all()) if record is not None else 0
            self.question_rows = max(MIN_QUESTION_ROWS, written + SPARE_QUESTIONS)
            for n in range(1, self.question_rows + 1):
                self.fields[f"question_{n}"] = FreeTextField(
                    label=f"Question {n}", max_length=2_000, required=False
                )
                self.fields[f"answer_{n}"] = FreeTextField(
                    label=f"Answer {n}, summarised",
                    max_length=10_000,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def question_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The question and answer fields side by side, for the template."""
        return [
            (self[f"question_{n}"], self[f"answer_{n}"])
            for n in range(1, getattr(self, "question_rows", 0) + 1)
        ]

    def clean_occurred_at(self) -> datetime.datetime:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now():
            raise forms.ValidationError("The time cannot be in the future: enter when it happened.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.record_type == EvidenceType.PROFESSIONAL_DISCUSSION:
            pairs = []
            for n in range(1, self.question_rows + 1):
                question = cleaned.get(f"question_{n}", "")
                answer = cleaned.get(f"answer_{n}", "")
                if question and not answer:
                    self.add_error(f"answer_{n}", "Summarise the answer to this question.")
                elif answer and not question:
                    self.add_error(f"question_{n}", "Write the question this answer was to.")
                elif question:
                    pairs.append((question, answer))
            if not pairs and not self.errors:
                self.add_error("question_1", "Record at least one question and its answer.")
            self.pairs = tuple(pairs)
        return cleaned

    def content(self) -> RecordContent:
        data = self.cleaned_data
        return RecordContent(
            title=data["title"],
            location=data["location"],
            occurred_at=data["occurred_at"],
            observed=data.get("observed", ""),
            judgement=data["judgement"],
            criteria=tuple(data["criteria"]),
            discussion=getattr(self, "pairs", ()),
        )


def _initial(record: AssessorRecord) -> dict[str, Any]:
    """The stored record as the form's starting values, for correcting it."""
    initial: dict[str, Any] = {
        "title": record.evidence.title,
        "location": record.location,
        "occurred_at": timezone.localtime(record.occurred_at),
        "observed": record.observed,
        "judgement": record.judgement,
        "criteria": list(record.evidence.mappings.values_list("criterion_id", flat=True)),
    }
    for item in record.items.all():
        initial[f"question_{item.position}"] = item.question
        initial[f"answer_{item.position}"] = item.answer
    return initial
