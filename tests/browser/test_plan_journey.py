"""The assessor writes a plan item and a progress review; the learner signs the review. Every
page passes axe and fits a phone and a desktop."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from assessment.models import PlanItem, ProgressReview
from portfolio.models import Portfolio

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_assessor_plans_and_reviews_and_the_learner_signs(
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
    page.get_by_role("link", name="Plan and reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan and reviews")
    check(page)

    page.get_by_role("link", name="Add to the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to the plan")
    check(page)
    page.get_by_label("Activity").fill("Lead the Saturday team briefing")
    page.get_by_role("radio", name="Observation").check()
    page.get_by_label("Target date").fill("2026-04-30")
    page.get_by_role("button", name="Save the item").click()
    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("link", name="Choose at least one criterion")).to_be_visible()
    expect(page.locator("#criteria-errors")).to_contain_text("Choose at least one criterion")
    check(page)
    page.get_by_role("checkbox", name="1.1", exact=False).first.check()
    page.get_by_role("button", name="Save the item").click()
    expect(page.get_by_text("Lead the Saturday team briefing", exact=True)).to_be_visible()
    check(page)

    page.get_by_role("link", name="Write up a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write up a progress review")
    check(page)
    page.get_by_label("Progress against the plan").fill("The briefing is planned for May.")
    page.get_by_label("What comes next").fill("Asha observes the briefing.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("button", name="Sign the review")).to_be_visible()
    check(page)
    assessor.close()

    learner = browser.new_context(viewport=viewport)
    page = sign_in(learner, amy)
    review = ProgressReview.objects.get()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Review of", exact=False).click()
    check(page)
    page.get_by_label("I agree to this review").check()
    page.get_by_role("button", name="Sign the review").click()
    expect(page.get_by_text("You signed the review.")).to_be_visible()
    check(page)
    learner.close()
    assert PlanItem.objects.get().criteria.count() == 1
    assert review.signatures.get().signed_by == amy
