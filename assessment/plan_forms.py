"""The forms an assessor writes plan items and progress reviews with.

Kept apart from assessment/forms.py (the decision forms): a plan is agreed, not decided.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accounts.params import ModelIdsChoiceField
from accounts.text import FreeTextField
from assessment.models import PlanItem, PlanMethod
from assessment.services import PlanItemContent
from portfolio.models import Portfolio
from portfolio.units import units_of
from qualifications.models import AssessmentCriterion, Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanItemForm(forms.Form):
    """An activity, how it is assessed, the criteria it should cover, and by when."""

    activity = FreeTextField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the learner will do, e.g. “Plan and run the weekly stock rotation”.",
    )
    method = forms.ChoiceField(
        label="How it will be assessed",
        choices=PlanMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the activity will be assessed."},
    )
    target_date = forms.DateField(label="Target date", widget=DATE_INPUT)
    criteria = ModelIdsChoiceField(
        label="Criteria this activity should cover",
        queryset=AssessmentCriterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one criterion this activity should cover."},
    )

    def __init__(
        self, *args: Any, portfolio: Portfolio, item: PlanItem | None = None, **kwargs: Any
    ) -> None:
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "activity": item.activity,
                "method": item.method,
                "target_date": item.target_date,
                "criteria": [c.pk for c in item.criteria.all()],
            }
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = (
            AssessmentCriterion.objects.filter(unit__in=units_of(portfolio))
            .select_related("unit", "outcome")
            .order_by("unit__reference", "outcome__number", "position")
        )

    def criteria_groups(self) -> list[tuple[Unit, list[tuple[AssessmentCriterion, bool]]]]:
        """The criteria offered, grouped by unit, each with whether it is ticked."""
        value = self["criteria"].value() or []
        ticked = {str(pk) for pk in value}
        groups: dict[int, tuple[Unit, list[tuple[AssessmentCriterion, bool]]]] = {}
        for criterion in self.fields["criteria"].queryset:
            group = groups.setdefault(criterion.unit_id, (criterion.unit, []))
            group[1].append((criterion, str(criterion.pk) in ticked))
        return list(groups.values())

    def content(self) -> PlanItemContent:
        data = self.cleaned_data
        return PlanItemContent(
            activity=data["activity"],
            method=data["method"],
            criteria=tuple(data["criteria"]),
            target_date=data["target_date"],
        )


class ProgressReviewForm(forms.Form):
    """When the review was held, the progress against the plan, and what comes next."""

    held_on = forms.DateField(label="Date held", widget=DATE_INPUT)
    progress = FreeTextField(
        label="Progress against the plan",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What has been done since the last review, item by item.",
    )
    next_steps = FreeTextField(
        label="What comes next",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The agreed next steps. Change target dates in the plan itself.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_held_on(self) -> datetime.date:
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                "The review is written after it is held: not a future date."
            )
        return value
