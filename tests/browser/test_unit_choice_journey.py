"""Choosing optional units in Chromium: the assessor of a learner on the invented diploma
chooses units from the portfolio page, meets a refused choice (a barred pair) and reads why in
an error summary that takes the focus; the learner then reads the page with no controls, seeing
which choices remain open and why one is refused. Every page is scanned with axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from portfolio.models import Portfolio, UnitChoice
from qualifications.models import Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

BARRED = "EX-RET-C1A cannot be taken with EX-RET-B3, which is already chosen."


@pytest.fixture
def portfolio(catalogue: None, amy: User, asha: User, tom: User) -> Portfolio:
    diploma = Qualification.objects.current().get(reference="EX-L3-RETAIL-DIP")
    return PortfolioFactory(learner=amy, qualification=diploma, assessor=asha, tutor=tom)


def chosen(portfolio: Portfolio) -> list[str]:
    return sorted(
        UnitChoice.objects.filter(portfolio=portfolio).values_list("unit__reference", flat=True)
    )


def test_assessor_chooses_optional_units_and_meets_a_refused_choice(
    page: Page,
    live_server,
    portfolio: Portfolio,
    asha: User,
    amy: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    # Buttons fade between colours; axe must see them settled, not halfway through a fade.
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, asha)
    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/")
    page.get_by_role("link", name="Units and optional units").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Units and rules of combination")
    expect(
        page.get_by_text("Group B needs at least 10 credits; this choice has 0.")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Choose EX-RET-B3 Handle cash and process payments").click()
    expect(page.get_by_role("status")).to_have_text(
        "Chose optional unit EX-RET-B3 Handle cash and process payments."
    )
    expect(page.locator("#reason-EX-RET-C1A")).to_contain_text(BARRED)
    assert_accessible(page)

    page.get_by_role("button", name="Choose EX-RET-C1A Use a till and payment system").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("EX-RET-C1A was not chosen")
    expect(summary.get_by_role("link", name=BARRED)).to_be_visible()
    assert chosen(portfolio) == ["EX-RET-B3"]
    assert_accessible(page)

    # From the keyboard, the summary's link takes the reader to the unit's own button.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name=BARRED)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#choose-EX-RET-C1A")).to_be_focused()
    expect(page.locator("#error-EX-RET-C1A")).to_have_text(f"Error: {BARRED}")

    page.get_by_role("button", name="Choose EX-RET-C2A Support online").click()
    expect(page.get_by_role("status")).to_contain_text("Chose optional unit EX-RET-C2A")
    page.get_by_role("button", name="Remove EX-RET-C2A Support online").click()
    expect(page.get_by_role("status")).to_contain_text("Removed optional unit EX-RET-C2A")
    page.get_by_role("button", name="Choose EX-RET-B1 Control stock levels").click()
    expect(page.get_by_role("status")).to_contain_text("Chose optional unit EX-RET-B1")
    expect(page).to_have_url(f"{live_server.url}/portfolios/{portfolio.pk}/units/")
    assert chosen(portfolio) == ["EX-RET-B1", "EX-RET-B3"]
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, amy)
    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/units/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Units and rules of combination")
    expect(page.get_by_role("button", name="Choose")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.locator("#reason-EX-RET-C1A")).to_contain_text(BARRED)
    expect(page.locator("#reason-EX-RET-B2")).to_have_text("Open")
    expect(page.get_by_text("Chosen optional units (2)")).to_be_visible()
    assert_accessible(page)


def test_the_units_page_fits_a_phone(
    browser,
    live_server,
    portfolio: Portfolio,
    asha: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, reduced_motion="reduce"
    )
    page = sign_in(context, asha)
    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/units/")
    page.get_by_role("button", name="Choose EX-RET-B3").click()
    page.get_by_role("button", name="Choose EX-RET-C1A").click()
    expect(page.get_by_role("alert")).to_be_focused()

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert_accessible(page)
    context.close()
