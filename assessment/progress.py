"""Unit and portfolio progress; every page that shows progress reads it from here.

A criterion's own status comes from its mappings (`portfolio.progress`). On top of that:

- A unit is ready for sign-off when every one of its criteria is met.
- A unit is complete when it is signed off (an active, unrevoked sign-off).
- A portfolio is complete when every unit of its qualification is signed off.

A whole portfolio's progress costs five queries, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from assessment.models import UnitDeclaration, UnitSignOff
from portfolio.models import Mapping, Portfolio
from portfolio.progress import (
    CriterionProgress,
    CriterionStatus,
    PortfolioIds,
    criteria_met_by_unit,
)
from qualifications.models import AssessmentCriterion, QualificationUnit, Unit
from qualifications.selectors import criteria_count_by_unit, units_by_qualification


@dataclass
class UnitProgress:
    unit: Unit
    criteria: list[CriterionProgress]
    sign_off: UnitSignOff | None = None
    declaration: UnitDeclaration | None = None

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
    def referred(self) -> int:
        return self.count(CriterionStatus.REFERRED)

    @property
    def percent_met(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def gaps(self) -> list[CriterionProgress]:
        return [item for item in self.criteria if item.has_nothing_submitted]

    @property
    def all_met(self) -> bool:
        return self.total > 0 and self.met == self.total

    @property
    def signed_off(self) -> bool:
        return self.sign_off is not None

    @property
    def ready_for_sign_off(self) -> bool:
        return self.all_met and not self.signed_off


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
    sign_offs = {
        s.unit_id: s
        for s in UnitSignOff.objects.filter(
            portfolio=portfolio, revoked_at__isnull=True
        ).select_related("signed_by")
    }
    declarations = {
        d.unit_id: d
        for d in UnitDeclaration.objects.filter(portfolio=portfolio).select_related("declared_by")
    }
    return [
        UnitProgress(
            unit=unit,
            criteria=by_unit.get(unit.pk, []),
            sign_off=sign_offs.get(unit.pk),
            declaration=declarations.get(unit.pk),
        )
        for unit in units
    ]


def is_complete(*, units_total: int, units_signed_off: int) -> bool:
    """A portfolio is complete when every unit of its qualification is signed off."""
    return units_total > 0 and units_signed_off >= units_total


def portfolio_is_complete(units: list[UnitProgress]) -> bool:
    return is_complete(
        units_total=len(units), units_signed_off=sum(1 for unit in units if unit.signed_off)
    )


def units_signed_off(portfolios: PortfolioIds) -> dict[int, int]:
    """Units with an active sign-off, by portfolio id; one query. Portfolios with none are
    absent."""
    if not isinstance(portfolios, QuerySet):
        portfolios = list(portfolios)
    return dict(
        UnitSignOff.objects.filter(portfolio__in=portfolios, revoked_at__isnull=True)
        .values("portfolio_id")
        .annotate(total=Count("pk"))
        .values_list("portfolio_id", "total")
    )


def unit_all_met(portfolio: Portfolio, unit: Unit) -> bool:
    """Every criterion of the unit has an accepted mapping in this portfolio."""
    total = criteria_count_by_unit([unit.pk]).get(unit.pk, 0)
    met = criteria_met_by_unit([portfolio.pk]).get((portfolio.pk, unit.pk), 0)
    return total > 0 and met == total


def units_ready_for_sign_off(portfolios: list[Portfolio]) -> dict[int, list[int]]:
    """Unit ids whose criteria are all met but not yet signed off, by portfolio id; 4 queries."""
    qualification_units = units_by_qualification(p.qualification_id for p in portfolios)
    totals = criteria_count_by_unit(u for units in qualification_units.values() for u in units)
    met = criteria_met_by_unit(p.pk for p in portfolios)
    signed = set(
        UnitSignOff.objects.filter(
            portfolio__in=[p.pk for p in portfolios], revoked_at__isnull=True
        ).values_list("portfolio_id", "unit_id")
    )
    ready: dict[int, list[int]] = defaultdict(list)
    for portfolio in portfolios:
        for unit_id in qualification_units[portfolio.qualification_id]:
            total = totals.get(unit_id, 0)
            if (
                total
                and met.get((portfolio.pk, unit_id), 0) == total
                and (portfolio.pk, unit_id) not in signed
            ):
                ready[portfolio.pk].append(unit_id)
    return ready
