"""Completion, grading and progress follow the rules of combination, at their edges, on the
invented example diploma (tests/diploma.py): only a portfolio's own units count, a portfolio
is complete only when its units are signed off and meet every rule, and a graded unit's grade
follows the criteria met. The portfolio page and the tracking matrix show it so."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessment import progress
from assessment import services as assessment
from assessment.selectors import tracking_matrix
from dashboards.selectors import learner_rows
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.units import criteria_progress
from tests.diploma import DEMO_CHOICE, MANDATORY, accept, enrol, sign_off, unit_of
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def words(html: str) -> str:
    """The page's text without its tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page_of(client: Client, name: str, portfolio: Portfolio) -> str:
    return text_of(client.get(reverse(f"assessment:{name}", args=[portfolio.pk])))


def rules_section(page: str) -> str:
    start = page.index('<section aria-labelledby="rules-heading"')
    return page[start : page.index("</section>", start)]


def is_complete_everywhere(portfolio: Portfolio) -> bool:
    """Completion as every reader asks it, which must agree: the page's and the PDF's
    rules_progress, portfolio_is_complete, and completion() for many portfolios. (The
    dashboards' RAG has its own test below.)"""
    units = progress.portfolio_progress(portfolio)
    answers = {
        "rules_progress": progress.rules_progress(portfolio, units).complete,
        "portfolio_is_complete": progress.portfolio_is_complete(portfolio, units),
        "completion": progress.completion([portfolio])[portfolio.pk],
    }
    assert len(set(answers.values())) == 1, answers
    return answers["completion"]


# Completion ----------------------------------------------------------------------------------

# (optional units chosen, units not signed off, complete?, the first problem left, if any).
# Every chosen unit is signed off unless listed; credits are A 12 (5 at Level 3), B1 4 (L3),
# B2 5 (L3), B3 3, B4 4 (L3), C1A 2, C1B 3, C2A 3, C2B 4 (L3).
COMPLETION = {
    "the fixture's choice, all signed off": (DEMO_CHOICE, (), True, None),
    "exactly 30 credits, 17 at Level 3": (
        ("EX-RET-B1", "EX-RET-B3", "EX-RET-B4", "EX-RET-C1B", "EX-RET-C2B"),
        (),
        True,
        None,
    ),
    "one chosen unit not signed off": (DEMO_CHOICE, ("EX-RET-C2A",), False, None),
    "a mandatory unit not signed off": (DEMO_CHOICE, ("EX-RET-A3",), False, None),
    "29 credits, all signed off": (
        ("EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C2B"),
        (),
        False,
        "the qualification needs at least 30 credits; this choice has 29",
    ),
    "14 credits at Level 3, all signed off": (
        ("EX-RET-B1", "EX-RET-B2", "EX-RET-B3", "EX-RET-C1B", "EX-RET-C2A"),
        (),
        False,
        "the qualification needs at least 16 credits at Level 3 or above; this choice has 14",
    ),
    "a barred pair, all signed off": (
        ("EX-RET-B1", "EX-RET-B2", "EX-RET-B3", "EX-RET-B4", "EX-RET-C1A"),
        (),
        False,
        "EX-RET-B3 cannot be taken with EX-RET-C1A",
    ),
    "subgroup C1 over its maximum, all signed off": (
        ("EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C1A", "EX-RET-C1B"),
        (),
        False,
        "group C1 allows at most 3 credits; this choice makes 5",
    ),
    "group C over its maximum, all signed off": (
        ("EX-RET-B1", "EX-RET-B3", "EX-RET-B4", "EX-RET-C1B", "EX-RET-C2A", "EX-RET-C2B"),
        (),
        False,
        "group C allows at most 8 credits; this choice makes 10",
    ),
    "only the mandatory units, all signed off": (
        (),
        (),
        False,
        "the qualification needs at least 30 credits; this choice has 12",
    ),
}


@pytest.mark.parametrize("case", COMPLETION)
def test_a_portfolio_is_complete_only_when_its_units_are_signed_off_and_meet_the_rules(
    catalogue: None, amy: User, asha: User, case: str
) -> None:
    chosen, unsigned, complete, problem = COMPLETION[case]
    portfolio = enrol(amy, asha, chosen)
    sign_off(portfolio, *[ref for ref in (*MANDATORY, *chosen) if ref not in unsigned])

    assert is_complete_everywhere(portfolio) is complete
    status = progress.rules_progress(portfolio, progress.portfolio_progress(portfolio)).status
    assert status.problems[:1] == ([problem] if problem else [])


