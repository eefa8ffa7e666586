"""A qualification's rules of combination as its catalogue page states them: groups nested as
the specification nests them, each with its limits in words and its units.

Built from rows the page has already fetched, so it adds no queries; the wording of limits
comes from qualifications/rules.py, like every other sentence about the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import capfirst

from qualifications.models import (
    AssessmentCriterion,
    BarredCombination,
    Grade,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    RuleGroup,
)
from qualifications.rules import group_label, level_rule_in_words, limits_in_words


@dataclass
class GroupOutline:
    """One group: its limits in words, its own units, and its subgroups."""

    name: str
    label: str
    limits: list[str]
    links: list[QualificationUnit]
    children: list[GroupOutline] = field(default_factory=list)

    @property
    def unit_count(self) -> int:
        """Its units and those of every group nested in it."""
        return len(self.links) + sum(child.unit_count for child in self.children)


@dataclass
class RulesOutline:
    groups: list[GroupOutline]
    ungrouped: list[QualificationUnit]
    min_credits: int | None
    level_rule: str
    barred: list[BarredCombination]

    @property
    def every_unit_mandatory(self) -> bool:
        """No stated rules: a learner takes every unit, as the seed qualifications work."""
        return not self.groups and self.min_credits is None and not self.level_rule


def rules_outline(qualification: Qualification) -> RulesOutline:
    """The rules from the qualification's prefetched rule_groups, unit_links and
    barred_combinations."""
    rows = list(qualification.rule_groups.all())
    links = list(qualification.unit_links.all())
    members: dict[int, list[QualificationUnit]] = {}
    for link in links:
        if link.group_id is not None:
            members.setdefault(link.group_id, []).append(link)

    def tree(parent_id: int | None) -> list[GroupOutline]:
        found = []
        for row in rows:
            if row.parent_id != parent_id:
                continue
            group = GroupOutline(
                name=row.name,
                label=capfirst(group_label(row.name)),
                limits=[],
                links=members.get(row.pk, []),
                children=tree(row.pk),
            )
            group.limits = _limits(row, group.unit_count)
            found.append(group)
        return found

    level_rule = ""
    if qualification.level_rule_level and qualification.level_rule_credits is not None:
        level_rule = level_rule_in_words(
            qualification.level_rule_level, qualification.level_rule_credits
        )
    return RulesOutline(
        groups=tree(None),
        ungrouped=[link for link in links if link.group_id is None],
        min_credits=qualification.min_credits,
        level_rule=level_rule,
        barred=list(qualification.barred_combinations.all()),
    )


def _limits(row: RuleGroup, unit_count: int) -> list[str]:
    return limits_in_words(
        min_credits=row.min_credits,
        max_credits=row.max_credits,
        min_units=row.min_units,
        max_units=row.max_units,
        unit_count=unit_count,
    )


GRADE_ORDER = [Grade.PASS, Grade.MERIT, Grade.DISTINCTION]


@dataclass(frozen=True)
class GradeBand:
    """The criteria a grade adds to the one below it: pass needs every pass criterion, merit
    also every merit criterion, distinction also every distinction criterion."""

    grade: Grade
    numbers: list[str]
    first: bool

    @property
    def sentence(self) -> str:
        needs = "needs" if self.first else "also needs"
        return f"{self.grade.label} {needs} {_join(self.numbers)}."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def grade_bands(outcomes: list[LearningOutcome]) -> list[GradeBand]:
    """A graded unit's criteria by band, pass first, from prefetched criteria; empty for an
    ungraded unit. An ungraded criterion of a graded unit counts towards a pass."""
    criteria: list[AssessmentCriterion] = [c for o in outcomes for c in o.criteria.all()]
    if not any(criterion.grade for criterion in criteria):
        return []
    by_grade: dict[str, list[str]] = {grade: [] for grade in GRADE_ORDER}
    for criterion in criteria:
        band = Grade.PASS if criterion.counts_towards_pass else criterion.grade
        by_grade[band].append(criterion.number)
    found = [(Grade(grade), numbers) for grade, numbers in by_grade.items() if numbers]
    return [
        GradeBand(grade, numbers, first=index == 0) for index, (grade, numbers) in enumerate(found)
    ]
