"""Unit and portfolio progress; every page that shows progress reads it from here.

A criterion's own status comes from its mappings (`portfolio.progress`). On top of that:

- A unit is ready for sign-off when every criterion it needs for a pass is met.
- A unit is complete when it is signed off (an active, unrevoked sign-off).
- A portfolio works towards its qualification's mandatory units and the optional units
  chosen for it (`portfolio.units`); nothing else counts.
- A graded unit needs its pass criteria; merit and distinction criteria raise its grade.
- A portfolio is complete when every one of its units is signed off and they satisfy the
  qualification's rules of combination (`qualifications.rules`).

A whole portfolio's progress costs five queries, whatever its size; its standing against the
rules of combination (`rules_progress`) four more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from assessment.models import UnitDeclaration, UnitSignOff
from portfolio.models import Mapping, Portfolio
from portfolio.progress import (
    CriterionProgress,
    CriterionStatus,
    PortfolioIds,
    criteria_met_by_unit,
    criterion_statuses,
)
from portfolio.units import unit_ids_by_portfolio, units_of
from qualifications.models import AssessmentCriterion, Grade, Unit
from qualifications.rules import (
    Group,
    GroupStatus,
    RulesStatus,
    is_complete,
    ksb_coverage,
    rules_status,
    unit_grade,
)
from qualifications.selectors import criteria_count_by_unit, rules_by_qualification

KSB_NAMES = {"K": "Knowledge", "S": "Skills", "B": "Behaviours"}


@dataclass
class UnitProgress:
    unit: Unit
    criteria: list[CriterionProgress]
    sign_off: UnitSignOff | None = None
    declaration: UnitDeclaration | None = None
    mandatory: bool = True

    @property
    def required(self) -> list[CriterionProgress]:
        """The criteria every learner must meet: all of an ungraded unit's, a graded unit's
        pass criteria. Merit and distinction criteria raise the grade but are optional."""
        return [item for item in self.criteria if item.criterion.counts_towards_pass]

    @property
    def total(self) -> int:
        return len(self.required)

    def count(self, status: CriterionStatus) -> int:
        return sum(1 for item in self.criteria if item.status == status)

    @property
    def met(self) -> int:
        return sum(1 for item in self.required if item.status == CriterionStatus.MET)

    @property
    def is_graded(self) -> bool:
        return any(item.criterion.grade for item in self.criteria)

    @property
    def grade(self) -> str | None:
        """Pass, merit or distinction from the criteria met; None if ungraded or not yet a pass."""
        return unit_grade(
            (item.criterion.grade, item.status == CriterionStatus.MET) for item in self.criteria
        )

    @property
    def grade_label(self) -> str:
        """A graded unit's grade so far in words ("Merit", "Not yet a pass"); "" if ungraded."""
        if not self.is_graded:
            return ""
        grade = self.grade
        return Grade(grade).label if grade else "Not yet a pass"

    @property
    def higher_criteria(self) -> list[tuple[CriterionProgress, bool]]:
        """A graded unit's merit and distinction criteria, each with whether it is met: not
        needed for a pass, but they raise the grade."""
        return [
            (item, item.status == CriterionStatus.MET)
            for item in self.criteria
            if not item.criterion.counts_towards_pass
        ]

    @property
    def ksb(self) -> dict[str, tuple[int, int]]:
        """Knowledge, skills and behaviours met and in all, for an apprenticeship standard."""
        return ksb_coverage(
            (item.criterion.number, item.status == CriterionStatus.MET) for item in self.criteria
        )

    @property
    def ksb_rows(self) -> list[tuple[str, int, int]]:
        """(Knowledge/Skills/Behaviours, met, in all) for the letters the unit uses."""
        return [(KSB_NAMES[letter], met, total) for letter, (met, total) in self.ksb.items()]

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
    """Progress per unit the portfolio works towards (mandatory and chosen optional units),
    in the qualification's unit order."""
    # units_of joins the qualification's links once; the annotation reads the same row.
    units = list(units_of(portfolio).annotate(is_mandatory=F("qualification_links__mandatory")))
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
            "evidence__number",
            "evidence__activity_date",
            "evidence__type",
        )
        .order_by("evidence__activity_date", "evidence__pk")
    )
    by_criterion: dict[int, list[Mapping]] = defaultdict(list)
    for mapping in mappings:
        by_criterion[mapping.criterion_id].append(mapping)
    by_unit: dict[int, list[CriterionProgress]] = defaultdict(list)
    unit_by_id = {unit.pk: unit for unit in units}
    for criterion in criteria:
        criterion.unit = unit_by_id[criterion.unit_id]  # read already: no query per criterion
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
            mandatory=unit.is_mandatory,
        )
        for unit in units
    ]


