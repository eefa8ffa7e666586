"""Where a portfolio stands: each criterion's status, each unit's progress, what is missing.

Every page that shows progress reads it from here, so no page computes its own. Three queries
for a whole portfolio, whatever the number of criteria and evidence items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models

from portfolio.models import Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion, QualificationUnit, Unit


class CriterionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REFERRED = "referred", "Referred"
    MET = "met", "Met"


# A criterion takes the most advanced state of any mapping to it.
PRECEDENCE = {
    MappingStatus.ACCEPTED: (4, CriterionStatus.MET),
    MappingStatus.SUBMITTED: (3, CriterionStatus.SUBMITTED),
    MappingStatus.REFERRED: (2, CriterionStatus.REFERRED),
    MappingStatus.DRAFT: (1, CriterionStatus.DRAFT),
}


def criterion_status(mapping_statuses: list[str]) -> CriterionStatus:
    best = max((PRECEDENCE[status] for status in mapping_statuses), default=None)
    return best[1] if best else CriterionStatus.NOT_STARTED


@dataclass
class CriterionProgress:
    criterion: AssessmentCriterion
    mappings: list[Mapping] = field(default_factory=list)

    @property
    def status(self) -> CriterionStatus:
        return criterion_status([mapping.status for mapping in self.mappings])

    @property
    def has_nothing_submitted(self) -> bool:
        return self.status in (CriterionStatus.NOT_STARTED, CriterionStatus.DRAFT)


@dataclass
class UnitProgress:
    unit: Unit
    criteria: list[CriterionProgress]

    @property
    def total(self) -> int:
        return len(self.criteria)

    def count(self, status: CriterionStatus) -> int:
        return sum(1 for item in self.criteria if item.status == status)

    @property
    def met(self) -> int:
        return self.count(CriterionStatus.MET)

    @property
    def submitted(self) -> int:
        return self.count(CriterionStatus.SUBMITTED)

    @property
    def percent_met(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def gaps(self) -> list[CriterionProgress]:
        return [item for item in self.criteria if item.has_nothing_submitted]


def portfolio_progress(portfolio: Portfolio) -> list[UnitProgress]:
    """Progress per unit of the portfolio's qualification, in the qualification's unit order."""
    units = [
        link.unit
        for link in QualificationUnit.objects.filter(qualification_id=portfolio.qualification_id)
        .select_related("unit")
        .order_by("position")
    ]
    criteria = (
        AssessmentCriterion.objects.filter(unit__in=units)
        .select_related("outcome")
        .order_by("outcome__number", "position")
    )
    mappings = (
        Mapping.objects.filter(evidence__portfolio=portfolio)
        .select_related("evidence")
        .only(
            "pk",
            "status",
            "criterion_id",
            "evidence__id",
            "evidence__title",
            "evidence__activity_date",
            "evidence__type",
        )
        .order_by("evidence__activity_date", "evidence__pk")
    )
    by_criterion: dict[int, list[Mapping]] = defaultdict(list)
    for mapping in mappings:
        by_criterion[mapping.criterion_id].append(mapping)
    by_unit: dict[int, list[CriterionProgress]] = defaultdict(list)
    for criterion in criteria:
        by_unit[criterion.unit_id].append(
            CriterionProgress(criterion=criterion, mappings=by_criterion.get(criterion.pk, []))
        )
    return [UnitProgress(unit=unit, criteria=by_unit.get(unit.pk, [])) for unit in units]


def criterion_statuses(portfolio: Portfolio) -> dict[int, CriterionStatus]:
    """Each criterion's status in this portfolio, by criterion id (criteria with none: absent)."""
    statuses: dict[int, list[str]] = defaultdict(list)
    rows = Mapping.objects.filter(evidence__portfolio=portfolio).values_list(
        "criterion_id", "status"
    )
    for criterion_id, status in rows:
        statuses[criterion_id].append(status)
    return {pk: criterion_status(values) for pk, values in statuses.items()}
