"""The rules of combination in the words a catalogue page uses."""

from __future__ import annotations

import pytest

from qualifications.models import Qualification
from qualifications.outline import rules_outline
from qualifications.rules import level_rule_in_words, limits_in_words
from qualifications.selectors import qualification_detail

# (min_credits, max_credits, min_units, max_units, units in the group): the words
LIMITS = [
    ((None, None, None, None, 4), []),
    ((10, None, None, None, 4), ["at least 10 credits"]),
    ((None, 8, None, None, 4), ["at most 8 credits"]),
    ((None, 1, None, None, 4), ["at most 1 credit"]),
    ((5, 15, None, None, 4), ["5 to 15 credits"]),
    ((6, 6, None, None, 4), ["exactly 6 credits"]),
    ((None, None, 3, None, 3), ["all 3 units"]),
    ((None, None, 3, 3, 3), ["all 3 units"]),
    ((None, None, 1, None, 1), ["its only unit"]),
    ((None, None, 2, None, 3), ["at least 2 units"]),
    ((None, None, None, 2, 3), ["at most 2 units"]),
    ((None, None, 1, 2, 3), ["1 to 2 units"]),
    ((None, None, 2, 2, 3), ["exactly 2 units"]),
    ((7, None, None, 2, 5), ["at least 7 credits", "at most 2 units"]),
]


@pytest.mark.parametrize(
    ("limits", "words"), LIMITS, ids=[" ".join(w) or "none" for _, w in LIMITS]
)
def test_a_groups_limits_read_as_the_specification_states_them(
    limits: tuple[int | None, int | None, int | None, int | None, int], words: list[str]
) -> None:
    min_credits, max_credits, min_units, max_units, count = limits
    assert (
        limits_in_words(
            min_credits=min_credits,
            max_credits=max_credits,
            min_units=min_units,
            max_units=max_units,
            unit_count=count,
        )
        == words
    )


@pytest.mark.parametrize(
    ("level", "credits", "words"),
    [
        ("3", 16, "at least 16 credits at Level 3 or above"),
        ("E2", 1, "at least 1 credit at Entry 2 or above"),
    ],
)
def test_the_level_rule_reads_in_words(level: str, credits: int, words: str) -> None:
    assert level_rule_in_words(level, credits) == words


@pytest.mark.django_db
def test_a_qualification_without_rules_takes_every_unit(catalogue: None) -> None:
    outline = rules_outline(qualification_detail("OCR-L3-RSSP-CERT"))
    assert outline.every_unit_mandatory
    assert [link.unit.reference for link in outline.ungrouped] == ["RS-WWO", "RS-PDR"]
    assert (outline.groups, outline.barred, outline.level_rule) == ([], [], "")


@pytest.mark.django_db
def test_a_group_counts_the_units_of_its_subgroups(catalogue: None) -> None:
    qualification = Qualification.objects.get(reference="EX-L3-RETAIL-DIP", is_current=True)
    outline = rules_outline(qualification_detail(qualification.reference))
    assert {group.name: group.unit_count for group in outline.groups} == {"A": 3, "B": 4, "C": 4}
    assert not outline.every_unit_mandatory
    assert outline.min_credits == 30
    assert outline.level_rule == "at least 16 credits at Level 3 or above"
