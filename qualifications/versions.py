"""What changed between two versions of a qualification: units added, removed and revised,
each revised unit's criteria matched old to new, and the rules and details that changed.

`diff` reads both versions' rows in a fixed number of queries; `compare` and
`compare_criteria` work on those rows alone, so every case is tested over crafted rows. Moving
a portfolio to another version asks the same answer which criteria carry its evidence.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from qualifications.models import (
    AssessmentCriterion,
    BarredCombination,
    Level,
    Qualification,
    QualificationUnit,
    RuleGroup,
    Unit,
)


class UnitChange(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    UNCHANGED = "unchanged"
    REVISED = "revised"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CriterionChange(StrEnum):
    UNCHANGED = "unchanged"
    REWORDED = "reworded"
    RENUMBERED = "renumbered"
    ADDED = "added"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def words(text: str) -> str:
    """Text with its spacing evened out: a re-folded line in the YAML is not a rewording."""
    return " ".join(text.split())


@dataclass(frozen=True)
class CriterionDiff:
    """One criterion across the two versions: matched, added (no `old`) or removed (no `new`).

    `same_meaning` is the later version's `reworded: true`: its words changed but it asks the
    same, so evidence accepted against the earlier one still counts.
    """

    change: CriterionChange
    old: AssessmentCriterion | None
    new: AssessmentCriterion | None
    text_changed: bool = False
    range_changed: bool = False
    same_meaning: bool = False
    notes: tuple[str, ...] = ()

    @property
    def old_number(self) -> str:
        return self.old.number if self.old else ""

    @property
    def new_number(self) -> str:
        return self.new.number if self.new else ""

    @property
    def worded_differently(self) -> bool:
        return self.text_changed or self.range_changed

    @property
    def carries_evidence(self) -> bool:
        """Evidence mapped to the old criterion counts for the new one: unchanged in what it
        asks (whatever its number), or reworded with the same meaning declared."""
        if self.old is None or self.new is None:
            return False
        return not self.worded_differently or self.same_meaning

    @property
    def summary(self) -> str:
        """The change in a few words, e.g. "Renumbered 1.4 → 1.3, reworded (same meaning)"."""
        if self.change in (CriterionChange.ADDED, CriterionChange.REMOVED):
            return self.change.label
        parts = []
        if self.change == CriterionChange.RENUMBERED:
            parts.append(f"Renumbered {self.old_number} → {self.new_number}")
        if self.worded_differently:
            meaning = "same meaning" if self.same_meaning else "meaning may have changed"
            parts.append(f"reworded ({meaning})")
        return ", ".join(parts).capitalize() if parts else CriterionChange.UNCHANGED.label


@dataclass(frozen=True)
class UnitDiff:
    """One unit across the two versions, by reference. A revised unit is a new row: its
    criteria are compared one by one."""

    reference: str
    change: UnitChange
    old: Unit | None
    new: Unit | None
    changes: tuple[str, ...] = ()
    criteria: tuple[CriterionDiff, ...] = ()

    @property
    def title(self) -> str:
        unit = self.new or self.old
        return unit.title if unit else self.reference

    @property
    def changed_criteria(self) -> list[CriterionDiff]:
        return [item for item in self.criteria if item.change != CriterionChange.UNCHANGED]

    @property
    def unchanged_criteria(self) -> list[CriterionDiff]:
        return [item for item in self.criteria if item.change == CriterionChange.UNCHANGED]

    @property
    def counts(self) -> list[tuple[CriterionChange, int]]:
        """How many criteria changed in each way, unchanged left out, in a fixed order."""
        found = defaultdict(int)
        for criterion in self.criteria:
            found[criterion.change] += 1
        return [
            (change, found[change])
            for change in CriterionChange
            if change != CriterionChange.UNCHANGED and found[change]
        ]


@dataclass(frozen=True)
class QualificationDiff:
    """Everything that differs between `old` and `new`, in sentences and per unit."""

    old: Qualification
    new: Qualification
    changes: tuple[str, ...]
    rules: tuple[str, ...]
    units: tuple[UnitDiff, ...]

    @cached_property
    def _by_old_criterion(self) -> dict[int, CriterionDiff]:
        return {
            criterion.old.pk: criterion
            for unit in self.units
            for criterion in unit.criteria
            if criterion.old is not None
        }

    def of_unit(self, change: UnitChange) -> list[UnitDiff]:
        return [unit for unit in self.units if unit.change == change]

    @property
    def revised(self) -> list[UnitDiff]:
        return self.of_unit(UnitChange.REVISED)

    @property
    def added(self) -> list[UnitDiff]:
        return self.of_unit(UnitChange.ADDED)

    @property
    def removed(self) -> list[UnitDiff]:
        return self.of_unit(UnitChange.REMOVED)

    @property
    def unchanged(self) -> list[UnitDiff]:
        return self.of_unit(UnitChange.UNCHANGED)

    @property
    def differs(self) -> bool:
        return bool(self.changes or self.rules or len(self.unchanged) != len(self.units))

    def unit(self, reference: str) -> UnitDiff | None:
        return next((unit for unit in self.units if unit.reference == reference), None)

    def criterion(self, old_criterion_id: int) -> CriterionDiff | None:
        """What became of a criterion of a revised unit of the old version; None for a
        criterion of a unit that is unchanged, removed, or in neither version."""
        return self._by_old_criterion.get(old_criterion_id)


# Reading both versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRows:
    """The rows of one version a comparison needs; `criteria` only for the units asked for."""

    qualification: Qualification
    links: list[QualificationUnit]
    groups: list[RuleGroup]
    barred: list[tuple[str, str]]
    criteria: dict[int, list[AssessmentCriterion]] = field(default_factory=dict)


def diff(old: Qualification, new: Qualification) -> QualificationDiff:
    """Compare two versions of a qualification; four queries, whatever their size."""
    ids = [old.pk, new.pk]
    links: dict[int, list[QualificationUnit]] = defaultdict(list)
    for link in (
        QualificationUnit.objects.filter(qualification_id__in=ids)
        .select_related("unit", "group")
        .order_by("position")
    ):
        links[link.qualification_id].append(link)
    groups: dict[int, list[RuleGroup]] = defaultdict(list)
    for group in RuleGroup.objects.filter(qualification_id__in=ids).order_by("position"):
        groups[group.qualification_id].append(group)
    barred: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for qualification_id, first, second in BarredCombination.objects.filter(
        qualification_id__in=ids
    ).values_list("qualification_id", "first__reference", "second__reference"):
        barred[qualification_id].append((first, second))
    revised = _revised_unit_ids(links[old.pk], links[new.pk])
    criteria: dict[int, list[AssessmentCriterion]] = defaultdict(list)
    for criterion in (
        AssessmentCriterion.objects.filter(unit_id__in=revised)
        .select_related("outcome")
        .order_by("outcome__number", "position")
    ):
        criteria[criterion.unit_id].append(criterion)
    return compare(
        VersionRows(old, links[old.pk], groups[old.pk], barred[old.pk], criteria),
        VersionRows(new, links[new.pk], groups[new.pk], barred[new.pk], criteria),
    )


def _revised_unit_ids(
    old: Iterable[QualificationUnit], new: Iterable[QualificationUnit]
) -> set[int]:
    """Both rows of every unit that the new version revises."""
    old_rows = {link.unit.reference: link.unit_id for link in old}
    return {
        unit_id
        for link in new
        if (previous := old_rows.get(link.unit.reference)) not in (None, link.unit_id)
        for unit_id in (previous, link.unit_id)
    }


# Comparing -------------------------------------------------------------------------------------


def compare(old: VersionRows, new: VersionRows) -> QualificationDiff:
    """The difference between two versions' rows; no queries."""
    later_is_new = new.qualification.sequence >= old.qualification.sequence
    old_links = {link.unit.reference: link for link in old.links}
    new_links = {link.unit.reference: link for link in new.links}
    units = []
    for reference, link in new_links.items():
        before = old_links.get(reference)
        if before is None:
            units.append(UnitDiff(reference, UnitChange.ADDED, None, link.unit))
        elif before.unit_id == link.unit_id:
            units.append(UnitDiff(reference, UnitChange.UNCHANGED, link.unit, link.unit))
        else:
            units.append(
                UnitDiff(
                    reference,
                    UnitChange.REVISED,
                    before.unit,
                    link.unit,
                    changes=tuple(unit_changes(before.unit, link.unit)),
                    criteria=tuple(
                        compare_criteria(
                            old.criteria.get(before.unit_id, []),
                            new.criteria.get(link.unit_id, []),
                            later_is_new=later_is_new,
                        )
                    ),
                )
            )
    units += [
        UnitDiff(reference, UnitChange.REMOVED, link.unit, None)
        for reference, link in old_links.items()
        if reference not in new_links
    ]
    return QualificationDiff(
        old=old.qualification,
        new=new.qualification,
        changes=tuple(qualification_changes(old.qualification, new.qualification)),
        rules=tuple(rule_changes(old, new)),
        units=tuple(units),
    )