def test_a_complete_portfolio_is_green_on_the_dashboard_after_its_planned_end(
    catalogue: None, amy: User, asha: User, ben: User
) -> None:
    ended = {
        "start_date": datetime.date(2024, 9, 1),
        "planned_end_date": datetime.date(2025, 8, 31),
    }
    finished = enrol(amy, asha, DEMO_CHOICE, **ended)
    sign_off(finished, *MANDATORY, *DEMO_CHOICE)
    # Every chosen unit signed off, but 29 credits: not complete, so late and at risk.
    short = enrol(ben, asha, ("EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C2B"), **ended)
    sign_off(short, *MANDATORY, "EX-RET-B1", "EX-RET-B2", "EX-RET-B4", "EX-RET-C2B")

    rows = {row.portfolio.pk: row for row in learner_rows(Portfolio.objects.all())}

    assert rows[finished.pk].rag == "green"
    assert rows[short.pk].rag == "red"
    assert (rows[short.pk].units_signed_off, rows[short.pk].units_total) == (7, 7)


# Only the portfolio's own units count ----------------------------------------------------------


def met_and_total_on_the_portfolio_page(portfolio: Portfolio) -> tuple[int, int]:
    units = progress.portfolio_progress(portfolio)
    return sum(u.met for u in units), sum(u.total for u in units)


def met_and_total_on_the_portfolio_list(portfolio: Portfolio) -> tuple[int, int]:
    return criteria_progress([portfolio])[portfolio.pk]


def met_and_total_on_the_dashboard(portfolio: Portfolio) -> tuple[int, int]:
    [row] = learner_rows(Portfolio.objects.filter(pk=portfolio.pk))
    return row.criteria_met, row.criteria_total


PROGRESS_READERS = {
    "portfolio page": met_and_total_on_the_portfolio_page,
    "portfolio list": met_and_total_on_the_portfolio_list,
    "cohort dashboard": met_and_total_on_the_dashboard,
}


@pytest.mark.parametrize("reader", PROGRESS_READERS)
def test_an_unchosen_optional_units_criteria_never_count_in_progress(
    catalogue: None, amy: User, asha: User, reader: str
) -> None:
    portfolio = enrol(amy, asha, ["EX-RET-B1"])
    accept(portfolio, "EX-RET-B1", ["1.1"])
    before = PROGRESS_READERS[reader](portfolio)
    # Evidence accepted against B2, which Amy has not chosen (say it was chosen, then
    # dropped): it must change nothing.
    accept(portfolio, "EX-RET-B2")

    assert PROGRESS_READERS[reader](portfolio) == before
    assert before[0] == 1
    own_units = [*MANDATORY, "EX-RET-B1"]
    assert [u.unit.reference for u in progress.portfolio_progress(portfolio)] == own_units


def test_an_unchosen_optional_unit_is_not_ready_for_sign_off_and_cannot_be_declared(
    catalogue: None, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha, ["EX-RET-B1"])
    accept(portfolio, "EX-RET-B2")
    b2 = unit_of(portfolio, "EX-RET-B2")

    assert progress.units_ready_for_sign_off([portfolio]) == {}
    with pytest.raises(ActionRefused, match="not one of this portfolio's units"):
        assessment.unit_declare(actor=amy, portfolio=portfolio, unit=b2)


# Grading -------------------------------------------------------------------------------------


def graded_unit(portfolio: Portfolio) -> progress.UnitProgress:
    [unit] = [u for u in progress.portfolio_progress(portfolio) if u.unit.reference == "EX-RET-A3"]
    return unit


def test_a_graded_unit_is_ready_for_sign_off_with_its_pass_criteria_met_and_no_others(
    catalogue: None, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha)
    accept(portfolio, "EX-RET-A3", ["P1", "P2"])
    unit = graded_unit(portfolio)
    assert (unit.met, unit.total, unit.ready_for_sign_off) == (2, 3, False)

    accept(portfolio, "EX-RET-A3", ["P3"])

    unit = graded_unit(portfolio)
    assert (unit.met, unit.total, unit.ready_for_sign_off) == (3, 3, True)
    assert [(item.criterion.number, met) for item, met in unit.higher_criteria] == [
        ("M1", False),
        ("D1", False),
        ("M2", False),
    ]
    assert progress.units_ready_for_sign_off([portfolio]) == {portfolio.pk: [unit.unit.pk]}
    assessment.unit_declare(actor=amy, portfolio=portfolio, unit=unit.unit)
    assessment.unit_sign_off(actor=asha, portfolio=portfolio, unit=unit.unit)
    assert graded_unit(portfolio).signed_off


