"""The rules of combination, completion and grading (qualifications/rules.py), edge by edge.

Pure functions, so no database: every test builds its rules from plain facts.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable

import pytest

from qualifications.models import LEVEL_RANK
from qualifications.rules import (
    Group,
    Rules,
    UnitFacts,
    choice_problems,
    feasible,
    is_complete,
    ksb_coverage,
    mandatory_units,
    optional_choices,
    refusal,
    removal_refusal,
    rules_status,
    satisfiable,
    unit_grade,
)
from qualifications.spec import QualificationSpec


def facts(*units: tuple) -> dict[str, UnitFacts]:
    """Units as (reference, credits) or (reference, credits, level); level 3 by default."""
    found = {}
    for reference, credits, *level in units:
        found[reference] = UnitFacts(reference, f"Unit {reference}", credits, *(level or ["3"]))
    return found


def one_group(units: dict[str, UnitFacts], **limits: int) -> Rules:
    return Rules(units=units, groups=(Group("A", tuple(units), **limits),))


# ---------------------------------------------------------------------------------------------
# One group's limits: exactly at each limit, one either side

A_UNITS = facts(("A1", 5), ("A2", 4), ("A3", 1), ("A4", 6))


@pytest.mark.parametrize(
    ("limits", "chosen", "problems"),
    [
        ({"min_credits": 10}, {"A1", "A2", "A3"}, []),
        (
            {"min_credits": 10},
            {"A1", "A2"},
            ["group A needs at least 10 credits; this choice has 9"],
        ),
        ({"max_credits": 10}, {"A1", "A2", "A3"}, []),
        (
            {"max_credits": 10},
            {"A1", "A4"},
            ["group A allows at most 10 credits; this choice makes 11"],
        ),
        ({"min_credits": 10, "max_credits": 10}, {"A2", "A4"}, []),
        ({"min_units": 2}, {"A1", "A2"}, []),
        ({"min_units": 2}, {"A1"}, ["group A needs at least 2 units; this choice has 1"]),
        ({"max_units": 2}, {"A1", "A2"}, []),
        (
            {"max_units": 2},
            {"A1", "A2", "A3"},
            ["group A allows at most 2 units; this choice makes 3"],
        ),
        ({"min_units": 1}, set(), ["group A needs at least 1 unit; this choice has 0"]),
        ({"max_credits": 1}, {"A3"}, []),
        ({"max_credits": 0}, {"A3"}, ["group A allows at most 0 credits; this choice makes 1"]),
        ({}, set(), []),
    ],
)
def test_a_group_limit_holds_exactly_at_its_edge_and_fails_one_past_it(
    limits: dict[str, int], chosen: set[str], problems: list[str]
) -> None:
    rules = one_group(A_UNITS, **limits)
    status = rules_status(rules, chosen, set())
    assert status.problems == problems
    assert status.satisfied is (not problems)
    assert status.groups[0].met is (not problems)
    assert choice_problems(rules, chosen) == [p for p in problems if "at most" in p]


@pytest.mark.parametrize(
    ("limits", "chosen", "adding", "reason"),
    [
        ({"max_credits": 10}, {"A1"}, "A2", None),
        ({"max_credits": 10}, {"A1", "A2"}, "A3", None),
        (
            {"max_credits": 10},
            {"A1"},
            "A4",
            "group A allows at most 10 credits; this would make 11",
        ),
        ({"max_units": 2}, {"A1"}, "A2", None),
        (
            {"max_units": 2},
            {"A1", "A2"},
            "A3",
            "group A allows at most 2 units; this would make 3",
        ),
        ({"max_units": 1}, {"A3"}, "A3", "A3 is already chosen"),
        ({}, set(), "Z9", "Z9 is not a unit of this qualification"),
    ],
)
def test_adding_a_unit_is_refused_only_past_a_maximum(
    limits: dict[str, int], chosen: set[str], adding: str, reason: str | None
) -> None:
    assert refusal(one_group(A_UNITS, **limits), chosen, adding) == reason


# ---------------------------------------------------------------------------------------------
# Nested groups: a parent's limits count its subgroups' units


def nested() -> Rules:
    """Optional (at most 15 credits, 3 units) holds O1 and subgroups B (at least 6 credits)
    and C (at most one unit)."""
    return Rules(
        units=facts(("O1", 5), ("B1", 6), ("B2", 4), ("C1", 5), ("C2", 2)),
        groups=(
            Group(
                "Optional",
                ("O1",),
                groups=(
                    Group("B", ("B1", "B2"), min_credits=6),
                    Group("C", ("C1", "C2"), max_units=1),
                ),
                max_credits=15,
                max_units=3,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("chosen", "problems"),
    [
        ({"O1", "B1"}, []),
        ({"O1", "B1", "B2"}, []),
        ({"B1", "B2", "C1"}, []),
        (
            {"O1", "B1", "B2", "C2"},
            [
                "group Optional allows at most 15 credits; this choice makes 17",
                "group Optional allows at most 3 units; this choice makes 4",
            ],
        ),
        ({"O1", "C1"}, ["group B needs at least 6 credits; this choice has 0"]),
        ({"O1", "B2", "C1"}, ["group B needs at least 6 credits; this choice has 4"]),
        ({"B1", "C1", "C2"}, ["group C allows at most 1 unit; this choice makes 2"]),
    ],
)
def test_nested_group_limits_count_every_unit_beneath_them(
    chosen: set[str], problems: list[str]
) -> None:
    assert rules_status(nested(), chosen, set()).problems == problems


@pytest.mark.parametrize(
    ("chosen", "adding", "reason"),
    [
        ({"O1", "B1"}, "C2", None),
        ({"O1", "B1"}, "C1", "group Optional allows at most 15 credits; this would make 16"),
        ({"O1", "B2"}, "B1", None),
        ({"B1", "C2"}, "C1", "group C allows at most 1 unit; this would make 2"),
        ({"O1", "B1", "C2"}, "C1", "group C allows at most 1 unit; this would make 2"),
        (
            {"O1"},
            "C1",
            "with this unit no choice of the remaining units can meet the rules: "
            "group B needs at least 6 credits",
        ),
        ({"B1"}, "C1", None),
    ],
)
def test_refusal_in_nested_groups_names_the_group_and_the_count(
    chosen: set[str], adding: str, reason: str | None
) -> None:
    assert refusal(nested(), chosen, adding) == reason


def test_nested_status_reports_each_group_at_its_depth_with_its_subgroups_counted() -> None:
    status = rules_status(nested(), {"O1", "B1", "C2"}, {"B1"})
    (optional,) = status.groups
    assert (optional.name, optional.depth, optional.chosen_credits, optional.chosen_units) == (
        "Optional",
        0,
        13,
        3,
    )
    assert (optional.achieved_credits, optional.achieved_units) == (6, 1)
    assert [(child.name, child.depth, child.chosen_credits) for child in optional.children] == [
        ("B", 1, 6),
        ("C", 1, 2),
    ]


# ---------------------------------------------------------------------------------------------
# Overall minimum and the level rule, Entry levels included

LEVELLED = facts(("E2u", 4, "E2"), ("E3u", 3, "E3"), ("L1u", 2, "1"), ("L3u", 5, "3"))


@pytest.mark.parametrize(
    ("level", "credits", "chosen", "at_level", "met"),
    [
        ("E3", 5, {"E3u", "L1u"}, 5, True),
        ("E3", 5, {"E2u", "E3u"}, 3, False),
        ("E3", 5, {"E2u", "E3u", "L1u"}, 5, True),
        ("E2", 7, {"E2u", "E3u"}, 7, True),
        ("E2", 8, {"E2u", "E3u"}, 7, False),
        ("E1", 4, {"E2u"}, 4, True),
        ("1", 2, {"L1u"}, 2, True),
        ("1", 2, {"E2u", "E3u"}, 0, False),
        ("3", 5, {"L3u"}, 5, True),
        ("3", 6, {"L3u"}, 5, False),
        ("4", 1, {"L1u", "L3u"}, 0, False),
    ],
)
def test_the_level_rule_counts_only_credits_at_or_above_its_level(
    level: str, credits: int, chosen: set[str], at_level: int, met: bool
) -> None:
    rules = Rules(units=LEVELLED, min_credits=0, level_rule=(level, credits))
    status = rules_status(rules, chosen, set())
    assert status.chosen_level_credits == at_level
    assert status.satisfied is met


@pytest.mark.parametrize(
    ("level", "credits", "possible"),
    [
        ("E3", 10, True),  # E3u + L1u + L3u
        ("E3", 11, False),
        ("E1", 14, True),
        ("E1", 15, False),
        ("3", 5, True),
        ("3", 6, False),
        ("8", 0, True),
        ("8", 1, False),
    ],
)
def test_the_level_rule_can_be_met_exactly_up_to_the_credits_available_at_that_level(
    level: str, credits: int, possible: bool
) -> None:
    assert satisfiable(Rules(units=LEVELLED, min_credits=0, level_rule=(level, credits))) is (
        possible
    )


def test_an_unmet_level_rule_is_explained_with_the_level_name() -> None:
    rules = Rules(units=LEVELLED, min_credits=0, level_rule=("E3", 5))
    assert rules_status(rules, {"E2u", "E3u"}, set()).problems == [
        "the qualification needs at least 5 credits at Entry 3 or above; this choice has 3"
    ]


@pytest.mark.parametrize(
    ("chosen", "problems"),
    [
        ({"E2u", "E3u", "L1u"}, []),  # 9, exactly the minimum
        ({"E2u", "E3u"}, ["the qualification needs at least 9 credits; this choice has 7"]),
        ({"E3u", "L3u"}, ["the qualification needs at least 9 credits; this choice has 8"]),
        (set(), ["the qualification needs at least 9 credits; this choice has 0"]),
    ],
)
def test_the_overall_minimum_holds_exactly_at_its_edge(
    chosen: set[str], problems: list[str]
) -> None:
    assert rules_status(Rules(units=LEVELLED, min_credits=9), chosen, set()).problems == problems


# ---------------------------------------------------------------------------------------------
# Barred pairs

BARRED = Rules(
    units=facts(("EX-U7", 5), ("EX-U8", 5), ("EX-U9", 5)),
    min_credits=10,
    barred=(("EX-U7", "EX-U8"),),
)


@pytest.mark.parametrize(
    ("chosen", "problems"),
    [
        ({"EX-U7", "EX-U9"}, []),
        ({"EX-U8", "EX-U9"}, []),
        ({"EX-U7", "EX-U8"}, ["EX-U7 cannot be taken with EX-U8"]),
        ({"EX-U7", "EX-U8", "EX-U9"}, ["EX-U7 cannot be taken with EX-U8"]),
    ],
)
def test_a_barred_pair_is_a_problem_only_when_both_are_chosen(
    chosen: set[str], problems: list[str]
) -> None:
    assert choice_problems(BARRED, chosen) == problems
    assert rules_status(BARRED, chosen, set()).barred_breaches == problems


@pytest.mark.parametrize(
    ("chosen", "adding", "reason"),
    [
        ({"EX-U8"}, "EX-U7", "EX-U7 cannot be taken with EX-U8, which is already chosen"),
        ({"EX-U7"}, "EX-U8", "EX-U8 cannot be taken with EX-U7, which is already chosen"),
        ({"EX-U7"}, "EX-U9", None),
        (set(), "EX-U7", None),
    ],
)
def test_adding_half_of_a_barred_pair_is_refused_naming_the_other_half(
    chosen: set[str], adding: str, reason: str | None
) -> None:
    assert refusal(BARRED, chosen, adding) == reason


# ---------------------------------------------------------------------------------------------
# Feasibility, including rules that cannot be met at all


def legacy() -> Rules:
    return Rules(units=facts(("L1", 5), ("L2", None)))


FEASIBILITY: list[tuple[str, Callable[[], Rules], set[str], set[str], bool]] = [
    ("group minimum within reach", lambda: one_group(A_UNITS, min_credits=16), set(), set(), True),
    ("group minimum out of reach", lambda: one_group(A_UNITS, min_credits=17), set(), set(), False),
    (
        "group minimum after exclusion",
        lambda: one_group(A_UNITS, min_credits=16),
        set(),
        {"A3"},
        False,
    ),
    ("too few units for min_units", lambda: one_group(A_UNITS, min_units=5), set(), set(), False),
    (
        "max_units zero allows nothing",
        lambda: one_group(A_UNITS, max_units=0),
        {"A1"},
        set(),
        False,
    ),
    (
        "overall minimum out of reach",
        lambda: Rules(units=A_UNITS, min_credits=17),
        set(),
        set(),
        False,
    ),
    ("include and exclude the same", lambda: one_group(A_UNITS), {"A1"}, {"A1"}, False),
    ("include an unknown unit", lambda: one_group(A_UNITS), {"Z9"}, set(), False),
    (
        "include breaks a maximum",
        lambda: one_group(A_UNITS, max_credits=10),
        {"A1", "A4"},
        set(),
        False,
    ),
    ("include at a maximum", lambda: one_group(A_UNITS, max_credits=11), {"A1", "A4"}, set(), True),
    (
        "barred pair both needed",
        lambda: Rules(
            units=facts(("X", 5), ("Y", 5)),
            groups=(Group("A", ("X", "Y"), min_units=2),),
            barred=(("X", "Y"),),
        ),
        set(),
        set(),
        False,
    ),
    ("barred pair one needed", lambda: BARRED, set(), set(), True),
    ("barred pair both included", lambda: BARRED, {"EX-U7", "EX-U8"}, set(), False),
    ("barred pair leaves too little", lambda: BARRED, {"EX-U7"}, {"EX-U9"}, False),
    (
        "parent maximum below child minimum",
        lambda: Rules(
            units=facts(("P1", 5), ("P2", 5)),
            groups=(
                Group("P", (), groups=(Group("Q", ("P1", "P2"), min_credits=10),), max_credits=9),
            ),
        ),
        set(),
        set(),
        False,
    ),
    (
        "parent maximum at child minimum",
        lambda: Rules(
            units=facts(("P1", 5), ("P2", 5)),
            groups=(
                Group("P", (), groups=(Group("Q", ("P1", "P2"), min_credits=10),), max_credits=10),
            ),
        ),
        set(),
        set(),
        True,
    ),
    ("legacy: every unit required", legacy, set(), set(), True),
    ("legacy: a unit excluded", legacy, set(), {"L2"}, False),
    (
        "legacy with a barred pair",
        lambda: Rules(units=facts(("L1", 5), ("L2", 5)), barred=(("L1", "L2"),)),
        set(),
        set(),
        False,
    ),
    ("no units at all", lambda: Rules(units={}), set(), set(), True),
    ("empty choice allowed", lambda: one_group(A_UNITS, max_units=3), set(), set(A_UNITS), True),
    (
        "empty choice not enough",
        lambda: one_group(A_UNITS, min_units=1),
        set(),
        set(A_UNITS),
        False,
    ),
    (
        "zero-credit units do not help a minimum",
        lambda: Rules(
            units=facts(("N1", None), ("N2", 0), ("P", 3)),
            groups=(Group("A", ("N1", "N2", "P"), min_credits=4),),
        ),
        set(),
        set(),
        False,
    ),
    (
        "zero-credit units count as units",
        lambda: Rules(
            units=facts(("N1", None), ("N2", 0)),
            groups=(Group("A", ("N1", "N2"), min_units=2, max_credits=0),),
        ),
        set(),
        set(),
        True,
    ),
]


@pytest.mark.parametrize(
    ("rules", "include", "exclude", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in FEASIBILITY],
)
def test_feasible_says_whether_any_choice_meets_every_rule(
    rules: Callable[[], Rules], include: set[str], exclude: set[str], expected: bool
) -> None:
    assert feasible(rules(), include=include, exclude=exclude) is expected


# ---------------------------------------------------------------------------------------------
# Mandatory units


def level_choice_in_parent_and_child() -> Rules:
    """P allows one unit: its own A (Level 2) or its subgroup's B (Level 3). Both give the
    same credit and unit counts, so only the credits at level tell them apart."""
    return Rules(
        units=facts(("A", 5, "2"), ("B", 5, "3")),
        groups=(Group("P", ("A",), groups=(Group("C", ("B",)),), max_units=1),),
        min_credits=5,
        level_rule=("3", 5),
    )


def level_choice_under_a_maximum() -> Rules:
    """T allows 10 credits: X (5, Level 3) or Y (6, Level 2), which look the same from outside
    once the overall minimum of 5 is met."""
    return Rules(
        units=facts(("X", 5, "3"), ("Y", 6, "2")),
        groups=(Group("T", ("X", "Y"), max_credits=10),),
        min_credits=5,
        level_rule=("3", 5),
    )


def level_choice_in_one_group() -> Rules:
    """T allows one unit: A (Level 3) or B (Level 2), each worth 5 credits."""
    return Rules(
        units=facts(("A", 5, "3"), ("B", 5, "2")),
        groups=(Group("T", ("A", "B"), max_units=1),),
        min_credits=5,
        level_rule=("3", 5),
    )


MANDATORY: list[tuple[str, Callable[[], Rules], set[str]]] = [
    ("level decides within one group", level_choice_in_one_group, {"A"}),
    ("level decides between parent and subgroup", level_choice_in_parent_and_child, {"B"}),
    ("level decides under a maximum", level_choice_under_a_maximum, {"X"}),
    ("legacy: every unit", legacy, {"L1", "L2"}),
    ("min_units equal to the group's size", lambda: one_group(A_UNITS, min_units=4), set(A_UNITS)),
    ("a credit minimum with room to spare", lambda: one_group(A_UNITS, min_credits=6), set()),
    (
        "a credit minimum only some units can reach",
        lambda: Rules(units=facts(("M1", 6), ("M2", 4), ("M3", 3)), min_credits=10),
        {"M1", "M2"},
    ),
    (
        "the only unit at the level rule's level",
        lambda: Rules(units=LEVELLED, min_credits=0, level_rule=("3", 5)),
        {"L3u"},
    ),
    (
        "a barred pair forces the third unit",
        lambda: BARRED,
        {"EX-U9"},
    ),
    (
        "a zero-credit unit needed for a unit count",
        lambda: Rules(
            units=facts(("N", None), ("P", 5)),
            groups=(Group("A", ("N", "P"), min_units=2),),
        ),
        {"N", "P"},
    ),
    (
        "a zero-credit unit is never needed for credits",
        lambda: Rules(
            units=facts(("N", None), ("P", 5)),
            groups=(Group("A", ("N", "P"), min_credits=5),),
        ),
        {"P"},
    ),
    (
        "rules that cannot be met: every unit, vacuously",
        lambda: one_group(A_UNITS, min_credits=17),
        set(A_UNITS),
    ),
]


@pytest.mark.parametrize(
    ("rules", "expected"), [pytest.param(*row[1:], id=row[0]) for row in MANDATORY]
)
def test_mandatory_units_are_those_every_valid_choice_contains(
    rules: Callable[[], Rules], expected: set[str]
) -> None:
    assert mandatory_units(rules()) == expected


@pytest.mark.parametrize(
    ("rules", "removing", "reason"),
    [
        (legacy, "L1", "L1 is mandatory"),
        (lambda: BARRED, "EX-U9", "EX-U9 is mandatory"),
        (lambda: BARRED, "EX-U7", None),
        (lambda: one_group(A_UNITS, min_credits=6), "A4", None),
        (lambda: one_group(A_UNITS, min_credits=6), "Z9", None),
    ],
)
def test_only_a_mandatory_unit_is_refused_removal(
    rules: Callable[[], Rules], removing: str, reason: str | None
) -> None:
    built = rules()
    assert removal_refusal(built, set(built.units), removing) == reason


# ---------------------------------------------------------------------------------------------
# Why adding a unit would leave the rules unfinishable


def clashing(max_credits: int) -> Rules:
    """Group A holds A1 and subgroups B and C, each needing 5 credits; every unit is worth 5."""
    return Rules(
        units=facts(("A1", 5), ("B1", 5), ("C1", 5)),
        groups=(
            Group(
                "A",
                ("A1",),
                groups=(Group("B", ("B1",), min_credits=5), Group("C", ("C1",), min_credits=5)),
                max_credits=max_credits,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("rules", "chosen", "adding", "reason"),
    [
        (lambda: clashing(15), set(), "A1", None),
        (
            lambda: clashing(10),
            set(),
            "A1",
            "with this unit no choice of the remaining units can meet the rules: "
            "group B needs at least 5 credits and group C needs at least 5 credits, "
            "and these cannot both be met at once",
        ),
        (
            lambda: Rules(
                units=facts(("X", 10, "2"), ("Y", 10, "3")),
                min_credits=10,
                level_rule=("3", 10),
                barred=(("X", "Y"),),
            ),
            set(),
            "X",
            "with this unit no choice of the remaining units can meet the rules: "
            "the qualification needs at least 10 credits at Level 3 or above",
        ),
        (
            lambda: Rules(
                units=facts(("G1", 4), ("G2", 4), ("H1", 4)),
                groups=(Group("G", ("G1", "G2"), max_credits=4), Group("H", ("H1",))),
                min_credits=8,
            ),
            set(),
            "G1",
            None,
        ),
        (
            lambda: Rules(
                units=facts(("G1", 4), ("G2", 4), ("H1", 3)),
                groups=(Group("G", ("G1", "G2"), max_credits=4), Group("H", ("H1",))),
                min_credits=8,
            ),
            set(),
            "G1",
            "with this unit no choice of the remaining units can meet the rules: "
            "the qualification needs at least 8 credits",
        ),
    ],
)
def test_a_unit_that_would_make_the_rules_unfinishable_is_refused_with_the_rule_named(
    rules: Callable[[], Rules], chosen: set[str], adding: str, reason: str | None
) -> None:
    assert refusal(rules(), chosen, adding) == reason


def test_optional_choices_list_every_unchosen_optional_unit_in_order_with_its_reason() -> None:
    rules = Rules(
        units=facts(("M", 5), ("O1", 5), ("O2", 5), ("O3", 10), ("O4", 5)),
        groups=(
            Group("Mandatory", ("M",), min_units=1),
            Group("Optional", ("O1", "O2", "O3", "O4"), min_credits=5, max_credits=10),
        ),
        barred=(("O1", "O2"),),
    )
    assert mandatory_units(rules) == {"M"}
    assert optional_choices(rules, {"M", "O1"}) == [
        ("O2", "O2 cannot be taken with O1, which is already chosen"),
        ("O3", "group Optional allows at most 10 credits; this would make 15"),
        ("O4", None),
    ]
    assert optional_choices(rules, {"M", "O1"}, mandatory={"M", "O4"}) == [
        ("O2", "O2 cannot be taken with O1, which is already chosen"),
        ("O3", "group Optional allows at most 10 credits; this would make 15"),
    ]


# ---------------------------------------------------------------------------------------------
# Status: summaries, met and complete, achieved

S_UNITS = facts(("S1", 8), ("S2", 6), ("S3", 4))


@pytest.mark.parametrize(
    ("limits", "summary"),
    [
        ({"min_credits": 14}, "14 of at least 14 credits chosen, 6 achieved"),
        ({"max_credits": 15}, "14 of at most 15 credits chosen, 6 achieved"),
        ({"min_credits": 10, "max_credits": 20}, "14 of 10 to 20 credits chosen, 6 achieved"),
        ({"min_credits": 14, "max_credits": 14}, "14 of 14 credits chosen, 6 achieved"),
        ({"min_units": 1}, "2 of at least 1 unit chosen, 1 achieved"),
        (
            {"min_credits": 14, "max_units": 2},
            "14 of at least 14 credits chosen, 6 achieved; 2 of at most 2 units chosen, 1 achieved",
        ),
        ({}, "14 credits chosen, 6 achieved"),
    ],
)
def test_a_group_summary_reads_as_progress_against_its_limits(
    limits: dict[str, int], summary: str
) -> None:
    status = rules_status(one_group(S_UNITS, **limits), {"S1", "S2"}, {"S2"})
    assert status.groups[0].summary == summary


@pytest.mark.parametrize(
    ("limits", "chosen", "achieved", "met", "complete"),
    [
        ({"min_credits": 14}, {"S1", "S2"}, {"S1", "S2"}, True, True),
        ({"min_credits": 14}, {"S1", "S2"}, {"S1"}, True, False),
        ({"min_credits": 14}, {"S1", "S3"}, {"S1", "S3"}, False, False),
        ({"max_credits": 10}, {"S1", "S3"}, set(), False, True),
        ({"min_units": 2, "max_units": 2}, {"S1", "S3"}, {"S3"}, True, False),
        ({}, set(), set(), True, True),
    ],
)
def test_a_group_is_met_by_the_choice_and_complete_by_what_is_achieved(
    limits: dict[str, int], chosen: set[str], achieved: set[str], met: bool, complete: bool
) -> None:
    group = rules_status(one_group(S_UNITS, **limits), chosen, achieved).groups[0]
    assert (group.met, group.complete) == (met, complete)


def test_status_totals_count_chosen_and_achieved_credits_overall_and_at_level() -> None:
    rules = Rules(units=LEVELLED, min_credits=9, level_rule=("1", 5))
    status = rules_status(rules, {"E3u", "L1u", "L3u"}, {"L1u", "E2u"})
    assert (status.chosen_credits, status.achieved_credits) == (10, 6)
    assert (status.chosen_level_credits, status.achieved_level_credits) == (7, 2)
    assert status.satisfied
    assert not status.achieved
    assert status.level_rule_text == "at least 5 credits at Level 1 or above"


@pytest.mark.parametrize(
    ("chosen", "achieved", "satisfied", "all_achieved"),
    [
        ({"L1", "L2"}, {"L1", "L2"}, True, True),
        ({"L1", "L2"}, {"L1"}, True, False),
        ({"L1"}, set(), False, False),
    ],
)
def test_legacy_status_needs_every_unit(
    chosen: set[str], achieved: set[str], satisfied: bool, all_achieved: bool
) -> None:
    status = rules_status(legacy(), chosen, achieved)
    assert (status.satisfied, status.achieved) == (satisfied, all_achieved)


def test_legacy_status_names_the_units_not_chosen() -> None:
    rules = Rules(units=facts(("L1", 5), ("L2", 5), ("L3", 5)))
    assert rules_status(rules, {"L1"}, set()).problems == [
        "every unit is required; L2 and L3 are not chosen"
    ]


def test_a_qualification_with_no_units_is_never_achieved() -> None:
    status = rules_status(Rules(units={}), set(), set())
    assert status.satisfied
    assert not status.achieved


# ---------------------------------------------------------------------------------------------
# Completion


@pytest.mark.parametrize(
    ("rules", "chosen", "signed_off", "complete"),
    [
        pytest.param(legacy, set(), {"L1", "L2"}, True, id="legacy all signed off"),
        pytest.param(legacy, {"L1", "L2"}, {"L1"}, False, id="legacy one missing"),
        pytest.param(lambda: Rules(units={}), set(), set(), False, id="no units"),
        pytest.param(
            lambda: BARRED, {"EX-U7", "EX-U9"}, {"EX-U7", "EX-U9"}, True, id="valid, signed off"
        ),
        pytest.param(
            lambda: BARRED, {"EX-U7", "EX-U9"}, {"EX-U7"}, False, id="valid, one not signed"
        ),
        pytest.param(lambda: BARRED, {"EX-U9"}, {"EX-U9"}, False, id="signed off, below min"),
        pytest.param(
            lambda: BARRED,
            {"EX-U7", "EX-U8", "EX-U9"},
            {"EX-U7", "EX-U8", "EX-U9"},
            False,
            id="signed off, barred pair",
        ),
        pytest.param(
            lambda: one_group(A_UNITS, max_units=2), set(), set(), False, id="empty choice"
        ),
        pytest.param(
            lambda: one_group(A_UNITS, max_units=2),
            {"A1", "A2"},
            {"A1", "A2", "A3"},
            True,
            id="extra sign-offs do not matter",
        ),
    ],
)
def test_is_complete_needs_every_chosen_unit_signed_off_and_every_rule_met(
    rules: Callable[[], Rules], chosen: set[str], signed_off: set[str], complete: bool
) -> None:
    assert is_complete(rules(), chosen, signed_off) is complete


# ---------------------------------------------------------------------------------------------
# Grading and standards coverage


@pytest.mark.parametrize(
    ("criteria", "grade"),
    [
        ([], None),
        ([("", True)], None),
        ([("", True), ("", True)], None),
        ([("pass", True)], "pass"),
        ([("pass", False)], None),
        ([("pass", True), ("merit", False), ("distinction", False)], "pass"),
        ([("pass", False), ("merit", True), ("distinction", True)], None),
        ([("pass", True), ("merit", True), ("distinction", False)], "merit"),
        ([("pass", True), ("merit", True), ("distinction", True)], "distinction"),
        ([("pass", True), ("merit", False), ("distinction", True)], "pass"),
        ([("pass", True), ("distinction", True)], "distinction"),
        ([("", True), ("pass", True), ("merit", True)], "merit"),
        ([("", False), ("pass", True), ("merit", True)], None),
        ([("merit", True)], "merit"),
    ],
)
def test_unit_grade_is_the_highest_band_whose_criteria_and_all_below_are_met(
    criteria: list[tuple[str, bool]], grade: str | None
) -> None:
    assert unit_grade(criteria) == grade


def test_unit_grade_refuses_an_unknown_band() -> None:
    with pytest.raises(ValueError, match="unknown grade band"):
        unit_grade([("excellent", True)])


@pytest.mark.parametrize(
    ("criteria", "coverage"),
    [
        ([("K1", True), ("K2", False), ("S1", True)], {"K": (1, 2), "S": (1, 1)}),
        ([("B1", False)], {"B": (0, 1)}),
        ([("1.1", True), ("P1", True)], {}),
        ([("S2", True), ("K1", True), ("B1", True)], {"K": (1, 1), "S": (1, 1), "B": (1, 1)}),
        ([], {}),
    ],
)
def test_ksb_coverage_counts_met_and_listed_per_letter_present(
    criteria: list[tuple[str, bool]], coverage: dict[str, tuple[int, int]]
) -> None:
    assert ksb_coverage(criteria) == coverage
    assert list(ksb_coverage(criteria)) == list(coverage)


# ---------------------------------------------------------------------------------------------
# Building rules from a specification, and what Rules refuses

EX_UNITS = facts(("EX-U1", 10), ("EX-U2", 5), ("EX-U3", 5, "2"), ("EX-U4", 5))


def spec(**rules: object) -> QualificationSpec:
    fields: dict[str, object] = {
        "reference": "EX-Q",
        "awarding_body": "EX",
        "title": "Example",
        "level": "3",
        "framework": "RQF",
        "units": list(EX_UNITS),
    }
    if rules:
        fields["rules"] = rules
    return QualificationSpec.model_validate(fields)


def test_rules_from_a_spec_keep_its_groups_limits_level_rule_and_barred_pairs() -> None:
    rules = Rules.from_spec(
        spec(
            min_credits=20,
            min_credits_at_or_above_level={"level": "3", "credits": 10},
            barred=[["ex-u3", "EX-U4"]],
            groups=[
                {"name": "A", "units": ["EX-U1"], "min_units": 1},
                {
                    "name": "B",
                    "units": ["EX-U2"],
                    "groups": [{"name": "B1", "units": ["ex-u3", "EX-U4"], "max_units": 1}],
                },
            ],
        ),
        EX_UNITS,
    )
    assert rules.groups == (
        Group("A", ("EX-U1",), min_units=1),
        Group("B", ("EX-U2",), groups=(Group("B1", ("EX-U3", "EX-U4"), max_units=1),)),
    )
    assert (rules.min_credits, rules.level_rule, rules.barred) == (
        20,
        ("3", 10),
        (("EX-U3", "EX-U4"),),
    )
    assert not rules.every_unit_required
    assert rules.groups[1].all_units() == ("EX-U2", "EX-U3", "EX-U4")


def test_a_spec_without_rules_requires_every_unit() -> None:
    rules = Rules.from_spec(spec(), EX_UNITS)
    assert rules.every_unit_required
    assert mandatory_units(rules) == set(EX_UNITS)


def test_a_spec_with_only_a_credit_minimum_leaves_every_unit_optional() -> None:
    rules = Rules.from_spec(spec(min_credits=10), EX_UNITS)
    assert not rules.every_unit_required
    assert mandatory_units(rules) == set()


def test_a_spec_naming_a_unit_not_given_is_refused() -> None:
    with pytest.raises(ValueError, match="EX-U9"):
        Rules.from_spec(spec(groups=[{"name": "A", "units": ["EX-U9"]}]), EX_UNITS)


@pytest.mark.parametrize(
    ("groups", "barred", "message"),
    [
        ((Group("A", ("EX-U1",)), Group("B", ("EX-U1",))), (), "more than one group"),
        ((Group("A", ("EX-U9",)),), (), "unknown unit EX-U9"),
        ((Group("A", ("EX-U1",)), Group("A", ("EX-U2",))), (), "two groups are named A"),
        ((), (("EX-U1", "EX-U9"),), "unknown unit EX-U9"),
    ],
)
def test_rules_refuse_a_unit_in_two_groups_unknown_units_and_repeated_group_names(
    groups: tuple[Group, ...], barred: tuple[tuple[str, str], ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Rules(units=EX_UNITS, groups=groups, barred=barred)


def test_a_unit_with_no_credits_counts_as_none() -> None:
    assert UnitFacts("N", "No credits", None, "2").credits == 0  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Scale: 80 units, 31 groups, three barred pairs, about 300 credits


def large(min_credits: int, level_credits: int) -> Rules:
    """Sixteen groups of five units worth 3 to 7 credits (levels 3, 2, 3, 2, 3). G00 needs all
    five; every other group needs 6 to 20 credits and nests its 6- and 7-credit units in a
    subgroup allowing one. At most 25 + 15 × 19 = 310 credits, 240 at level 3, less what the
    barred pairs cost: 3 + 4 + 5 credits, 3 + 0 + 5 of them at level 3: 298 and 232."""
    units = {}
    groups = []
    for number in range(16):
        refs = [f"G{number:02}-U{k}" for k in range(5)]
        for k, ref in enumerate(refs):
            units[ref] = UnitFacts(ref, ref, 3 + k, "3" if k % 2 == 0 else "2")
        if number == 0:
            groups.append(Group("G00", tuple(refs), min_units=5))
        else:
            sub = Group(f"G{number:02}-pick", tuple(refs[3:]), max_units=1)
            groups.append(
                Group(f"G{number:02}", tuple(refs[:3]), (sub,), min_credits=6, max_credits=20)
            )
    barred = (("G01-U0", "G02-U0"), ("G03-U1", "G04-U1"), ("G05-U2", "G06-U2"))
    return Rules(
        units=units,
        groups=tuple(groups),
        min_credits=min_credits,
        level_rule=("3", level_credits),
        barred=barred,
    )


@pytest.mark.parametrize(
    ("min_credits", "level_credits", "possible"),
    [(298, 232, True), (299, 0, False), (0, 233, False), (200, 100, True)],
)
def test_eighty_units_are_settled_quickly_and_exactly_at_the_edge(
    min_credits: int, level_credits: int, possible: bool
) -> None:
    started = time.perf_counter()
    assert satisfiable(large(min_credits, level_credits)) is possible
    assert time.perf_counter() - started < 2


def test_eighty_units_at_the_edge_make_every_unit_mandatory_but_the_interchangeable_ones() -> None:
    rules = large(298, 232)
    started = time.perf_counter()
    mandatory = mandatory_units(rules)
    elapsed = time.perf_counter() - started
    # Either half of each barred pair will do, and so will leaving out every 6-credit unit.
    interchangeable = {ref for pair in rules.barred for ref in pair}
    interchangeable |= {f"G{n:02}-U3" for n in range(1, 16)}
    assert mandatory == set(rules.units) - interchangeable
    assert elapsed < 20


def test_eighty_units_with_room_to_spare_make_only_the_full_group_mandatory() -> None:
    assert mandatory_units(large(200, 100)) == {f"G00-U{k}" for k in range(5)}


# ---------------------------------------------------------------------------------------------
# Against every subset: small random rules, checked by brute force


def random_rules(rnd: random.Random) -> Rules:
    """Up to 9 units in up to three levels of groups, with limits, a level rule and barred
    pairs drawn often enough that they bind."""
    units = {
        f"U{i}": UnitFacts(
            f"U{i}", "t", rnd.choice([0, 1, 2, 3, 4, 5]), rnd.choice(["E2", "1", "3"])
        )
        for i in range(rnd.randint(0, 9))
    }
    pool = list(units)
    rnd.shuffle(pool)
    names = itertools.count(1)

    def limit(high: int) -> int | None:
        return rnd.randint(0, high) if rnd.random() < 0.4 else None

    def group(refs: list[str], depth: int) -> Group:
        name = f"G{next(names)}"
        split = rnd.randint(0, len(refs))
        children = ()
        if depth < 2 and split < len(refs):
            middle = rnd.randint(split, len(refs))
            children = tuple(
                group(part, depth + 1) for part in (refs[split:middle], refs[middle:]) if part
            )
        return Group(
            name,
            tuple(refs[:split]),
            children,
            min_credits=limit(6),
            max_credits=limit(12),
            min_units=limit(2),
            max_units=limit(4),
        )

    groups = []
    while pool and rnd.random() < 0.75:
        take = rnd.randint(1, len(pool))
        groups.append(group(pool[:take], 0))
        pool = pool[take:]
    barred = tuple(
        tuple(rnd.sample(list(units), 2)) for _ in range(rnd.randint(0, 2)) if len(units) > 1
    )
    return Rules(
        units=units,
        groups=tuple(groups),
        min_credits=limit(12),
        level_rule=(rnd.choice(["E2", "1", "3"]), rnd.randint(0, 8))
        if rnd.random() < 0.6
        else None,
        barred=barred,
    )


def meets(rules: Rules, chosen: set[str]) -> bool:
    """The rules written out plainly, as an oracle for the search."""
    if rules.every_unit_required and not chosen >= set(rules.units):
        return False
    for group in rules.all_groups():
        inside = [ref for ref in group.all_units() if ref in chosen]
        credits = sum(rules.units[ref].credits for ref in inside)
        for low, count, high in (
            (group.min_credits, credits, group.max_credits),
            (group.min_units, len(inside), group.max_units),
        ):
            if (low is not None and count < low) or (high is not None and count > high):
                return False
    total = sum(rules.units[ref].credits for ref in chosen)
    if rules.min_credits is not None and total < rules.min_credits:
        return False
    if rules.level_rule is not None:
        level, needed = rules.level_rule
        at_level = [
            ref for ref in chosen if LEVEL_RANK[rules.units[ref].level] >= LEVEL_RANK[level]
        ]
        if sum(rules.units[ref].credits for ref in at_level) < needed:
            return False
    return not any(first in chosen and second in chosen for first, second in rules.barred)


def valid_choices(rules: Rules) -> list[set[str]]:
    refs = list(rules.units)
    subsets = (
        set(itertools.compress(refs, bits)) for bits in itertools.product([0, 1], repeat=len(refs))
    )
    return [chosen for chosen in subsets if meets(rules, chosen)]


@pytest.mark.parametrize("seed", range(20))
def test_the_search_agrees_with_trying_every_subset(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(40):
        rules = random_rules(rnd)
        valid = valid_choices(rules)
        assert satisfiable(rules) is bool(valid)
        for chosen in valid[:3]:
            assert rules_status(rules, chosen, set()).satisfied
        if valid:
            assert mandatory_units(rules) == set.intersection(*valid)
        refs = list(rules.units)
        include = set(rnd.sample(refs, min(len(refs), rnd.randint(0, 2))))
        exclude = set(rnd.sample(refs, min(len(refs), rnd.randint(0, 2))))
        expected = any(include <= chosen and not chosen & exclude for chosen in valid)
        assert feasible(rules, include=include, exclude=exclude) is expected


@pytest.mark.parametrize("seed", range(6))
def test_adding_every_unit_not_refused_ends_in_a_choice_that_meets_the_rules(seed: int) -> None:
    rnd = random.Random(100 + seed)
    for _ in range(25):
        rules = random_rules(rnd)
        if not satisfiable(rules):
            continue
        chosen = set(mandatory_units(rules))
        order = list(rules.units)
        rnd.shuffle(order)
        for ref in order:
            if ref not in chosen and refusal(rules, chosen, ref) is None:
                chosen.add(ref)
        assert rules_status(rules, chosen, set()).satisfied, (rules, chosen)