def compare_criteria(
    old: Sequence[AssessmentCriterion],
    new: Sequence[AssessmentCriterion],
    *,
    later_is_new: bool = True,
) -> list[CriterionDiff]:
    """Each criterion of a revised unit matched across versions, in the new version's order
    with removed criteria where they stood. Matching uses the later version's `was` (and
    `reworded`), whichever way round the two are compared."""
    earlier, later = (old, new) if later_is_new else (new, old)
    pairs = _pairs(earlier, later)
    if not later_is_new:
        pairs = [(j, i) for i, j in pairs]
    # pairs are (old index, new index): in the new version's order, each removed criterion
    # after the old one before it and any criteria added there.
    ordered = sorted((pair for pair in pairs if pair[1] is not None), key=lambda pair: pair[1])
    for i in sorted(i for i, j in pairs if j is None):
        spot = 0
        for k, (old_index, _) in enumerate(ordered):
            if old_index is not None and old_index < i:
                spot = k + 1
        while (
            spot < len(ordered)
            and ordered[spot][0] is None
            and code_order(new[ordered[spot][1]].number) < code_order(old[i].number)
        ):
            spot += 1
        ordered.insert(spot, (i, None))
    return [
        _criterion_diff(
            old[i] if i is not None else None,
            new[j] if j is not None else None,
            later_is_new=later_is_new,
        )
        for i, j in ordered
    ]