def portfolio_is_complete(portfolio: Portfolio, units: list[UnitProgress]) -> bool:
    """Complete when every unit the portfolio works towards is signed off and those units
    satisfy the qualification's rules of combination."""
    rules = rules_by_qualification([portfolio.qualification_id])[portfolio.qualification_id]
    return is_complete(rules, chosen=_chosen(units), signed_off=_achieved(units))


def _chosen(units: list[UnitProgress]) -> set[str]:
    return {unit.unit.reference for unit in units}


def _achieved(units: list[UnitProgress]) -> set[str]:
    """A unit counts as achieved once it is signed off."""
    return {unit.unit.reference for unit in units if unit.signed_off}


@dataclass
class GroupProgress:
    """One group of the rules of combination: its limits and counts (`status`), the
    portfolio's units placed in it, and its subgroups."""

    status: GroupStatus
    units: list[UnitProgress]
    groups: list[GroupProgress] = field(default_factory=list)


@dataclass(frozen=True)
class BarredPair:
    """Two units that may not both be taken, and which of them the portfolio has."""

    first: str
    second: str
    chosen: tuple[str, ...]

    @property
    def broken(self) -> bool:
        return len(self.chosen) == 2

    @property
    def kept(self) -> bool:
        return not self.broken

    @property
    def state(self) -> str:
        if self.broken:
            return "Both are chosen: one of them must be removed."
        if self.chosen:
            [taken] = self.chosen
            other = self.second if taken == self.first else self.first
            return f"{taken} is chosen, so {other} cannot be."
        return "Neither is chosen."


@dataclass
class RulesProgress:
    """How a portfolio's units stand against its qualification's rules of combination: the
    portfolio page's and the PDF's summary of the rules read this, and nothing else."""

    every_unit_required: bool
    status: RulesStatus
    groups: list[GroupProgress]
    barred: list[BarredPair]
    complete: bool

    @property
    def credits_chosen_met(self) -> bool:
        return self.status.chosen_credits >= (self.status.min_credits or 0)

    @property
    def credits_achieved_met(self) -> bool:
        return self.status.achieved_credits >= (self.status.min_credits or 0)

    @property
    def level_credits(self) -> int:
        return self.status.level_rule[1] if self.status.level_rule else 0

    @property
    def level_chosen_met(self) -> bool:
        return self.status.chosen_level_credits >= self.level_credits

    @property
    def level_achieved_met(self) -> bool:
        return self.status.achieved_level_credits >= self.level_credits


def _group_progress(
    group: Group, status: GroupStatus, units: dict[str, UnitProgress]
) -> GroupProgress:
    return GroupProgress(
        status=status,
        units=[units[ref] for ref in group.units if ref in units],
        groups=[
            _group_progress(child, child_status, units)
            for child, child_status in zip(group.groups, status.children, strict=True)
        ],
    )


