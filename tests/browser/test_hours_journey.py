"""Off-the-job hours in a real browser: the apprentice logs a day's training on a phone (a
bad entry first, refused with its reason), and their employer contact confirms it from her
home page; each page is scanned with axe and fits a phone's width."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from portfolio.models import OffTheJobEntry, OffTheJobStatus, Portfolio
from qualifications.models import Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TODAY = timezone.localdate()


@pytest.fixture
def apprenticeship(ocr: Qualification, amy: User, asha: User, eve: User) -> Portfolio:
    return PortfolioFactory(
        learner=amy,
        qualification=ocr,
        assessor=asha,
        is_apprenticeship=True,
        employer=eve,
        off_the_job_planned_hours=200,
        start_date=TODAY - datetime.timedelta(weeks=8),
        planned_end_date=TODAY + datetime.timedelta(weeks=42),
    )


def test_the_apprentice_logs_hours_and_the_employer_contact_confirms_them(
    browser: Browser,
    live_server: Any,
    apprenticeship: Portfolio,
    amy: User,
    eve: User,
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    learner = sign_in(browser.new_context(viewport=PHONE), amy)
    learner.goto(f"{live_server.url}/portfolios/{apprenticeship.pk}/")
    assert_accessible(learner)
    learner.get_by_role("link", name="Off-the-job hours").first.click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Off-the-job hours")
    assert_accessible(learner)
    assert_fits(learner)

    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    learner.get_by_label("Date").fill(yesterday)
    learner.get_by_label("Hours").fill("26")
    learner.get_by_label("What you did").fill("Product training at head office")
    learner.get_by_role("button", name="Log hours").click()
    expect(
        learner.locator("[data-error-summary]").get_by_text("enter no more than 24 for one day")
    ).to_be_visible()
    expect(learner.get_by_label("What you did")).to_have_value("Product training at head office")
    assert_accessible(learner)
    assert not OffTheJobEntry.objects.exists()

    learner.get_by_label("Hours").fill("6.5")
    learner.get_by_role("button", name="Log hours").click()
    expect(learner.get_by_text("Logged 6.5 hours for confirming.")).to_be_visible()
    expect(learner.get_by_text("Waiting to be confirmed").first).to_be_visible()
    assert_accessible(learner)
    assert_fits(learner)
    learner.context.close()

    employer = sign_in(browser.new_context(viewport=PHONE), eve)
    section = employer.get_by_role("region", name="Hours to confirm")
    expect(section).to_contain_text("Product training at head office")
    assert_accessible(employer)
    assert_fits(employer)
    section.get_by_role("link", name="Review").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Off-the-job hours")
    employer.get_by_role("button", name="Confirm 6.5 hours").click()
    expect(employer.get_by_text("Confirmed 6.5 hours")).to_be_visible()
    expect(employer.get_by_text(f"Confirmed by {eve.full_name}").first).to_be_visible()
    assert_accessible(employer)
    assert_fits(employer)
    employer.context.close()

    entry = OffTheJobEntry.objects.get()
    assert (entry.status, entry.confirmed_by) == (OffTheJobStatus.CONFIRMED, eve)


def test_the_employer_contact_gives_a_witness_statement_from_their_account(
    browser: Browser,
    live_server: Any,
    apprenticeship: Portfolio,
    eve: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(viewport=DESKTOP), eve)
    page.goto(f"{live_server.url}/portfolios/{apprenticeship.pk}/")
    page.get_by_role("link", name="Give a witness statement").click()
    assert_accessible(page)
    page.get_by_label("Your job title").fill("Department manager")
    page.get_by_label("Your relationship to the apprentice").fill("Line manager")
    page.get_by_label("What did you see the learner do?").fill("Amy ran the promotion well.")
    page.get_by_label("When did you see it?").fill((TODAY - datetime.timedelta(days=2)).isoformat())
    page.get_by_label("Which activities or tasks did you see?").fill("A promotion")
    page.get_by_label("I confirm the declaration above.").check()
    page.get_by_label("Your full name, as your signature").fill(eve.full_name)
    page.get_by_role("button", name="Give my statement").click()
    expect(page.get_by_text("Your statement is now evidence")).to_be_visible()
    assert_accessible(page)
    page.context.close()
