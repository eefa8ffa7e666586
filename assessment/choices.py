"""What the units page reads: a portfolio's mandatory and chosen units, the optional units still
open to it (or why each is refused), and how the choice stands against every rule of
combination. The rules are qualifications/rules.py's; this only gathers the facts they need.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from assessment.progress import signed_off_units
from assessment.services.units import sentence
from portfolio.models import Portfolio, UnitChoice
from qualifications.models import QualificationUnit, Unit
from qualifications.rules import GroupStatus, Rules, RulesStatus, optional_choices, rules_status
from qualifications.selectors import rules_by_qualification


@dataclass(frozen=True)
class ChosenUnit:
    unit: Unit
    group: str
    chosen_by: str
    chosen_at: datetime.datetime


@dataclass(frozen=True)
class OpenUnit:
    """An optional unit not chosen yet, with the reason it cannot be chosen now (a sentence),
    or no reason when it is open."""

    unit: Unit
    reason: str | None

    @property
    def is_open(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class GroupSection:
    """One group of the rules with its running totals and its own units still to choose."""

    status: GroupStatus
    parent: str
    remaining: list[OpenUnit]


@dataclass(frozen=True)
class UnitChoices:
    mandatory: list[Unit]
    chosen: list[ChosenUnit]
    sections: list[GroupSection]
    ungrouped: list[OpenUnit]  # optional units in no group
    status: RulesStatus

    @property
    def has_optional(self) -> bool:
        return bool(self.chosen or self.remaining)

    @property
    def problems(self) -> list[str]:
        """What the chosen units still lack or break, as sentences."""
        return [sentence(problem) for problem in self.status.problems]

    @property
    def remaining(self) -> list[OpenUnit]:
        """Every optional unit not chosen yet, open or not."""
        return [unit for section in self.sections for unit in section.remaining] + self.ungrouped

    @property
    def open_count(self) -> int:
        return sum(1 for unit in self.remaining if unit.is_open)


def _group_of(rules: Rules) -> dict[str, str]:
    """Each grouped unit's own (innermost) group, by unit reference."""
    return {ref: group.name for group in rules.all_groups() for ref in group.units}


def _flatten(statuses: list[GroupStatus], parent: str = "") -> list[tuple[GroupStatus, str]]:
    found = []
    for status in statuses:
        found.append((status, parent))
        found.extend(_flatten(status.children, status.name))
    return found


def unit_choices(portfolio: Portfolio) -> UnitChoices:
    """Everything the units page shows for this portfolio; eight queries."""
    qualification_id = portfolio.qualification_id
    rules = rules_by_qualification([qualification_id])[qualification_id]
    links = list(
        QualificationUnit.objects.filter(qualification_id=qualification_id)
        .select_related("unit")
        .order_by("position")
    )
    units = {link.unit.reference: link.unit for link in links}
    mandatory = [link.unit for link in links if link.mandatory]
    choices = {
        choice.unit_id: choice
        for choice in UnitChoice.objects.filter(portfolio=portfolio).select_related("chosen_by")
    }
    chosen_units = [link.unit for link in links if not link.mandatory and link.unit.pk in choices]
    taken = {unit.reference for unit in mandatory + chosen_units}
    signed = signed_off_units([portfolio.pk]).get(portfolio.pk, set())
    achieved = {ref for ref, unit in units.items() if unit.pk in signed and ref in taken}
    group_of = _group_of(rules)

    open_units: dict[str, list[OpenUnit]] = {}
    for reference, reason in optional_choices(
        rules, taken, mandatory={unit.reference for unit in mandatory}
    ):
        open_unit = OpenUnit(units[reference], sentence(reason) if reason else None)
        open_units.setdefault(group_of.get(reference, ""), []).append(open_unit)

    status = rules_status(rules, taken, achieved)
    sections = [
        GroupSection(group, parent, open_units.get(group.name, []))
        for group, parent in _flatten(status.groups)
        if _has_optional(rules, group.name, {u.reference for u in mandatory})
    ]
    return UnitChoices(
        mandatory=mandatory,
        chosen=[
            ChosenUnit(
                unit=unit,
                group=group_of.get(unit.reference, ""),
                chosen_by=str(choices[unit.pk].chosen_by),
                chosen_at=choices[unit.pk].chosen_at,
            )
            for unit in chosen_units
        ],
        sections=sections,
        ungrouped=open_units.get("", []),
        status=status,
    )


def _has_optional(rules: Rules, name: str, mandatory: set[str]) -> bool:
    """Whether the group holds any unit a learner chooses (a group of mandatory units does
    not: its running total is shown with the rules, not among the choices)."""
    [group] = [group for group in rules.all_groups() if group.name == name]
    return any(ref not in mandatory for ref in group.all_units())