def code_order(number: str) -> tuple[int | str, ...]:
    """A criterion code's place in a unit: 1.2 before 1.10 before 2.1, then P, M, D, K, S, B."""
    if number[:1].isdigit():
        outcome, _, rest = number.partition(".")
        position = rest.rstrip("abcdefghijklmnopqrstuvwxyz")
        return (0, int(outcome), int(position or 0), rest[len(position) :])
    return (1, "PMDKSB".find(number[:1]), int(number[1:] or 0), "")


def _pairs(
    earlier: Sequence[AssessmentCriterion], later: Sequence[AssessmentCriterion]
) -> list[tuple[int | None, int | None]]:
    """(earlier index, later index) pairs: matched by the later one's `was`, else by the same
    number, else by identical text; the unmatched on either side alone."""
    by_number = {criterion.number: i for i, criterion in enumerate(earlier)}
    matched: dict[int, int] = {}
    taken: set[int] = set()

    def take(j: int, i: int | None) -> None:
        if i is not None and i not in taken and j not in matched:
            matched[j] = i
            taken.add(i)

    for j, criterion in enumerate(later):
        if criterion.previous_number:
            take(j, by_number.get(criterion.previous_number))
    for j, criterion in enumerate(later):
        take(j, by_number.get(criterion.number))
    for j, criterion in enumerate(later):
        same_text = (
            i
            for i, before in enumerate(earlier)
            if i not in taken and words(before.text) == words(criterion.text)
        )
        take(j, next(same_text, None))
    pairs: list[tuple[int | None, int | None]] = [(i, j) for j, i in matched.items()]
    pairs += [(None, j) for j in range(len(later)) if j not in matched]
    pairs += [(i, None) for i in range(len(earlier)) if i not in taken]
    return pairs


def _criterion_diff(
    old: AssessmentCriterion | None, new: AssessmentCriterion | None, *, later_is_new: bool
) -> CriterionDiff:
    if old is None:
        return CriterionDiff(CriterionChange.ADDED, None, new)
    if new is None:
        return CriterionDiff(CriterionChange.REMOVED, old, None)
    text_changed = words(old.text) != words(new.text)
    range_changed = words(old.range) != words(new.range)
    if old.number != new.number:
        change = CriterionChange.RENUMBERED
    elif text_changed or range_changed:
        change = CriterionChange.REWORDED
    else:
        change = CriterionChange.UNCHANGED
    notes = []
    if range_changed:
        notes.append("Range changed")
    if old.grade != new.grade:
        notes.append(
            f"Grade band: {old.get_grade_display() or 'none'} → {new.get_grade_display() or 'none'}"
        )
    later = new if later_is_new else old
    return CriterionDiff(
        change,
        old,
        new,
        text_changed=text_changed,
        range_changed=range_changed,
        same_meaning=later.reworded,
        notes=tuple(notes),
    )


# Details and rules, in sentences ---------------------------------------------------------------


def shown(value: object) -> str:
    """A field's value as people read it: dates in words, nothing as "not given"."""
    if value is None or value == "":
        return "not given"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _level(value: str) -> str:
    return Level(value).label if value in Level.values else shown(value)


def _field_changes(
    old: object, new: object, fields: Sequence[tuple[str, str]], *, texts: Sequence[str] = ()
) -> list[str]:
    """ "Label: before → after" for each field that differs; long texts just "reworded"."""
    lines = []
    for name, label in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name == "level":
            before, after = _level(before), _level(after)
        lines.append(f"{label}: {shown(before)} → {shown(after)}")
    for name in texts:
        if words(getattr(old, name)) != words(getattr(new, name)):
            lines.append(f"{name.replace('_', ' ').capitalize()}: reworded")
    if old.source_text != new.source_text:
        lines.append(f"Source: {shown(old.source_text)} → {shown(new.source_text)}")
    return lines


