"""Comparing two versions of a qualification: over crafted rows, every way a criterion, a unit,
the rules and the details can change; over the real fixtures, the invented diploma's v1 → v2."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from qualifications.models import (
    AssessmentCriterion,
    Qualification,
    QualificationUnit,
    RuleGroup,
    Unit,
)
from qualifications.versions import (
    CriterionChange,
    UnitChange,
    VersionRows,
    compare,
    compare_criteria,
    diff,
)

EXAMPLE = "EX-L3-RETAIL-DIP"


def c(
    number: str,
    text: str,
    *,
    was: str = "",
    reworded: bool = False,
    range: str = "",
    grade: str = "",
) -> AssessmentCriterion:
    return AssessmentCriterion(
        number=number,
        text=text,
        previous_number=was,
        reworded=reworded,
        range=range,
        grade=grade,
    )


# What each row of the table expects: (change, old number, new number, carries evidence).
Row = tuple[CriterionChange, str, str, bool]
UNCHANGED, REWORDED, RENUMBERED = (
    CriterionChange.UNCHANGED,
    CriterionChange.REWORDED,
    CriterionChange.RENUMBERED,
)
ADDED, REMOVED = CriterionChange.ADDED, CriterionChange.REMOVED

CRITERIA_CASES: list[tuple[str, list, list, list[Row]]] = [
    (
        "same number and words",
        [c("1.1", "Describe A.")],
        [c("1.1", "Describe A.")],
        [(UNCHANGED, "1.1", "1.1", True)],
    ),
    (
        "only the line breaks differ",
        [c("1.1", "Describe\n  A.")],
        [c("1.1", "Describe A. ")],
        [(UNCHANGED, "1.1", "1.1", True)],
    ),
    (
        "reworded without saying it means the same",
        [c("1.1", "Describe A.")],
        [c("1.1", "Describe A and B.")],
        [(REWORDED, "1.1", "1.1", False)],
    ),
    (
        "reworded, declared the same meaning",
        [c("1.1", "Describe A.")],
        [c("1.1", "Say what A is.", reworded=True)],
        [(REWORDED, "1.1", "1.1", True)],
    ),
    (
        "range changed, words the same",
        [c("2.1", "Greet customers.", range="Shop floor.")],
        [c("2.1", "Greet customers.", range="Shop floor and phone.")],
        [(REWORDED, "2.1", "2.1", False)],
    ),
    (
        "renumbered with was; the old number's criterion removed",
        [c("1.1", "A."), c("1.2", "B."), c("1.3", "C.")],
        [c("1.1", "A."), c("1.2", "C.", was="1.3")],
        [
            (UNCHANGED, "1.1", "1.1", True),
            (REMOVED, "1.2", "", False),
            (RENUMBERED, "1.3", "1.2", True),
        ],
    ),
    (
        "renumbered by identical words, no was",
        [c("1.1", "A."), c("1.2", "B.")],
        [c("1.1", "A."), c("1.5", "B.")],
        [(UNCHANGED, "1.1", "1.1", True), (RENUMBERED, "1.2", "1.5", True)],
    ),
    (
        "renumbered and reworded, not declared",
        [c("1.4", "Explain questions.")],
        [c("1.3", "Explain open questions.", was="1.4")],
        [(RENUMBERED, "1.4", "1.3", False)],
    ),
    (
        "renumbered and reworded, declared",
        [c("1.4", "Explain questions.")],
        [c("1.3", "Explain how questions help.", was="1.4", reworded=True)],
        [(RENUMBERED, "1.4", "1.3", True)],
    ),
    (
        "was wins over the same number",
        [c("1.1", "A."), c("1.2", "B.")],
        [c("1.1", "B.", was="1.2"), c("1.2", "Z.")],
        [(REMOVED, "1.1", "", False), (RENUMBERED, "1.2", "1.1", True), (ADDED, "", "1.2", False)],
    ),
    (
        "two criteria swap numbers",
        [c("1.1", "A."), c("1.2", "B.")],
        [c("1.1", "B.", was="1.2"), c("1.2", "A.", was="1.1")],
        [(RENUMBERED, "1.2", "1.1", True), (RENUMBERED, "1.1", "1.2", True)],
    ),
    (
        "the same number is matched before identical words elsewhere",
        [c("1.1", "A."), c("1.2", "B.")],
        [c("1.1", "B."), c("1.2", "C.")],
        [(REWORDED, "1.1", "1.1", False), (REWORDED, "1.2", "1.2", False)],
    ),
    (
        "was naming a number the old version lacks falls back to the same number",
        [c("1.1", "A.")],
        [c("1.1", "A.", was="1.9")],
        [(UNCHANGED, "1.1", "1.1", True)],
    ),
    (
        "added and removed",
        [c("1.1", "A."), c("2.1", "Old.")],
        [c("1.1", "A."), c("1.2", "New.")],
        [(UNCHANGED, "1.1", "1.1", True), (ADDED, "", "1.2", False), (REMOVED, "2.1", "", False)],
    ),
    (
        "a removed first criterion stays first",
        [c("1.1", "Gone."), c("1.2", "B.")],
        [c("1.2", "B.")],
        [(REMOVED, "1.1", "", False), (UNCHANGED, "1.2", "1.2", True)],
    ),
    ("nothing on either side", [], [], []),
    (
        "graded codes",
        [c("P1", "Describe."), c("M1", "Explain.", grade="merit")],
        [c("P1", "Describe."), c("M1", "Explain in detail.", grade="merit")],
        [(UNCHANGED, "P1", "P1", True), (REWORDED, "M1", "M1", False)],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [case[1:] for case in CRITERIA_CASES],
    ids=[case[0] for case in CRITERIA_CASES],
)
def test_criteria_are_matched_across_versions(
    old: list[AssessmentCriterion], new: list[AssessmentCriterion], expected: list[Row]
) -> None:
    found = [
        (item.change, item.old_number, item.new_number, item.carries_evidence)
        for item in compare_criteria(old, new)
    ]
    assert found == expected


def test_a_criterion_matched_keeps_both_rows() -> None:
    old, new = c("1.4", "Explain."), c("1.3", "Explain.", was="1.4")
    [item] = compare_criteria([old], [new])
    assert (item.old, item.new) == (old, new)
    assert item.summary == "Renumbered 1.4 → 1.3"


def test_a_changed_grade_band_is_noted() -> None:
    [item] = compare_criteria([c("P1", "Do it.", grade="pass")], [c("P1", "Do it.", grade="merit")])
    assert item.notes == ("Grade band: Pass → Merit",)


@pytest.mark.parametrize(
    ("old", "new", "summary"),
    [
        (c("1.1", "A."), c("1.1", "A."), "Unchanged"),
        (c("1.1", "A."), c("1.1", "B."), "Reworded (meaning may have changed)"),
        (c("1.1", "A."), c("1.1", "B.", reworded=True), "Reworded (same meaning)"),
        (
            c("1.4", "A."),
            c("1.3", "B.", was="1.4"),
            "Renumbered 1.4 → 1.3, reworded (meaning may have changed)",
        ),
    ],
)
def test_each_change_reads_as_words(
    old: AssessmentCriterion, new: AssessmentCriterion, summary: str
) -> None:
    [item] = compare_criteria([old], [new])
    assert item.summary == summary


def test_comparing_backwards_reads_the_later_versions_was_and_reworded() -> None:
    """Moving a portfolio back to an earlier version: the declarations live on the later rows."""
    later = [c("1.1", "Say what A is.", reworded=True), c("1.3", "C.", was="1.4"), c("2.5", "New.")]
    earlier = [c("1.1", "Describe A."), c("1.2", "B."), c("1.4", "C.")]

    found = [
        (item.change, item.old_number, item.new_number, item.carries_evidence)
        for item in compare_criteria(later, earlier, later_is_new=False)
    ]

    assert found == [
        (REWORDED, "1.1", "1.1", True),
        (ADDED, "", "1.2", False),
        (RENUMBERED, "1.3", "1.4", True),
        (REMOVED, "2.5", "", False),
    ]


# Whole versions, over crafted rows ---------------------------------------------------------


def unit(pk: int, reference: str, **fields: object) -> Unit:
    values = {"title": f"Unit {reference}", "level": "2", "credits": 3, **fields}
    return Unit(pk=pk, reference=reference, **values)


def qualification(sequence: int, **fields: object) -> Qualification:
    values = {
        "reference": "EX-Q",
        "version": str(sequence),
        "sequence": sequence,
        "title": "Example diploma",
        "level": "3",
        "credits": 30,
        "min_credits": 30,
        "operational_end_date": datetime.date(2027, 8, 31),
        **fields,
    }
    return Qualification(pk=sequence, **values)


@dataclass
class Version:
    """Crafted rows for one version: units by reference with their group and mandatory flag."""

    sequence: int = 1
    fields: dict = field(default_factory=dict)
    units: list[tuple[Unit, str | None, bool]] = field(default_factory=list)
    groups: list[RuleGroup] = field(default_factory=list)
    barred: list[tuple[str, str]] = field(default_factory=list)
    criteria: dict[int, list[AssessmentCriterion]] = field(default_factory=dict)

    def rows(self) -> VersionRows:
        groups = {group.name: group for group in self.groups}
        links = [
            QualificationUnit(
                unit=unit_row,
                group=groups.get(group) if group else None,
                mandatory=mandatory,
                position=position,
            )
            for position, (unit_row, group, mandatory) in enumerate(self.units)
        ]
        return VersionRows(
            qualification(self.sequence, **self.fields),
            links,
            self.groups,
            self.barred,
            self.criteria,
        )


A1, A2_OLD, A2_NEW, B1, B2 = (
    unit(1, "A1"),
    unit(2, "A2", ofqual_reference="A/000/0002", aim="Serve customers."),
    unit(3, "A2", ofqual_reference="A/000/0012", aim="Serve customers and ask for feedback."),
    unit(4, "B1"),
    unit(5, "B2"),
)


def test_units_are_added_removed_unchanged_or_revised_by_reference() -> None:
    old = Version(1, units=[(A1, None, True), (A2_OLD, None, True), (B1, None, True)])
    new = Version(2, units=[(A1, None, True), (A2_NEW, None, True), (B2, None, True)])

    found = compare(old.rows(), new.rows())

    assert [(u.reference, u.change) for u in found.units] == [
        ("A1", UnitChange.UNCHANGED),
        ("A2", UnitChange.REVISED),
        ("B2", UnitChange.ADDED),
        ("B1", UnitChange.REMOVED),
    ]
    assert found.unit("A2").changes == (
        "Ofqual reference: A/000/0002 → A/000/0012",
        "Aim: reworded",
    )
    assert found.unit("A1").changes == ()


def test_a_revised_units_criteria_are_compared() -> None:
    old = Version(1, units=[(A2_OLD, None, True)], criteria={2: [c("1.1", "A."), c("1.2", "B.")]})
    new = Version(2, units=[(A2_NEW, None, True)], criteria={3: [c("1.1", "A."), c("1.3", "C.")]})

    [a2] = compare(old.rows(), new.rows()).units

    assert [(i.change, i.old_number, i.new_number) for i in a2.criteria] == [
        (UNCHANGED, "1.1", "1.1"),
        (REMOVED, "1.2", ""),
        (ADDED, "", "1.3"),
    ]
    assert a2.counts == [(ADDED, 1), (REMOVED, 1)]


QUALIFICATION_CASES = [
    ({"title": "Example diploma, issue 2"}, "Title: Example diploma → Example diploma, issue 2"),
    ({"credits": 32}, "Credits: 30 → 32"),
    ({"credits": None}, "Credits: 30 → not given"),
    ({"level": "4"}, "Level: Level 3 → Level 4"),
    (
        {"operational_end_date": datetime.date(2029, 8, 31)},
        "Operational end date: 31 August 2027 → 31 August 2029",
    ),
    ({"source_issue": "2"}, "Source: not given → issue 2"),
    ({"description": "Now with more words."}, "Description: reworded"),
]


@pytest.mark.parametrize(("fields", "line"), QUALIFICATION_CASES)
def test_qualification_details_that_change_are_listed(fields: dict, line: str) -> None:
    found = compare(Version(1).rows(), Version(2, fields=fields).rows())
    assert found.changes == (line,)
    assert found.differs


def group(pk: int, name: str, parent: RuleGroup | None = None, **limits: int) -> RuleGroup:
    return RuleGroup(pk=pk, name=name, parent=parent, position=pk, **limits)


B = group(10, "B", min_credits=10)
C = group(11, "C", max_credits=8)
C1 = group(12, "C1", C, max_credits=3)


@dataclass(frozen=True)
class RulesCase:
    name: str
    old: Version
    new: Version
    lines: tuple[str, ...]


RULES_CASES = [
    RulesCase(
        "credits in all",
        Version(1),
        Version(2, fields={"min_credits": 32}),
        ("Credits needed in all: 30 → 32",),
    ),
    RulesCase(
        "credits by level",
        Version(1, fields={"level_rule_level": "3", "level_rule_credits": 16}),
        Version(2, fields={"level_rule_level": "3", "level_rule_credits": 18}),
        (
            "Credits by level: at least 16 credits at Level 3 or above → "
            "at least 18 credits at Level 3 or above",
        ),
    ),
    RulesCase(
        "a group's limits",
        Version(1, groups=[B]),
        Version(2, groups=[group(20, "B", min_credits=12, max_units=3)]),
        ("Group B: at least 10 credits → at least 12 credits, at most 3 units",),
    ),
    RulesCase(
        "groups added and removed",
        Version(1, groups=[B]),
        Version(2, groups=[C]),
        ("Group C added (at most 8 credits)", "Group B removed"),
    ),
    RulesCase(
        "a group moved to the top level",
        Version(1, groups=[C, C1]),
        Version(2, groups=[C, group(13, "C1", max_credits=3)]),
        ("Group C1 is now at the top level",),
    ),
    RulesCase(
        "a unit moves group and becomes optional",
        Version(1, units=[(B1, None, True)], groups=[B, C]),
        Version(2, units=[(B1, "C", False)], groups=[B, C]),
        ("B1 moved from no group to group C", "B1 is now optional"),
    ),
    RulesCase(
        "barred pairs",
        Version(1, units=[(B1, None, False), (B2, None, False)], barred=[("B1", "B2")]),
        Version(2, units=[(B1, None, False), (B2, None, False)], barred=[("B2", "A1")]),
        ("B2 can no longer be taken with A1", "B1 and B2 may now be taken together"),
    ),
    RulesCase(
        "a barred pair written the other way round is the same pair",
        Version(1, barred=[("B1", "B2")]),
        Version(2, barred=[("B2", "B1")]),
        (),
    ),
]


@pytest.mark.parametrize("case", RULES_CASES, ids=[case.name for case in RULES_CASES])
def test_rule_changes_are_listed_in_words(case: RulesCase) -> None:
    assert compare(case.old.rows(), case.new.rows()).rules == case.lines


def test_identical_versions_do_not_differ() -> None:
    rows = Version(1, units=[(A1, None, True)], groups=[B]).rows()
    found = compare(rows, Version(2, units=[(A1, None, True)], groups=[B]).rows())
    assert (found.changes, found.rules, found.differs) == ((), (), False)


# The invented diploma's two versions, from the fixtures ------------------------------------


@pytest.fixture
def example_versions(catalogue: None) -> tuple[Qualification, Qualification]:
    return (
        Qualification.objects.get(reference=EXAMPLE, version="1"),
        Qualification.objects.get(reference=EXAMPLE, version="2"),
    )


def test_the_example_diplomas_second_version_revises_customer_service(
    example_versions: tuple[Qualification, Qualification], django_assert_num_queries
) -> None:
    v1, v2 = example_versions
    with django_assert_num_queries(4):
        found = diff(v1, v2)

    assert [u.reference for u in found.revised] == ["EX-RET-A2"]
    assert found.added == found.removed == []
    assert len(found.unchanged) == v1.unit_links.count() - 1
    assert found.rules == ()
    assert found.changes == (
        "Operational end date: 31 August 2027 → 31 August 2029",
        "Description: reworded",
        "Source: Example Retail Operations Diploma specification, issue 1, 1 September 2024 → "
        "Example Retail Operations Diploma specification, issue 2, 2 June 2025",
    )
    a2 = found.unit("EX-RET-A2")
    assert a2.old.version == "1" and a2.new.version == "2"
    assert "Ofqual reference: A/000/0002 → A/000/0012" in a2.changes
    assert [
        (i.change, i.old_number, i.new_number, i.same_meaning, i.carries_evidence)
        for i in a2.criteria
    ] == [
        (REWORDED, "1.1", "1.1", True, True),
        (REWORDED, "1.2", "1.2", False, False),
        (REMOVED, "1.3", "", False, False),
        (RENUMBERED, "1.4", "1.3", False, True),
        (UNCHANGED, "2.1", "2.1", False, True),
        (UNCHANGED, "2.2", "2.2", False, True),
        (UNCHANGED, "2.3", "2.3", False, True),
        (UNCHANGED, "2.4", "2.4", False, True),
        (ADDED, "", "2.5", False, False),
    ]


def test_the_diff_finds_what_became_of_each_old_criterion(
    example_versions: tuple[Qualification, Qualification],
) -> None:
    v1, v2 = example_versions
    found = diff(v1, v2)
    old_1_4 = AssessmentCriterion.objects.get(
        unit__reference="EX-RET-A2", unit__version="1", number="1.4"
    )
    unchanged_unit = AssessmentCriterion.objects.filter(unit__reference="EX-RET-A1").first()

    assert found.criterion(old_1_4.pk).new.unit.version == "2"
    assert found.criterion(old_1_4.pk).new_number == "1.3"
    assert found.criterion(unchanged_unit.pk) is None


def test_going_back_a_version_reads_the_same_changes_the_other_way(
    example_versions: tuple[Qualification, Qualification],
) -> None:
    v1, v2 = example_versions
    a2 = diff(v2, v1).unit("EX-RET-A2")

    assert [(i.change, i.old_number, i.new_number, i.carries_evidence) for i in a2.criteria] == [
        (REWORDED, "1.1", "1.1", True),
        (REWORDED, "1.2", "1.2", False),
        (ADDED, "", "1.3", False),
        (RENUMBERED, "1.3", "1.4", True),
        (UNCHANGED, "2.1", "2.1", True),
        (UNCHANGED, "2.2", "2.2", True),
        (UNCHANGED, "2.3", "2.3", True),
        (UNCHANGED, "2.4", "2.4", True),
        (REMOVED, "2.5", "", False),
    ]
