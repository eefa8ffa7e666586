"""Criterion-level progress: a criterion's status in a portfolio comes from its mappings alone.

- A criterion is met when any mapping to it is accepted. Otherwise it takes the most advanced
  state of its mappings: submitted > referred > draft > not started.
- "Criteria met" is counted here and nowhere else: `criteria_met` for one or many portfolios,
  per portfolio or per (portfolio, unit), in one grouped query.

Unit and portfolio progress (sign-offs, completion) build on this in `assessment.progress`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, QuerySet

from portfolio.models import Mapping, MappingStatus, Portfolio
from qualifications.models import PASS_BANDS, AssessmentCriterion


class CriterionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REFERRED = "referred", "Referred"
    MET = "met", "Met"


PRECEDENCE = {
    MappingStatus.ACCEPTED: (4, CriterionStatus.MET),
    MappingStatus.SUBMITTED: (3, CriterionStatus.SUBMITTED),
    MappingStatus.REFERRED: (2, CriterionStatus.REFERRED),
    MappingStatus.DRAFT: (1, CriterionStatus.DRAFT),
}


def criterion_status(mapping_statuses: Iterable[str]) -> CriterionStatus:
    best = max((PRECEDENCE[status] for status in mapping_statuses), default=None)
    return best[1] if best else CriterionStatus.NOT_STARTED


@dataclass
class CriterionProgress:
    criterion: AssessmentCriterion
    mappings: list[Mapping] = field(default_factory=list)

    @property
    def status(self) -> CriterionStatus:
        return criterion_status(mapping.status for mapping in self.mappings)

    @property
    def has_nothing_submitted(self) -> bool:
        return self.status in (CriterionStatus.NOT_STARTED, CriterionStatus.DRAFT)


def criterion_statuses(portfolio: Portfolio) -> dict[int, CriterionStatus]:
    """Each criterion's status in this portfolio, by criterion id (criteria with none: absent)."""
    statuses: dict[int, list[str]] = defaultdict(list)
    rows = Mapping.objects.filter(evidence__portfolio=portfolio).values_list(
        "criterion_id", "status"
    )
    for criterion_id, status in rows:
        statuses[criterion_id].append(status)
    return {pk: criterion_status(values) for pk, values in statuses.items()}


def criterion_is_met(portfolio: Portfolio, criterion: AssessmentCriterion) -> bool:
    return Mapping.objects.filter(
        evidence__portfolio=portfolio, criterion=criterion, status=MappingStatus.ACCEPTED
    ).exists()


PortfolioIds = QuerySet[Portfolio] | Iterable[int]


def _accepted(portfolios: PortfolioIds) -> QuerySet[Mapping]:
    if not isinstance(portfolios, QuerySet):
        portfolios = list(portfolios)
    return Mapping.objects.filter(
        evidence__portfolio__in=portfolios,
        status=MappingStatus.ACCEPTED,
        criterion__grade__in=PASS_BANDS,
    )


def criteria_met_by_unit(portfolios: PortfolioIds) -> dict[tuple[int, int], int]:
    """Distinct criteria met that every learner must meet (all of an ungraded unit's, a graded
    unit's pass criteria), by (portfolio id, unit id); one query. Zeroes are absent."""
    return {
        (portfolio_id, unit_id): met
        for portfolio_id, unit_id, met in _accepted(portfolios)
        .values("evidence__portfolio_id", "criterion__unit_id")
        .annotate(met=Count("criterion_id", distinct=True))
        .values_list("evidence__portfolio_id", "criterion__unit_id", "met")
    }
