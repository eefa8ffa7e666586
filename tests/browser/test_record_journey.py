"""The assessor records an observation and a discussion; the learner acknowledges one. Every
new page passes axe and fits a phone and a desktop."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from portfolio.models import AssessorRecord, MappingStatus, Portfolio

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_assessor_records_an_observation_and_the_learner_acknowledges_it(
    browser: Browser,
    live_server,
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    sign_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    width: int,
) -> None:
    viewport = {"width": width, "height": 900}

    def check(page: Page) -> None:
        assert_accessible(page)
        assert_fits(page)

    assessor = browser.new_context(viewport=viewport)
    page = sign_in(assessor, asha)
    page.goto(f"{live_server.url}/portfolios/{amy_portfolio.pk}/")
    page.get_by_role("link", name="Record a professional discussion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a professional discussion")
    check(page)
    page.go_back()

    page.get_by_role("link", name="Record an observation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an observation")
    check(page)
    page.get_by_role("button", name="Save the record").click()
    expect(
        page.locator("[data-error-summary]").get_by_text("Choose at least one criterion")
    ).to_be_visible()
    check(page)

    page.get_by_label("Title").fill("Observed at the tills")
    page.get_by_label("Where").fill("Northgate store")
    page.get_by_label("When (date and time)").fill("2025-10-14T10:30")
    page.get_by_label("What was observed").fill("Amy handled a refund calmly.")
    page.get_by_label("Your judgement").fill("Competent.")
    page.get_by_label("RS-WWO 1.1", exact=False).check()
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^E\d+ Observed at the tills$")
    )
    expect(page.get_by_text("Not yet acknowledged by Amy")).to_be_visible()
    check(page)
    assessor.close()

    learner = browser.new_context(viewport=viewport)
    page = sign_in(learner, amy)
    record = AssessorRecord.objects.get()
    page.goto(f"{live_server.url}/evidence/{record.evidence_id}/")
    page.get_by_role("link", name="Acknowledge").click()
    check(page)
    page.get_by_label("This is a fair record").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Acknowledged by Amy")).to_be_visible()
    check(page)
    learner.close()
    assert record.evidence.mappings.get().status == MappingStatus.SUBMITTED
