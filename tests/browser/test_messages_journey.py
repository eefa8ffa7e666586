"""Messages in a real browser: the learner asks about her evidence on a phone (an empty message
first, refused with why), her assessor sees it on the review page, replies there, and the
learner reads the reply beside her evidence; each page is scanned with axe and fits."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Notification, User
from portfolio import services
from portfolio.models import Evidence, Message, Portfolio
from tests.files import jpeg_upload

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def submitted(amy: User, amy_portfolio: Portfolio, wwo_1_1: Any) -> Evidence:
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type="product",
        title="Till count sheet",
        activity_date=datetime.date(2025, 10, 14),
        description="The sheet from my Saturday till count.",
    )
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())
    services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "I counted it."}, submit=True
    )
    return evidence


def test_the_learner_asks_and_the_assessor_replies_beside_the_evidence(
    browser: Browser,
    live_server: Any,
    submitted: Evidence,
    amy: User,
    asha: User,
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    learner = sign_in(browser.new_context(viewport=PHONE), amy)
    learner.goto(f"{live_server.url}/evidence/{submitted.pk}/")
    thread = learner.get_by_role("region", name="Messages about this evidence")
    expect(thread).to_contain_text("No messages yet.")
    thread.get_by_role("button", name="Send message").click()
    expect(learner.get_by_text("Write your message before sending it.")).to_be_visible()
    assert_accessible(learner)
    assert_fits(learner)

    learner.get_by_label("Your message").fill("Is one photo of the sheet enough?\nIt is signed.")
    learner.get_by_role("button", name="Send message").click()
    thread = learner.get_by_role("region", name="Messages about this evidence")
    expect(learner.get_by_text("Message sent")).to_be_visible()
    expect(thread).to_contain_text("Is one photo of the sheet enough?")
    assert_accessible(learner)
    assert_fits(learner)
    assert Notification.objects.filter(recipient=asha, message__contains="wrote about").count() == 1

    assessor = sign_in(browser.new_context(viewport=DESKTOP), asha)
    assessor.goto(f"{live_server.url}/notifications/")
    assessor.get_by_role("link", name="Amy Archer wrote about “Till count sheet”").first.click()
    expect(assessor.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^E\d+ Till count sheet$")
    )
    assessor.goto(f"{live_server.url}/assess/evidence/{submitted.pk}/")
    thread = assessor.get_by_role("region", name="Messages about this evidence")
    expect(thread).to_contain_text("Is one photo of the sheet enough?")
    assert_accessible(assessor)
    thread.get_by_label("Your message").fill("Yes, if the totals are readable.")
    thread.get_by_role("button", name="Send message").click()
    expect(assessor).to_have_url(f"{live_server.url}/assess/evidence/{submitted.pk}/#messages")
    expect(assessor.get_by_role("region", name="Messages about this evidence")).to_contain_text(
        "Yes, if the totals are readable."
    )
    assert_accessible(assessor)
    assessor.context.close()

    learner.goto(f"{live_server.url}/evidence/{submitted.pk}/")
    thread = learner.get_by_role("region", name="Messages about this evidence")
    expect(thread).to_contain_text("Asha Patel (assessor)")
    expect(thread).to_contain_text("Yes, if the totals are readable.")
    learner.get_by_role("link", name="Messages").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("Messages")
    expect(
        learner.get_by_role("link", name=f"E{submitted.number} Till count sheet")
    ).to_be_visible()
    assert_accessible(learner)
    assert_fits(learner)
    learner.context.close()
    assert Message.objects.count() == 2