QUALIFICATION_FIELDS = (
    ("title", "Title"),
    ("level", "Level"),
    ("ofqual_number", "Ofqual number"),
    ("credits", "Credits"),
    ("guided_learning_hours", "Guided learning hours"),
    ("total_qualification_time", "Total qualification time"),
    ("operational_end_date", "Operational end date"),
)
UNIT_FIELDS = (
    ("title", "Title"),
    ("level", "Level"),
    ("credits", "Credits"),
    ("guided_learning_hours", "Guided learning hours"),
    ("ofqual_reference", "Ofqual reference"),
    ("unit_number", "Unit number"),
)


def qualification_changes(old: Qualification, new: Qualification) -> list[str]:
    return _field_changes(old, new, QUALIFICATION_FIELDS, texts=["description"])


def unit_changes(old: Unit, new: Unit) -> list[str]:
    return _field_changes(old, new, UNIT_FIELDS, texts=["aim", "assessment_requirements"])


def limits(group: RuleGroup) -> str:
    """A group's limits in words, e.g. "at least 10 credits, at most 3 units"."""
    parts = []
    for noun, low, high in (
        ("credit", group.min_credits, group.max_credits),
        ("unit", group.min_units, group.max_units),
    ):
        if low is not None:
            parts.append(f"at least {low} {noun}{'' if low == 1 else 's'}")
        if high is not None:
            parts.append(f"at most {high} {noun}{'' if high == 1 else 's'}")
    return ", ".join(parts) or "no limits"


def _level_rule(qualification: Qualification) -> str:
    if not qualification.level_rule_level:
        return "none"
    credits = qualification.level_rule_credits or 0
    noun = "credit" if credits == 1 else "credits"
    return f"at least {credits} {noun} at {_level(qualification.level_rule_level)} or above"


def rule_changes(old: VersionRows, new: VersionRows) -> list[str]:
    """The rules of combination that differ, one sentence each."""
    lines = []
    before, after = old.qualification, new.qualification
    if before.min_credits != after.min_credits:
        lines.append(
            f"Credits needed in all: {shown(before.min_credits)} → {shown(after.min_credits)}"
        )
    if _level_rule(before) != _level_rule(after):
        lines.append(f"Credits by level: {_level_rule(before)} → {_level_rule(after)}")
    lines += _group_changes(old.groups, new.groups)
    lines += _placement_changes(old.links, new.links)
    lines += _barred_changes(old.barred, new.barred)
    return lines


def _group_changes(old: list[RuleGroup], new: list[RuleGroup]) -> list[str]:
    def parents(groups: list[RuleGroup]) -> dict[str, str | None]:
        names = {group.pk: group.name for group in groups}
        return {group.name: names.get(group.parent_id) for group in groups}

    old_groups = {group.name: group for group in old}
    new_groups = {group.name: group for group in new}
    old_parent, new_parent = parents(old), parents(new)
    lines = []
    for name, group in new_groups.items():
        previous = old_groups.get(name)
        if previous is None:
            lines.append(f"Group {name} added ({limits(group)})")
            continue
        if limits(previous) != limits(group):
            lines.append(f"Group {name}: {limits(previous)} → {limits(group)}")
        if old_parent[name] != new_parent[name]:
            where = f"inside group {new_parent[name]}" if new_parent[name] else "at the top level"
            lines.append(f"Group {name} is now {where}")
    lines += [f"Group {name} removed" for name in old_groups if name not in new_groups]
    return lines


def _placement_changes(old: list[QualificationUnit], new: list[QualificationUnit]) -> list[str]:
    """Units in both versions that moved group or became mandatory or optional."""

    def group_name(link: QualificationUnit) -> str:
        return f"group {link.group.name}" if link.group_id else "no group"

    old_links = {link.unit.reference: link for link in old}
    lines = []
    for link in new:
        previous = old_links.get(link.unit.reference)
        if previous is None:
            continue
        if group_name(previous) != group_name(link):
            lines.append(
                f"{link.unit.reference} moved from {group_name(previous)} to {group_name(link)}"
            )
        if previous.mandatory != link.mandatory:
            state = "mandatory" if link.mandatory else "optional"
            lines.append(f"{link.unit.reference} is now {state}")
    return lines


def _barred_changes(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[str]:
    before = {frozenset(pair): pair for pair in old}
    after = {frozenset(pair): pair for pair in new}
    lines = [
        f"{first} can no longer be taken with {second}"
        for key, (first, second) in after.items()
        if key not in before
    ]
    lines += [
        f"{first} and {second} may now be taken together"
        for key, (first, second) in before.items()
        if key not in after
    ]
    return lines
