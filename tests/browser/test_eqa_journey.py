"""External quality assurance, end to end: the administrator grants access to a sample, the
assurer follows the emailed link, signs in with the emailed code and reads the sampled
portfolio with nothing to change, cannot open another, and is refused once the administrator
revokes. Every page is scanned with axe, the assurer's on a phone-sized screen."""

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
from portfolio.models import EqaPageView, Portfolio
from qualifications.models import Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://\S+/eqa/[A-Za-z0-9_-]+/")
CODE = re.compile(r"\b(\d{6})\b")


def test_admin_grants_assurer_reads_the_sample_then_is_refused_after_revoking(
    browser: Browser,
    live_server: Any,
    ocr: Qualification,
    amy: User,
    ben: User,
    asha: User,
    ada: User,
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    sign_in: Callable[..., Page],
    settings: Any,
) -> None:
    settings.SITE_URL = live_server.url  # the emailed link points at the server under test
    sampled = PortfolioFactory(learner=amy, qualification=ocr, assessor=asha)
    other: Portfolio = PortfolioFactory(learner=ben, qualification=ocr, assessor=asha)

    # The administrator grants Erin access to Amy's portfolio.
    admin = sign_in(browser.new_context(viewport=DESKTOP), ada)
    admin.get_by_role("link", name="Enrolment").click()
    admin.get_by_role("link", name="External quality assurance").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("External quality assurance")
    assert_accessible(admin)
    admin.get_by_role("link", name="Grant access").click()
    admin.get_by_label("Assurer’s full name").fill("Erin External")
    admin.get_by_label("Assurer’s email address").fill("erin@awarding.example")
    admin.get_by_label("Assuring for").fill("OCR")
    until = timezone.localdate() + datetime.timedelta(days=14)
    admin.get_by_label("Access until the end of").fill(until.isoformat())
    admin.get_by_role("button", name="Grant access and email the link").click()
    expect(admin.get_by_text("Choose at least one learner’s portfolio")).to_be_visible()
    assert_accessible(admin)
    admin.get_by_label(f"{amy.full_name} · {ocr.title}").check()
    admin.get_by_role("button", name="Grant access and email the link").click()
    expect(admin.get_by_text("has been emailed a link")).to_be_visible()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Access for Erin External")
    assert_accessible(admin)

    [message] = mail.outbox
    assert message.to == ["erin@awarding.example"]
    link = LINK.search(message.body).group(0)

    # Erin opens the link on her phone, asks for a code and signs in with it.
    erin = browser.new_context(viewport=PHONE).new_page()
    erin.goto(link)
    expect(erin.get_by_role("heading", level=1)).to_contain_text("Read-only access to portfolios")
    assert_accessible(erin)
    assert_fits(erin)
    erin.get_by_role("button", name="Email me a sign-in code").click()
    expect(erin.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert_accessible(erin)
    code = CODE.search(mail.outbox[-1].subject).group(1)
    erin.get_by_label("Sign-in code").fill("000000" if code != "000000" else "111111")
    erin.get_by_role("button", name="Sign in").click()
    expect(erin.locator("[data-error-summary]")).to_contain_text(
        "That code is not right. You have 4 more tries."
    )
    assert_accessible(erin)
    erin.get_by_label("Sign-in code").fill(code)
    erin.get_by_role("button", name="Sign in").click()

    # Her home lists the sample; the portfolio reads with nothing to change.
    expect(erin.get_by_text("Read-only access for external quality assurance")).to_be_visible()
    expect(erin.get_by_role("heading", name="Your sample (1)")).to_be_visible()
    assert_accessible(erin)
    assert_fits(erin)
    erin.get_by_role("link", name=f"{amy.full_name} · {ocr.title}").click()
    expect(erin.get_by_role("heading", level=1)).to_contain_text(ocr.title)
    main = erin.get_by_role("main")
    for control in ("Add evidence", "Sign off", "Record decisions", "Countersign", "Make PDF"):
        expect(main.get_by_role("button", name=control)).to_have_count(0)
        expect(main.get_by_role("link", name=control)).to_have_count(0)
    assert_accessible(erin)
    assert_fits(erin)
    erin.goto(f"{live_server.url}/portfolios/{sampled.pk}/exports/")
    expect(erin.get_by_role("button", name=re.compile("PDF"))).to_have_count(0)
    assert_accessible(erin)

    # Another portfolio at the centre is not there for her.
    response = erin.goto(f"{live_server.url}/portfolios/{other.pk}/")
    assert response is not None and response.status == 404
    assert EqaPageView.objects.filter(path=f"/portfolios/{other.pk}/", status=404).exists()

    # The administrator sees what she opened, and revokes.
    admin.reload()
    expect(admin.get_by_text(f"/portfolios/{sampled.pk}/", exact=True)).to_be_visible()
    admin.get_by_role("link", name="Revoke access").click()
    assert_accessible(admin)
    admin.get_by_role("button", name="Revoke access").click()
    expect(admin.get_by_text("access has ended")).to_be_visible()
    assert_accessible(admin)

    # Her next page is refused and she is signed out; the link no longer works.
    response = erin.goto(f"{live_server.url}/portfolios/{sampled.pk}/")
    assert response is not None and response.status == 403
    expect(erin.get_by_role("heading", level=1)).to_have_text("Your access has ended")
    expect(erin.get_by_text(amy.full_name)).to_have_count(0)
    assert_accessible(erin)
    response = erin.goto(link)
    assert response is not None and response.status == 404
    expect(erin.get_by_role("heading", level=1)).to_have_text(
        "This link has expired or has been withdrawn"
    )
    assert_accessible(erin)
    assert_fits(erin)
    erin.context.close()
    admin.context.close()
