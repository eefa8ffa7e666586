from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_administrator_finds_a_person_and_every_page_is_accessible(
    page: Page,
    live_server,
    ada: User,
    amy: User,
    ben: User,
    oscar: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    sign_in(page, ada)
    assert_accessible(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("row")).to_have_count(4)  # header, Ada, Amy, Ben; never Oscar
    expect(page.get_by_text(oscar.email)).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Name, email or ULN").fill("amy")
    page.get_by_label("Role").select_option("learner")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=amy.full_name)).to_be_visible()
    expect(page.get_by_role("link", name=ben.full_name)).to_have_count(0)
    page.get_by_role("link", name=amy.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(amy.full_name)
    assert_accessible(page)

    page.goto(f"{live_server.url}/account/password/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(page)


def test_password_reset_pages_are_accessible(
    page: Page, live_server, amy: User, assert_accessible: Callable[[Page], None]
) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill(amy.email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)
