"""A witness without an account, end to end: the learner asks, the witness follows the emailed
link and gives a statement, the learner maps it, the assessor accepts it. The witness's pages
(including a used and an expired link) are scanned with axe, on a phone-sized screen."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from portfolio.models import Mapping, MappingStatus, Portfolio, WitnessRequest
from portfolio.services import witness
from qualifications.models import Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://\S+/witness/[A-Za-z0-9_-]+/")


@pytest.fixture
def portfolio(ocr: Qualification, amy: User, asha: User) -> Portfolio:
    return PortfolioFactory(
        learner=amy,
        qualification=ocr,
        assessor=asha,
        start_date=datetime.date(2026, 9, 1),
        planned_end_date=datetime.date(2027, 7, 31),
    )


def _accept(assessor: Page, number: str) -> None:
    """The assessor's decision, in the normal decide flow, confirming VACSR: the witness's
    statement is valid, authentic, current, sufficient and reliable."""
    assessor.get_by_role("group", name=f"Your decision on {number}").get_by_label("Accept").check()
    block = assessor.get_by_role("group", name="Before you accept")
    for label in ("Valid", "Authentic", "Current", "Sufficient", "Reliable"):
        block.get_by_label(label, exact=True).check()
    assessor.get_by_label("Authentic: note").fill(
        "Rang Priya at the store to confirm she wrote it."
    )
    assessor.get_by_role("button", name="Record decisions").click()
    expect(assessor.get_by_text("Recorded 1 decision")).to_be_visible()


def _no_portfolio_on(page: Page, amy: User) -> None:
    body = page.locator("body")
    for words in (amy.full_name, "Priya", "tills"):
        expect(body).not_to_contain_text(words)


def test_learner_asks_witness_gives_statement_assessor_accepts(
    browser: Browser,
    live_server: Any,
    portfolio: Portfolio,
    amy: User,
    asha: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
    settings: Any,
) -> None:
    settings.SITE_URL = live_server.url  # the emailed link points at the server under test
    # The learner asks her line manager for a statement.
    learner = sign_in(browser.new_context(viewport=PHONE), amy)
    learner.goto(f"{live_server.url}/portfolios/{portfolio.pk}/evidence/")
    learner.get_by_role("link", name="Witness statements").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Witness statements")
    assert_accessible(learner)
    learner.get_by_role("link", name="Ask a witness").click()
    assert_accessible(learner)
    learner.get_by_label("Witness’s name").fill("Priya Patel")
    learner.get_by_label("Their job title").fill("Store manager")
    learner.get_by_label("Their relationship to the learner").fill("My line manager")
    learner.get_by_label("Their email address").fill("priya@shop.example")
    learner.get_by_label("The activity they saw").fill("Running the tills on Saturday.")
    learner.get_by_role("button", name="Email the witness").click()
    expect(learner.get_by_text("has been emailed a link")).to_be_visible()
    expect(learner.get_by_text("Waiting")).to_be_visible()
    assert_accessible(learner)

    [message] = mail.outbox
    assert message.to == ["priya@shop.example"]
    link = LINK.search(message.body).group(0)
    assert link.startswith(live_server.url)

    # The witness, with no account, opens the link on their phone and gives the statement.
    witness_page = browser.new_context(viewport=PHONE).new_page()
    witness_page.goto(link)
    expect(witness_page.get_by_role("heading", level=1)).to_have_text(
        f"Witness statement for {amy.full_name}"
    )
    expect(witness_page.get_by_text("Running the tills on Saturday.")).to_be_visible()
    expect(witness_page.get_by_role("navigation", name="Main")).to_have_count(0)
    assert_accessible(witness_page)
    witness_page.get_by_role("button", name="Give my statement").click()
    expect(witness_page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(witness_page)
    witness_page.get_by_label("What did you see the learner do?").fill(
        "Amy served a queue of twenty calmly and handled a refund by the book."
    )
    seen = timezone.localdate() - datetime.timedelta(days=2)
    witness_page.get_by_label("When did you see it?").fill(seen.isoformat())
    witness_page.get_by_label("Which activities or tasks did you see?").fill("Tills; a refund")
    witness_page.get_by_label("I confirm the declaration above.").check()
    witness_page.get_by_label("Your full name, as your signature").fill("Priya Patel")
    witness_page.get_by_role("button", name="Give my statement").click()
    expect(witness_page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(witness_page)

    # The link now says it was used, and shows nothing of the portfolio.
    response = witness_page.goto(link)
    assert response is not None and response.status == 410
    expect(witness_page.get_by_role("heading", level=1)).to_have_text(
        "This link has already been used"
    )
    _no_portfolio_on(witness_page, amy)
    assert_accessible(witness_page)

    # An expired link says so too.
    _, token = witness.witness_request_create(
        actor=amy,
        portfolio=portfolio,
        witness=witness.Witness("Sam Lee", "Supervisor", "Shift lead", "sam@shop.example"),
        activity="Stock count.",
    )
    WitnessRequest.objects.filter(witness_name="Sam Lee").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = witness_page.goto(f"{live_server.url}/witness/{token}/")
    assert response is not None and response.status == 410
    expect(witness_page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    _no_portfolio_on(witness_page, amy)
    assert_accessible(witness_page)
    witness_page.context.close()

    # The learner finds the statement as evidence and maps it to a criterion.
    learner.goto(f"{live_server.url}/portfolios/{portfolio.pk}/evidence/")
    learner.get_by_role("link", name="Witness statement from Priya Patel").click()
    expect(learner.get_by_role("heading", name="The witness", exact=True)).to_be_visible()
    assert_accessible(learner)
    learner.get_by_role("link", name="Map to criteria").click()
    learner.get_by_label("Find a criterion").fill("collaborative methods")
    learner.get_by_label(
        "Award credit for clearly identifying specific collaborative methods"
    ).check()
    learner.get_by_role("button", name="Next: write commentary").click()
    learner.get_by_role("textbox").fill("Priya saw me work the tills with the team.")
    learner.get_by_role("button", name="Save and submit for assessment").click()
    expect(learner.locator(".status-badge", has_text="Submitted")).to_have_count(1)
    learner.context.close()

    # The assessor sees who the witness is before deciding, and accepts it.
    assessor = sign_in(browser.new_context(viewport=DESKTOP), asha)
    assessor.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    assessor.get_by_role("link", name="Witness statement from Priya Patel").click()
    witness_box = assessor.get_by_role("region", name="The witness", exact=True)
    expect(witness_box).to_contain_text("Store manager")
    expect(witness_box).to_contain_text("My line manager")
    expect(witness_box).to_contain_text(witness.WITNESS_DECLARATION)
    assert_accessible(assessor)
    _accept(assessor, "RS-WWO 1.1")
    assessor.context.close()

    mapping = Mapping.objects.get(evidence__witness_statement__witness_name="Priya Patel")
    assert mapping.status == MappingStatus.ACCEPTED
    decision = mapping.decisions.get()
    assert decision.vacsr_authentic and decision.vacsr_sufficient and not decision.predates_vacsr
