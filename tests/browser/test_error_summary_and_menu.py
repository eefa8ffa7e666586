"""The error summary takes focus and leads to each field; the header's menu works by keyboard on
a phone and at laptop widths shows every section on one row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_error_summary_is_focused_and_each_link_moves_to_its_field(
    page: Page,
    live_server: Any,
    amy: User,
    sign_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
) -> None:
    sign_in(page, amy)
    page.goto(f"{live_server.url}/account/password/")
    page.get_by_role("button", name="Change password").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_old_password")).to_be_focused()


def test_a_wrong_password_is_summarised_once_without_a_link(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_count(0)
    expect(page.get_by_text("do not match an account")).to_have_count(1)


def test_on_a_phone_the_menu_opens_by_keyboard_with_every_section(
    page: Page, live_server: Any, iris: User, sign_in: Callable[..., Page]
) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, iris)
    main = page.get_by_role("navigation", name="Main")
    expect(main.get_by_role("link", name="Sampling")).to_be_hidden()
    toggler = page.get_by_role("button", name="Show or hide the menu")
    toggler.focus()
    page.keyboard.press("Enter")
    expect(main.get_by_role("link", name="Sampling")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [992, 1100, 1366])
def test_at_laptop_widths_the_sections_sit_on_one_row_and_sign_out_shows(
    page: Page, live_server: Any, iris: User, sign_in: Callable[..., Page], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, iris)
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all()) if box}
    assert len(tops) == 1, f"the sections wrap onto {len(tops)} rows at {width}px"
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out and sign_out["x"] + sign_out["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_focused_nav_link_is_black_on_yellow(
    page: Page, live_server: Any, iris: User, sign_in: Callable[..., Page]
) -> None:
    page.emulate_media(reduced_motion="reduce")  # Bootstrap's colour transitions off
    sign_in(page, iris)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the first of the account links
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.className, s.backgroundColor, s.color]; })()"
    )
    assert "nav-link" in focused[0]
    assert focused[1:] == ["rgb(255, 221, 0)", "rgb(11, 12, 12)"]