# Criteria accepted, in order, and the grade after each.
GRADE_STEPS = [
    ([], "Not yet a pass"),
    (["P1", "P2"], "Not yet a pass"),
    (["M1", "M2", "D1"], "Not yet a pass"),  # merit and distinction without every pass
    (["P3"], "Distinction"),
]
GRADE_RISING = [
    (["P1", "P2", "P3"], "Pass"),
    (["D1"], "Pass"),  # distinction needs every merit criterion first
    (["M1"], "Pass"),
    (["M2"], "Distinction"),
]
GRADE_ONE_BAND_AT_A_TIME = [
    (["P1", "P2", "P3"], "Pass"),
    (["M1", "M2"], "Merit"),
    (["D1"], "Distinction"),
]


@pytest.mark.parametrize(
    "steps",
    [GRADE_ONE_BAND_AT_A_TIME, GRADE_RISING, GRADE_STEPS],
    ids=["one band at a time", "distinction first", "pass last"],
)
def test_a_graded_units_grade_moves_from_pass_to_merit_to_distinction(
    catalogue: None, amy: User, asha: User, steps: list[tuple[list[str], str]]
) -> None:
    portfolio = enrol(amy, asha)
    grades = []
    for numbers, _ in steps:
        if numbers:
            accept(portfolio, "EX-RET-A3", numbers)
        grades.append(graded_unit(portfolio).grade_label)

    assert grades == [grade for _, grade in steps]


def test_an_ungraded_unit_has_no_grade_and_no_higher_criteria(
    catalogue: None, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha)
    sign_off(portfolio, "EX-RET-A1")
    [unit] = [u for u in progress.portfolio_progress(portfolio) if u.unit.reference == "EX-RET-A1"]

    assert (unit.is_graded, unit.grade, unit.grade_label, unit.higher_criteria) == (
        False,
        None,
        "",
        [],
    )


# The portfolio page and the tracking matrix ----------------------------------------------------


def test_the_portfolio_page_shows_the_rules_with_how_far_the_learner_is_through_each(
    catalogue: None, client: Client, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha, ["EX-RET-B1", "EX-RET-B2", "EX-RET-B3", "EX-RET-C1A"])
    sign_off(portfolio, "EX-RET-A1", "EX-RET-B1")
    client.force_login(amy)

    page = page_of(client, "portfolio_detail", portfolio)

    rules = words(rules_section(page))
    assert "Credits: 26 chosen, 7 achieved, of at least 30 needed." in rules
    assert "Level: At least 16 credits at Level 3 or above: 14 chosen, 4 achieved." in rules
    # Group A: three mandatory units, one signed off; B: 12 chosen, B1 (4 credits) signed off.
    assert "Group A: 3 of at least 3 units chosen, 1 achieved" in rules
    assert "Group B: 12 of at least 10 credits chosen, 4 achieved" in rules
    assert "Group C: 2 of at most 8 credits chosen, 0 achieved" in rules
    assert "Group C1: 2 of at most 3 credits chosen, 0 achieved" in rules
    assert "Choice: ✓ within the limits Achieved: ✗ minimum not reached yet" in rules
    assert (
        "EX-RET-A1 Health, safety and security in a retail store · 3 credits · ✓ signed off"
        in rules
    )
    assert "EX-RET-A2 Provide customer service in a retail environment · 4 credits · ✗ not" in rules
    assert "EX-RET-B3 and EX-RET-C1A: ✗ Both are chosen: one of them must be removed." in rules
    assert "✗ The chosen units do not meet every rule yet:" in rules
    assert "The qualification needs at least 30 credits; this choice has 26." in rules
    assert "EX-RET-B3 cannot be taken with EX-RET-C1A." in rules
    assert "✗ Still to achieve: The qualification needs at least 30 credits; 7 achieved" in rules
    # The units listed are Amy's own, each marked mandatory or optional.
    assert page.count('status-badge">Mandatory</span>') == 3
    assert page.count('status-badge">Optional</span>') == 4
    assert 'id="unit-EX-RET-B4"' not in page and "EX-RET-B4" not in rules


