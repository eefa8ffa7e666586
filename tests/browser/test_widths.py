"""Every page of the URL × role table (tests/test_access.py) that a role may open fits the
screen: at 390 (phone), 768 (tablet), 1,024 (small laptop) and 1,366 px (laptop) no page is
wider than its viewport, for each role that sees it, since the navigation differs by role.
Each page is also scanned by axe once, at 1,024 px, as the first role that may open it.

Runs on SQLite only: CI runs the suite on SQLite and on PostgreSQL, and layout does not depend
on the database, so the second pass would only repeat it. One browser; one context per role,
signed in once through a session cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page

from tests.test_access import ROLES, TABLE, Row, cast  # noqa: F401 (cast is a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [1366, 390, 768, 1024]
AXE_WIDTH = WIDTHS[-1]  # axe scans each page once, as it is left after the last width
# Rows that answer with a file, not a page: there is no layout to measure.
SERVES_FILES = {
    "portfolio:file_download",
    "portfolio:file_thumbnail",
    "exports:export_download",
    "enrolment:intake_template",
}


def pages_for(role: str) -> list[Row]:
    return [
        row
        for row in TABLE
        if row.method == "get" and row.expected.get(role) == 200 and row.name not in SERVES_FILES
    ]


def row_id(row: Row) -> str:
    return f"{row.name}[{row.label}]" if row.label else row.name


def session_cookie(person: Any, live_server_url: str) -> list[dict[str, Any]]:
    client = Client()
    client.force_login(person)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server_url}]


def test_every_page_fits_every_width_for_every_role_and_passes_axe(
    browser: Browser,
    live_server: Any,
    cast: dict[str, Any],  # noqa: F811
    assert_accessible: Callable[[Page], None],
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("layout is checked on the SQLite pass only")
    too_wide: list[str] = []
    not_pages: list[str] = []
    inaccessible: list[str] = []
    scanned: set[str] = set()
    visited = 0
    for role in ROLES:
        rows = pages_for(role)
        if not rows:
            continue
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
        if cast[role] is not None:
            context.add_cookies(session_cookie(cast[role], live_server.url))
        page = context.new_page()
        for row in rows:
            url = reverse(row.name, args=row.args(cast))
            response = page.goto(f"{live_server.url}{url}")
            content_type = response.headers.get("content-type", "") if response else ""
            if response is None or response.status != 200 or "text/html" not in content_type:
                status = response.status if response else "nothing"
                not_pages.append(f"{role}: {url} gave {status} {content_type}")
                continue
            visited += 1
            # Each width in turn, ending at the one axe scans at.
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                wide, viewport = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                if wide > viewport:
                    too_wide.append(f"{role}: {row_id(row)} {url} is {wide}px wide at {width}px")
            if row_id(row) not in scanned:
                scanned.add(row_id(row))
                try:
                    assert_accessible(page)
                except AssertionError as violations:  # listed with the others, at the end
                    inaccessible.append(f"{role}: {str(violations).split(chr(10) + 'assert')[0]}")
        context.close()
    assert not_pages + too_wide + inaccessible == [], "\n".join(not_pages + too_wide + inaccessible)
    # Every GET page of the table was opened, by someone, at every width.
    assert scanned == {row_id(row) for role in ROLES for row in pages_for(role)}
    assert visited >= len(scanned)