def rules_progress(portfolio: Portfolio, units: list[UnitProgress]) -> RulesProgress:
    """The portfolio's chosen units (`units`, from portfolio_progress) and those signed off,
    against every rule of its qualification; four queries."""
    rules = rules_by_qualification([portfolio.qualification_id])[portfolio.qualification_id]
    chosen, achieved = _chosen(units), _achieved(units)
    status = rules_status(rules, chosen, achieved)
    by_reference = {unit.unit.reference: unit for unit in units}
    return RulesProgress(
        every_unit_required=rules.every_unit_required,
        status=status,
        groups=[
            _group_progress(group, group_status, by_reference)
            for group, group_status in zip(rules.groups, status.groups, strict=True)
        ],
        barred=[
            BarredPair(
                first=first,
                second=second,
                chosen=tuple(ref for ref in (first, second) if ref in chosen),
            )
            for first, second in rules.barred
        ],
        complete=is_complete(rules, chosen=chosen, signed_off=achieved),
    )


def completion(portfolios: list[Portfolio]) -> dict[int, bool]:
    """Whether each portfolio is complete (see portfolio_is_complete); seven queries."""
    rules = rules_by_qualification({p.qualification_id for p in portfolios})
    unit_ids = unit_ids_by_portfolio(portfolios)
    references = dict(
        Unit.objects.filter(pk__in={u for ids in unit_ids.values() for u in ids}).values_list(
            "pk", "reference"
        )
    )
    signed = signed_off_units(p.pk for p in portfolios)
    return {
        p.pk: is_complete(
            rules[p.qualification_id],
            chosen={references[u] for u in unit_ids[p.pk]},
            signed_off={references[u] for u in unit_ids[p.pk] if u in signed.get(p.pk, ())},
        )
        for p in portfolios
    }


def signed_off_units(portfolios: PortfolioIds) -> dict[int, set[int]]:
    """Unit ids with an active sign-off, by portfolio id; one query. Portfolios with none are
    absent."""
    if not isinstance(portfolios, QuerySet):
        portfolios = list(portfolios)
    signed: dict[int, set[int]] = defaultdict(set)
    for portfolio_id, unit_id in UnitSignOff.objects.filter(
        portfolio__in=portfolios, revoked_at__isnull=True
    ).values_list("portfolio_id", "unit_id"):
        signed[portfolio_id].add(unit_id)
    return dict(signed)


def unit_is_graded(unit: Unit) -> bool:
    """Whether the unit's criteria carry grade bands (pass, merit, distinction)."""
    return unit.criteria.exclude(grade="").exists()


def unit_grade_now(portfolio: Portfolio, unit: Unit) -> Grade | None:
    """The grade the portfolio's accepted evidence achieves for a graded unit; two queries."""
    statuses = criterion_statuses(portfolio)
    return unit_grade(
        (grade, statuses.get(pk) == CriterionStatus.MET)
        for pk, grade in unit.criteria.values_list("pk", "grade")
    )


def unit_all_met(portfolio: Portfolio, unit: Unit) -> bool:
    """Every criterion of the unit has an accepted mapping in this portfolio."""
    total = criteria_count_by_unit([unit.pk]).get(unit.pk, 0)
    met = criteria_met_by_unit([portfolio.pk]).get((portfolio.pk, unit.pk), 0)
    return total > 0 and met == total


def units_ready_for_sign_off(portfolios: list[Portfolio]) -> dict[int, list[int]]:
    """Unit ids whose criteria are all met but not yet signed off, by portfolio id; 4 queries."""
    portfolio_units = unit_ids_by_portfolio(portfolios)
    totals = criteria_count_by_unit(u for units in portfolio_units.values() for u in units)
    met = criteria_met_by_unit(p.pk for p in portfolios)
    signed = set(
        UnitSignOff.objects.filter(
            portfolio__in=[p.pk for p in portfolios], revoked_at__isnull=True
        ).values_list("portfolio_id", "unit_id")
    )
    ready: dict[int, list[int]] = defaultdict(list)
    for portfolio in portfolios:
        for unit_id in portfolio_units[portfolio.pk]:
            total = totals.get(unit_id, 0)
            if (
                total
                and met.get((portfolio.pk, unit_id), 0) == total
                and (portfolio.pk, unit_id) not in signed
            ):
                ready[portfolio.pk].append(unit_id)
    return ready
