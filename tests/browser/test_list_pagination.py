"""An administrator pages through a centre's portfolios and searches them, on a desktop and on
a phone, by keyboard, with axe checking each page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from qualifications.models import Qualification
from tests.bulk import learners_with_portfolios

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_administrator_pages_and_searches_the_portfolio_list(
    browser: Browser,
    live_server: Any,
    ada: User,
    ocr: Qualification,
    viewport: dict[str, int],
    sign_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
) -> None:
    learners_with_portfolios(ada.centre, ocr, 120)
    page = sign_in(browser.new_context(viewport=viewport), ada)
    page.goto(f"{live_server.url}/portfolios/")

    pages = page.get_by_role("navigation", name="Pages of portfolios")
    expect(pages).to_contain_text("1 to 50 of 120, page 1 of 3")
    expect(pages.locator('[aria-current="page"]')).to_have_text("Page 1")
    assert_accessible(page)
    assert_fits(page)

    pages.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/portfolios/?page=2")
    expect(pages.locator('[aria-current="page"]')).to_have_text("Page 2")
    expect(page.get_by_role("link", name="Learner 0050 · ", exact=False)).to_be_visible()
    assert_accessible(page)
    assert_fits(page)

    page.get_by_label("Learner, ULN, qualification or cohort").fill("learner 0117")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("1 portfolio matches the search.")
    expect(page.get_by_role("link", name="Learner 0117 · ", exact=False)).to_be_visible()
    expect(pages).to_have_count(0)
    assert_accessible(page)
    assert_fits(page)
    page.context.close()
