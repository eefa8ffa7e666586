"""Looking things up in the real qualification catalogue that the `catalogue` fixture loads."""

from __future__ import annotations

from qualifications.models import AssessmentCriterion, Unit

OCR = "OCR-L3-RSSP-CERT"


def criterion(unit: str, number: str) -> AssessmentCriterion:
    return AssessmentCriterion.objects.select_related("unit").get(
        unit__reference=unit, number=number
    )


def criteria_of(unit: Unit) -> list[AssessmentCriterion]:
    """Every criterion of the unit in the specification's order."""
    return list(
        AssessmentCriterion.objects.filter(unit=unit)
        .select_related("unit")
        .order_by("outcome__number", "position")
    )
