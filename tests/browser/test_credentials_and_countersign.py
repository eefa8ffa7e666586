"""An IQA records her credentials, then countersigns a unit she sampled; the assessor's
credentials show beside the sign-off. Every page scanned with axe, on a phone and a desktop."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts import services as accounts
from accounts.models import User
from assessment import services as assessment
from assessment.models import Countersignature, Decision, IqaAgreement
from portfolio.models import Portfolio
from qualifications.models import Unit
from tests.journeys import sign_off

pytestmark = pytest.mark.django_db(transaction=True)

IQA_AWARD = "Level 4 Award in the Internal Quality Assurance of Assessment Processes and Practice"


@pytest.fixture
def sampled(amy_portfolio: Portfolio, pdr: Unit, asha: User, iris: User) -> Portfolio:
    """RS-PDR signed off by Asha (who holds a CAVA) and one decision sampled by Iris."""
    accounts.credential_add(
        actor=asha,
        title="Level 3 Certificate in Assessing Vocational Achievement (CAVA)",
        awarding_body="City & Guilds",
        achieved_on=datetime.date(2021, 3, 12),
    )
    sign_off(amy_portfolio, pdr)
    decision = Decision.objects.filter(mapping__evidence__portfolio=amy_portfolio).first()
    assessment.iqa_review_record(
        actor=iris, decision=decision, verdict=IqaAgreement.AGREE, feedback=""
    )
    return amy_portfolio


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [390, 1366])
def test_an_iqa_records_a_credential_and_countersigns_a_unit(
    browser: Browser,
    live_server,
    iris: User,
    pdr: Unit,
    sampled: Portfolio,
    sign_in: Callable[[Page | BrowserContext, User], Page],
    assert_accessible: Callable[[Page], None],
    width: int,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context, iris)
    page.get_by_role("link", name="Your assessing credentials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your assessing credentials")
    assert_accessible(page)

    page.get_by_role("button", name="Add credential").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill(IQA_AWARD)
    page.get_by_label("Awarding body").fill("Pearson")
    page.get_by_label("Date achieved").fill("2019-06-21")
    page.get_by_role("button", name="Add credential").click()
    expect(page.get_by_role("listitem").filter(has_text=IQA_AWARD).first).to_be_visible()
    assert fits(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/portfolios/{sampled.pk}/")
    page.get_by_role("link", name=f"Countersign {pdr.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Countersign {pdr.title}")
    expect(page.get_by_text("Asha Patel — Level 3 Certificate")).to_be_visible()
    assert fits(page)
    assert_accessible(page)
    page.get_by_label("I confirm these words and countersign").check()
    page.get_by_role("button", name="Countersign").click()

    expect(page.get_by_role("heading", name="IQA countersignatures")).to_be_visible()
    expect(page.get_by_text(f"countersigned by Iris Okafor — {IQA_AWARD}, 2019")).to_be_visible()
    assert fits(page)
    assert_accessible(page)
    context.close()
    assert Countersignature.objects.get().signed_by == iris
