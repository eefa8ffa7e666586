from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loaded(catalogue: None) -> None:
    """The real catalogue, committed so the live server's thread sees it."""


def test_learner_signs_in_and_reads_the_catalogue(
    page: Page, live_server, loaded: None, amy: User, assert_accessible: Callable[[Page], None]
) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    assert_accessible(page)

    page.get_by_label("Email address").fill(amy.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Amy")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Qualifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Qualifications")
    assert_accessible(page)

    page.get_by_role("link", name="iCQ Level 3 Diploma in Retail Skills (Management)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "iCQ Level 3 Diploma in Retail Skills (Management)"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Improve the customer relationship").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Outcome 9:"))).to_be_visible()
    expect(page.locator("#criterion-8\\.2")).to_contain_text("Net Promoter Score")
    expect(page.get_by_role("heading", name="Key concepts")).to_be_visible()
    assert_accessible(page)


def test_sign_in_works_from_the_keyboard_on_a_phone(
    browser, live_server, amy: User, assert_accessible: Callable[[Page], None]
) -> None:
    # Reduced motion: the menu opens at once (Bootstrap's collapse honours it), so axe does
    # not measure its links half-way through the animation.
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in/")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(amy.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Amy")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    menu = page.get_by_role("button", name="Show or hide the menu")
    expect(menu).to_be_visible()
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("#account-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    assert_accessible(page)
    context.close()


def test_wrong_password_message_is_announced_and_accessible(
    page: Page, live_server, amy: User, assert_accessible: Callable[[Page], None]
) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill(amy.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match an account")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", [390, 1366])
def test_learner_reads_the_example_diplomas_rules_units_and_versions(
    browser,
    live_server,
    loaded: None,
    amy: User,
    sign_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    width: int,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context, amy)

    def fits() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url

    page.goto(f"{live_server.url}/catalogue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Qualifications")
    assert_accessible(page)
    fits()

    page.get_by_role("link", name="Example Level 3 Diploma in Retail Operations (invented)").click()
    expect(page.get_by_role("heading", name=re.compile("^Illustrative"))).to_be_visible()
    expect(page.get_by_role("heading", name="Group C: at most 8 credits")).to_be_visible()
    expect(page.get_by_role("heading", name="Group C1: at most 3 credits", level=4)).to_be_visible()
    assert_accessible(page)
    fits()

    page.get_by_role("link", name="Sell products and services to customers").click()
    expect(page.get_by_role("heading", name="How this unit is graded")).to_be_visible()
    expect(page.locator("#criterion-M1")).to_contain_text("Merit")
    assert_accessible(page)
    fits()

    page.go_back()
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_text("This is an earlier version.")).to_be_visible()
    assert_accessible(page)
    fits()

    page.get_by_role("link", name="Provide customer service in a retail environment").click()
    expect(page.get_by_text("This is an earlier version of the unit.")).to_be_visible()
    expect(page.locator("#criterion-1\\.4")).to_be_visible()
    assert_accessible(page)
    fits()
    context.close()
