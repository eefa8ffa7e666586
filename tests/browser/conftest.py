"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the test thread for the whole
    session; the ORM calls these tests make beside it are synchronous and safe. Allowed only
    while browser tests run, and never in the app's own environment."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def forget_what_the_live_server_cached(django_db_blocker: Any) -> Iterator[None]:
    """A browser test's server commits what it caches (sign-in and witness-link throttle
    counts among it) to the database cache, which no rollback or flush empties: cleared after
    each, so a later test's throttle does not start part-way through its limit."""
    yield
    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_fits() -> Callable[[Page], None]:
    """Fail when the page is wider than its viewport (it would scroll sideways on a phone)."""

    def check(page: Page) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), f"{page.url} is {width}px wide"

    return check


@pytest.fixture
def assert_accessible(axe: Axe):
    """Run axe-core on the page as it stands and fail on any WCAG 2.2 A/AA violation."""

    def check(page: Page) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = results.response["violations"]
        summary = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in violations
        )
        assert violations == [], f"{page.url}\n{summary}"

    return check


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Page | BrowserContext, User], Page]:
    """Sign someone in through the sign-in page, as they would, and return the page they land
    on. Given a browser context (for its viewport), it opens a new page in it; close it with
    `page.context.close()`."""

    def sign_in(target: Page | BrowserContext, person: User) -> Page:
        page = target.new_page() if isinstance(target, BrowserContext) else target
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Email address").fill(person.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
        return page

    return sign_in
