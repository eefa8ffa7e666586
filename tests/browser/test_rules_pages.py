"""The pages that show a portfolio's units against the rules of combination, in Chromium, on a
desktop and a phone: the portfolio page's rules section, the tracking matrix and the cohort
heatmap with units not taken. Each passes axe and fits the screen."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from cohorts.models import Cohort
from portfolio.models import Portfolio
from tests.diploma import DEMO_CHOICE, accept, current_diploma, enrol, sign_off

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def diploma_portfolio(catalogue: None, amy: User, asha: User, tom: User) -> Portfolio:
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        centre=tom.centre,
        name="Diploma intake",
        qualification=current_diploma(),
        start_date=today - datetime.timedelta(days=100),
        planned_end_date=today + datetime.timedelta(days=100),
    )
    cohort.tutors.add(tom)
    portfolio = enrol(amy, asha, DEMO_CHOICE, cohort=cohort, tutor=tom)
    sign_off(portfolio, "EX-RET-A1", "EX-RET-B1")
    accept(portfolio, "EX-RET-A3", ["P1", "P2", "P3", "M1"])
    return portfolio


def fits_the_screen(page: Page) -> None:
    """Nothing makes the page itself scroll sideways (wide tables scroll inside their own box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px too wide"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_rules_of_combination_grade_and_units_not_taken_are_shown_accessibly(
    browser: Browser,
    live_server,
    diploma_portfolio: Portfolio,
    amy: User,
    tom: User,
    viewport: str,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(viewport=VIEWPORTS[viewport]), amy)
    page.goto(f"{live_server.url}/portfolios/{diploma_portfolio.pk}/")
    rules = page.get_by_role("region", name="Rules of combination")
    expect(rules).to_contain_text("Credits: 31 chosen, 7 achieved, of at least 30 needed.")
    expect(rules).to_contain_text("The chosen units meet every rule.")
    expect(
        page.get_by_role("region", name="Sell products and services to customers")
    ).to_contain_text("Grade so far: Pass")
    fits_the_screen(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/portfolios/{diploma_portfolio.pk}/matrix/")
    expect(page.get_by_role("rowheader", name="EX-RET-A3 M1 (merit)")).to_be_visible()
    fits_the_screen(page)
    assert_accessible(page)
    page.context.close()

    page = sign_in(browser.new_context(viewport=VIEWPORTS[viewport]), tom)
    page.goto(f"{live_server.url}/cohorts/{diploma_portfolio.cohort_id}/heatmap/")
    expect(page.get_by_role("cell", name="Not taken").first).to_be_visible()
    fits_the_screen(page)
    assert_accessible(page)
    page.context.close()
