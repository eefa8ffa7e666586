"""The PDF of a portfolio on a qualification with rules of combination: the portfolio's own
units only, the qualification's version, source and numbers, the illustrative note, the rules
with the credits achieved, and each unit's status and grade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from accounts.models import User
from exports.models import ExportScope
from portfolio.models import Portfolio
from tests.diploma import DEMO_CHOICE, accept, enrol, sign_off
from tests.exports.test_exports import Pdf, export_now

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def diploma_portfolio(catalogue: None, amy: User, asha: User) -> Portfolio:
    """Amy on the diploma with the fixture's choice; A1 and B1 signed off, the graded A3 at a
    pass with M1 met."""
    portfolio = enrol(amy, asha, DEMO_CHOICE)
    sign_off(portfolio, "EX-RET-A1", "EX-RET-B1")
    accept(portfolio, "EX-RET-A3", ["P1", "P2", "P3", "M1"])
    return portfolio


@pytest.fixture
def pdf(diploma_portfolio: Portfolio, asha: User) -> Pdf:
    _, pdf = export_now(asha, diploma_portfolio)
    return pdf


def test_the_cover_gives_the_qualifications_version_source_numbers_and_illustrative_note(
    pdf: Pdf,
) -> None:
    cover = " ".join(pdf.pages[0].split())

    assert (
        "Version 2, from Example Retail Operations Diploma specification, issue 2, 2 June 2025"
        in cover
    )
    assert "Ofqual number 000/0000/0" in cover
    assert "Credits 30; 7 achieved so far" in cover
    assert "Illustrative qualification. This qualification is invented." in cover
    assert "Status In progress" in cover


def test_the_summary_lists_only_the_portfolios_units_with_status_and_grade(pdf: Pdf) -> None:
    front = pdf.between(1, pdf.front_pages + 1)

    assert (
        "EX-RET-A3 Sell products and services to customers Ofqual unit reference A/000/0003 · "
        "unit number E301 · Level 3 · 35 guided learning hours Mandatory 5 3 of 3 Pass No" in front
    )
    assert (
        "EX-RET-B1 Control stock levels and stock rotation Ofqual unit reference A/000/0004 · "
        "unit number E302 · Level 3 · 28 guided learning hours Optional 4 6 of 6 Not graded Yes"
        in front
    )
    assert "EX-RET-C2A Support online and click-and-collect orders Ofqual unit reference" in front
    assert "Level 2 · 20 guided learning hours Optional 3 0 of 4" in front
    assert "Unit EX-RET-B3" not in pdf.text and "Unit EX-RET-C2B" not in pdf.text
    units = [title for title in pdf.bookmarks() if title.startswith("Unit EX-RET-")]
    assert [title.split(":")[0] for title in units] == [
        "Unit EX-RET-A1",
        "Unit EX-RET-A2",
        "Unit EX-RET-A3",
        *[f"Unit {reference}" for reference in DEMO_CHOICE],
    ]


def test_the_summary_gives_the_rules_of_combination_with_the_credits_achieved(pdf: Pdf) -> None:
    front = pdf.between(1, pdf.front_pages + 1)

    assert "Rules of combination" in front
    assert "Credits: 31 chosen, 7 achieved, of at least 30 needed." in front
    assert "Level: at least 16 credits at Level 3 or above: 18 chosen, 4 achieved." in front
    assert "Group B: 13 of at least 10 credits chosen, 4 achieved." in front
    assert "EX-RET-B3 and EX-RET-C1A cannot both be taken. ✓ Neither is chosen." in front
    assert "✓ The chosen units meet every rule." in front
    assert "✗ Still to achieve:" in front


def test_a_graded_units_page_gives_its_grade_and_higher_criteria(pdf: Pdf) -> None:
    [start] = pdf.pages_starting("Unit EX-RET-A3")
    page = " ".join(pdf.pages[start - 1].split())

    assert "Mandatory unit, 5 credits. 3 of 3 pass criteria met. Not signed off." in page
    assert "Grade so far: Pass. Merit and distinction criteria raise the grade:" in page
    assert "M1 met; D1 not met yet; M2 not met yet." in page
    assert "M1 (merit)" in page and "P1 (pass)" in page


def test_a_one_unit_pdf_leaves_the_rules_out(diploma_portfolio: Portfolio, asha: User) -> None:
    unit = diploma_portfolio.qualification.units.get(reference="EX-RET-B1")

    _, pdf = export_now(asha, diploma_portfolio, ExportScope.UNIT, unit)

    assert "Rules of combination" not in pdf.text
    assert "Optional unit, 4 credits." in pdf.text