def test_the_portfolio_page_shows_a_graded_units_grade_and_its_higher_criteria(
    catalogue: None, client: Client, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha, DEMO_CHOICE)
    accept(portfolio, "EX-RET-A3", ["P1", "P2", "P3", "M1"])
    client.force_login(asha)

    page = page_of(client, "portfolio_detail", portfolio)

    card = words(page[page.index('id="unit-EX-RET-A3"') : page.index('id="unit-EX-RET-B1"')])
    assert "Mandatory 5 credits Grade so far: Pass" in card
    assert (
        "EX-RET-A3 M1 (merit) ✓ met · EX-RET-A3 D1 (distinction) ✗ not met yet · "
        "EX-RET-A3 M2 (merit) ✗ not met yet"
    ) in card
    assert "3 of 3 criteria met" in card


def test_a_qualification_whose_units_are_all_mandatory_says_so_in_one_line(
    amy_portfolio: Portfolio, as_amy: Client
) -> None:
    page = page_of(as_amy, "portfolio_detail", amy_portfolio)

    rules = words(rules_section(page))
    assert rules == (
        "Rules of combination Every unit of this qualification is mandatory: there are no "
        "optional units to choose."
    )
    assert "Grade so far" not in page


def test_the_tracking_matrix_shows_only_the_portfolios_units_and_grade_bands(
    catalogue: None, client: Client, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha, ["EX-RET-B1"])
    accept(portfolio, "EX-RET-A3", ["P1", "M1"])
    accept(portfolio, "EX-RET-B2")  # not chosen: never shown
    own = {*MANDATORY, "EX-RET-B1"}

    matrix = tracking_matrix(portfolio)
    assert [u.reference for u in matrix.all_units] == [*MANDATORY, "EX-RET-B1"]
    assert {unit.reference for unit, _, _ in matrix.rows} == own
    assert [e.title for e in matrix.columns] == ["For EX-RET-A3"]
    # Asking for the unchosen unit shows the portfolio's own units, as for any unknown one.
    asked = tracking_matrix(portfolio, unit_reference="EX-RET-B2")
    assert {unit.reference for unit, _, _ in asked.rows} == own

    client.force_login(amy)
    page = words(page_of(client, "portfolio_matrix", portfolio))
    assert "EX-RET-A3 M1 (merit) Met A" in page
    assert "EX-RET-A3 P1 (pass) Met A" in page
    assert "EX-RET-A1 1.1 Not started" in page
    assert "EX-RET-B2" not in page


def test_another_portfolio_on_the_diploma_does_not_change_this_ones_rules_progress(
    catalogue: None, amy: User, ben: User, asha: User
) -> None:
    mine = enrol(amy, asha, ["EX-RET-B1"])
    theirs = enrol(ben, asha, ["EX-RET-B2", "EX-RET-B4"])
    sign_off(theirs, "EX-RET-B2")

    status = progress.rules_progress(mine, progress.portfolio_progress(mine)).status

    assert (status.chosen_credits, status.achieved_credits) == (16, 0)


def test_the_words_signed_for_a_graded_unit_name_its_pass_criteria_and_grade(
    catalogue: None, amy: User, asha: User
) -> None:
    portfolio = enrol(amy, asha)
    unit = unit_of(portfolio, "EX-RET-A3")
    accept(portfolio, "EX-RET-A3", ["P1", "P2"])
    with pytest.raises(ActionRefused) as refused:
        assessment.unit_declare(actor=amy, portfolio=portfolio, unit=unit)
    assert refused.value.message.startswith(f"Every pass criterion of {unit.title} must be met")

    accept(portfolio, "EX-RET-A3", ["P3", "M1", "M2"])
    assessment.unit_declare(actor=amy, portfolio=portfolio, unit=unit)
    sign_off = assessment.unit_sign_off(actor=asha, portfolio=portfolio, unit=unit)

    assert sign_off.wording.endswith(
        "every criterion the unit needs for a pass is met, and it achieves a merit."
    )
    ungraded = assessment.assessor_declaration(asha, portfolio, unit_of(portfolio, "EX-RET-A1"))
    assert ungraded.endswith("every assessment criterion of the unit is met.")
