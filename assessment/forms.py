from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime

from accounts.text import FreeTextField
from assessment.models import VACSR, IqaAgreement, Outcome, VacsrCriterion
from assessment.services import DecisionRequest, Vacsr
from portfolio.models import Mapping

LATER = ""
DECISION_CHOICES = [
    (Outcome.ACCEPTED, "Accept: this evidence meets the criterion"),
    (Outcome.REFERRED, "Refer: feedback required"),
    (LATER, "Decide later"),
]


class DecisionsForm(forms.Form):
    """One accept/refer choice and feedback box per submitted mapping of an evidence item, and
    one VACSR block for the evidence itself: what the assessor confirms of it applies to every
    criterion they accept, and is recorded on each of those decisions."""

    def __init__(self, *args: Any, mappings: list[Mapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mappings = mappings
        for criterion in VACSR:
            self.fields[f"vacsr-{criterion.key}"] = forms.BooleanField(
                label=criterion.label, required=False, help_text=criterion.hint
            )
            self.fields[f"vacsr-{criterion.key}-note"] = FreeTextField(
                label=f"{criterion.label}: note",
                required=False,
                max_length=2_000,
            )
        for mapping in mappings:
            self.fields[f"decision-{mapping.pk}"] = forms.ChoiceField(
                label=f"Your decision on {mapping.criterion.reference}",
                choices=DECISION_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
                initial=LATER,
            )
            self.fields[f"feedback-{mapping.pk}"] = FreeTextField(
                label=f"Feedback for the learner on {mapping.criterion.reference}",
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                max_length=10_000,
                help_text="Required when you refer: say what is missing and how to show it.",
            )
            self.fields[f"seen-{mapping.pk}"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                initial=mapping.submitted_at.isoformat() if mapping.submitted_at else "",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = 0
        for mapping in self.mappings:
            decision = cleaned.get(f"decision-{mapping.pk}")
            if decision:
                chosen += 1
            if (
                decision == Outcome.REFERRED
                and not cleaned.get(f"feedback-{mapping.pk}", "").strip()
            ):
                self.add_error(
                    f"feedback-{mapping.pk}",
                    f"Say what is missing for {mapping.criterion.reference}: a referral needs "
                    "feedback for the learner.",
                )
        if any(cleaned.get(f"decision-{m.pk}") == Outcome.ACCEPTED for m in self.mappings):
            self._clean_vacsr(cleaned)
        if not chosen and not self.errors:
            raise forms.ValidationError(
                "Choose accept or refer for at least one criterion, then record your decisions."
            )
        return cleaned

    def _clean_vacsr(self, cleaned: dict[str, Any]) -> None:
        """Accepting needs each VACSR criterion ticked, or a note saying why not: the note is
        the learner's reason when the acceptance becomes a referral."""
        missing = False
        for criterion in VACSR:
            note = f"vacsr-{criterion.key}-note"
            if cleaned.get(f"vacsr-{criterion.key}") or note in self.errors:
                continue
            if not cleaned.get(note, "").strip():
                missing = True
                self.add_error(
                    note,
                    f"Tick {criterion.label}, or say why the evidence is not "
                    f"{criterion.label.lower()}: the criteria you accept are then referred "
                    "with your note as the reason.",
                )
        if missing:
            # Said at the top too: on a phone the VACSR block is far below the first choice.
            self.add_error(
                None,
                "Before accepting, confirm the evidence is valid, authentic, current, "
                "sufficient and reliable, or say why it is not.",
            )

    def vacsr(self) -> Vacsr:
        """The VACSR block as ticked, with its notes."""
        data = self.cleaned_data
        return Vacsr(
            **{c.key: bool(data.get(f"vacsr-{c.key}")) for c in VACSR},
            notes={c.key: data.get(f"vacsr-{c.key}-note", "") for c in VACSR},
        )

    def requests(self) -> list[DecisionRequest]:
        result = []
        for mapping in self.mappings:
            outcome = self.cleaned_data.get(f"decision-{mapping.pk}")
            if not outcome:
                continue
            seen = parse_datetime(self.cleaned_data.get(f"seen-{mapping.pk}") or "")
            result.append(
                DecisionRequest(
                    mapping_id=mapping.pk,
                    outcome=outcome,
                    feedback=self.cleaned_data.get(f"feedback-{mapping.pk}", ""),
                    seen_submitted_at=seen if isinstance(seen, datetime.datetime) else None,
                    vacsr=self.vacsr() if outcome == Outcome.ACCEPTED else None,
                )
            )
        return result

    def vacsr_rows(self) -> list[tuple[VacsrCriterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"vacsr-{c.key}"], self[f"vacsr-{c.key}-note"]) for c in VACSR]

    def rows(self) -> list[tuple[Mapping, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (m, self[f"decision-{m.pk}"], self[f"feedback-{m.pk}"], self[f"seen-{m.pk}"])
            for m in self.mappings
        ]


class ReasonForm(forms.Form):
    reason = FreeTextField(
        label="Reason for reopening",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text="Kept in the record and shown to the learner.",
        error_messages={"required": "Give a reason for reopening: it is kept in the record."},
    )


class IqaReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Do you agree with this decision?",
        choices=IqaAgreement.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose agree or disagree."},
    )
    feedback = FreeTextField(
        label="Feedback to the assessor",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10_000,
        help_text="Required when you disagree; the mapping then returns to the assessor.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("verdict") == IqaAgreement.DISAGREE
            and not cleaned.get("feedback", "").strip()
        ):
            self.add_error("feedback", "Tell the assessor why you disagree.")
        return cleaned


class SamplingRatesForm(forms.Form):
    """The centre default plus an optional rate per assessor and per unit."""

    default = forms.IntegerField(
        label="Default share of decisions to sample (%)", min_value=0, max_value=100
    )

    def __init__(
        self,
        *args: Any,
        assessors: list[Any],
        units: list[Any],
        current: tuple[int, dict[int, int], dict[int, int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        default, by_assessor, by_unit = current
        self.fields["default"].initial = default
        self.assessors, self.units = assessors, units
        for person in assessors:
            self.fields[f"assessor-{person.pk}"] = forms.IntegerField(
                label=f"{person.full_name} (%)",
                min_value=0,
                max_value=100,
                required=False,
                initial=by_assessor.get(person.pk),
            )
        for unit in units:
            self.fields[f"unit-{unit.pk}"] = forms.IntegerField(
                label=f"{unit.title} (%)",
                min_value=0,
                max_value=100,
                required=False,
                initial=by_unit.get(unit.pk),
            )

    def by_assessor(self) -> dict[int, int | None]:
        """Each assessor's rate as entered; None removes it."""
        return {p.pk: self.cleaned_data[f"assessor-{p.pk}"] for p in self.assessors}

    def by_unit(self) -> dict[int, int | None]:
        """Each unit's rate as entered; None removes it."""
        return {u.pk: self.cleaned_data[f"unit-{u.pk}"] for u in self.units}

    def assessor_fields(self) -> list[forms.BoundField]:
        return [self[f"assessor-{p.pk}"] for p in self.assessors]

    def unit_fields(self) -> list[forms.BoundField]:
        return [self[f"unit-{u.pk}"] for u in self.units]
