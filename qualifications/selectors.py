"""Reads of the catalogue for its pages. The catalogue is reference data every signed-in
person may read, so these need no per-user scoping."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from qualifications.models import (
    AssessmentCriterion,
    GuidanceItem,
    GuidanceSection,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)


def qualification_list() -> QuerySet[Qualification]:
    return (
        Qualification.objects.select_related("awarding_body")
        .annotate(unit_total=Count("unit_links", distinct=True))
        .order_by("awarding_body__name", "title")
    )


def qualification_detail(reference: str) -> Qualification:
    links = (
        QualificationUnit.objects.select_related("unit")
        .annotate(
            outcome_total=Count("unit__outcomes", distinct=True),
            criterion_total=Count("unit__criteria", distinct=True),
        )
        .order_by("position")
    )
    return get_object_or_404(
        Qualification.objects.select_related("awarding_body").prefetch_related(
            Prefetch("unit_links", queryset=links)
        ),
        reference=reference,
    )


def unit_detail(reference: str) -> Unit:
    outcomes = LearningOutcome.objects.prefetch_related(
        Prefetch("criteria", queryset=AssessmentCriterion.objects.order_by("position"))
    ).order_by("number")
    return get_object_or_404(
        Unit.objects.prefetch_related(
            Prefetch("outcomes", queryset=outcomes),
            Prefetch("guidance", queryset=GuidanceItem.objects.order_by("position")),
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.select_related("awarding_body").order_by("title"),
            ),
        ),
        reference=reference,
    )


def guidance_sections(unit: Unit) -> list[tuple[str, str, list[GuidanceItem]]]:
    """The unit's guidance grouped by section, in display order, empty sections left out."""
    grouped: dict[str, list[GuidanceItem]] = {section: [] for section in GuidanceSection.values}
    for item in unit.guidance.all():
        grouped[item.section].append(item)
    return [
        (section, GuidanceSection(section).label, items)
        for section, items in grouped.items()
        if items
    ]


def units_by_qualification(qualification_ids: Iterable[int]) -> dict[int, list[int]]:
    """Unit ids of each qualification, in the qualification's order; one query."""
    units: dict[int, list[int]] = defaultdict(list)
    for qualification_id, unit_id in (
        QualificationUnit.objects.filter(qualification_id__in=set(qualification_ids))
        .order_by("position")
        .values_list("qualification_id", "unit_id")
    ):
        units[qualification_id].append(unit_id)
    return units


def criteria_count_by_unit(unit_ids: Iterable[int]) -> dict[int, int]:
    """How many assessment criteria each unit has; one query. Units with none are absent."""
    return dict(
        AssessmentCriterion.objects.filter(unit_id__in=set(unit_ids))
        .values("unit_id")
        .annotate(total=Count("pk"))
        .values_list("unit_id", "total")
    )


def criteria_count_by_qualification(qualification_ids: Iterable[int]) -> dict[int, int]:
    """How many assessment criteria each qualification's units have in all; one query."""
    return dict(
        QualificationUnit.objects.filter(qualification_id__in=set(qualification_ids))
        .values("qualification_id")
        .annotate(total=Count("unit__criteria"))
        .values_list("qualification_id", "total")
    )
