"""Assessor and learner together: accept and refer, resubmit, accept, declare, sign off."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from assessment import services as assessment_services
from assessment.models import UnitSignOff
from assessment.services import DecisionRequest, Vacsr
from portfolio import services
from portfolio.models import Evidence, EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion, Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}


def _evidence(amy: User, portfolio: Portfolio, title: str, numbers: list[str]) -> Evidence:
    evidence = services.evidence_create(
        actor=amy,
        portfolio=portfolio,
        type=EvidenceType.PRODUCT,
        title=title,
        activity_date=datetime.date(2026, 10, 1),
        description=f"{title}, written for the spring quarter.",
    )
    services.evidence_file_add(
        actor=amy,
        evidence=evidence,
        uploaded=SimpleUploadedFile("plan.txt", b"Roles, KPIs and risks.\n"),
    )
    services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={
            AssessmentCriterion.objects.get(
                unit__reference="RS-PDR", number=n
            ): f"My plan shows {n}."
            for n in numbers
        },
        submit=True,
    )
    return evidence


def confirm_vacsr(page: Page) -> None:
    """Tick the evidence valid, authentic, current, sufficient and reliable, by keyboard."""
    block = page.get_by_role("group", name="Before you accept")
    for label in ("Valid", "Authentic", "Current", "Sufficient", "Reliable"):
        tick = block.get_by_label(label, exact=True)
        tick.focus()
        page.keyboard.press("Space")
        expect(tick).to_be_checked()


@pytest.fixture
def portfolio(ocr: Qualification, amy: User, asha: User) -> Portfolio:
    portfolio = PortfolioFactory(
        learner=amy,
        qualification=ocr,
        assessor=asha,
        start_date=datetime.date(2026, 9, 1),
        planned_end_date=datetime.date(2027, 7, 31),
    )
    accepted = _evidence(amy, portfolio, "Service plan", ["1.1", "1.2"])
    assessment_services.mappings_decide(
        actor=asha,
        evidence=accepted,
        requests=[
            DecisionRequest(m.pk, "accepted", "", None, Vacsr.confirmed())
            for m in accepted.mappings.all()
        ],
    )
    _evidence(amy, portfolio, "KPI review and feedback log", ["2.1", "3.1"])
    return portfolio


def test_refer_resubmit_accept_declare_and_sign_off(
    browser: Browser,
    live_server,
    portfolio: Portfolio,
    amy: User,
    asha: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    assessor = sign_in(browser.new_context(viewport=DESKTOP), asha)
    learner = sign_in(browser.new_context(viewport=DESKTOP), amy)

    # The assessor works the queue: accept 2.1, refer 3.1 with feedback.
    assessor.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    expect(assessor.get_by_role("heading", level=1)).to_have_text("Your caseload")
    assert_accessible(assessor)
    assessor.get_by_role("link", name="E2 KPI review and feedback log").click()
    expect(assessor.get_by_role("heading", level=1)).to_have_text("E2 KPI review and feedback log")
    assert_accessible(assessor)
    assessor.get_by_role("group", name="Your decision on RS-PDR 2.1").get_by_label("Accept").check()
    assessor.get_by_role("group", name="Your decision on RS-PDR 3.1").get_by_label("Refer").check()
    assessor.get_by_label("Feedback for the learner on RS-PDR 3.1").fill(
        "Show the report the log produced and the decision it led to."
    )
    # Accepting without confirming VACSR asks for a tick or a reason for each criterion.
    assessor.get_by_role("button", name="Record decisions").click()
    summary = assessor.locator("[data-error-summary]")
    expect(summary).to_be_focused()  # at the top, not at the foot of a long page
    expect(
        summary.get_by_role("link", name="Tick Current, or say why the evidence is not current")
    ).to_be_visible()
    expect(assessor.locator("#id_vacsr-current-note-error")).to_contain_text("Tick Current")
    assert_accessible(assessor)
    confirm_vacsr(assessor)
    assessor.get_by_label("Authentic: note").fill("The log is in Amy's hand, dated each week.")
    assessor.get_by_role("button", name="Record decisions").click()
    expect(assessor.get_by_text("Recorded 2 decisions")).to_be_visible()
    accepted = assessor.get_by_role("article").filter(
        has=assessor.get_by_role("heading", name="RS-PDR 2.1")
    )
    accepted.get_by_text("History (1 decision)").click()
    expect(accepted.get_by_text("VACSR confirmed: valid, authentic, current")).to_be_visible()
    expect(accepted).to_contain_text("Notes: authentic “The log is in Amy's hand")
    assert_accessible(assessor)

    # The learner sees both outcomes, revises the referred commentary and resubmits.
    learner.get_by_role("link", name="Notifications").click()
    expect(
        learner.get_by_role("link", name="from E2 “KPI review and feedback log”")
    ).to_be_visible()
    assert_accessible(learner)
    learner.get_by_role("link", name="from E2 “KPI review and feedback log”").click()
    expect(learner.locator(".status-badge", has_text="Accepted")).to_have_count(1)
    expect(learner.locator(".alert-warning")).to_contain_text("Show the report the log produced")
    assert_accessible(learner)
    learner.get_by_role("link", name="Revise and resubmit for RS-PDR 3.1").click()
    expect(learner.locator(".alert-warning")).to_contain_text("Save and resubmit")
    assert_accessible(learner)
    learner.get_by_label("Your commentary").fill(
        "My plan shows 3.1. The log's monthly report showed Saturday queues; I moved a "
        "colleague to tills on Saturdays and complaints fell by half."
    )
    learner.get_by_role("button", name="Save and resubmit").click()
    expect(learner.get_by_text("Commentary for RS-PDR 3.1 saved and resubmitted.")).to_be_visible()
    assert_accessible(learner)

    # The assessor sees what changed since the referral, then accepts the resubmission.
    assessor.goto(f"{live_server.url}/assess/")
    assessor.get_by_role("link", name="E2 KPI review and feedback log").click()
    changes = assessor.get_by_role("region", name="Changed since Asha Patel referred it")
    expect(changes.locator("ins").first).to_contain_text("The log's monthly report")
    # 2.1 was accepted, so the evidence's files are fixed: none added or removed.
    expect(changes).to_contain_text("Evidence files: none added or removed.")
    changes.get_by_text("Commentary as it was when referred").click()
    expect(changes.locator("details")).to_contain_text("My plan shows 3.1.")
    assert_accessible(assessor)
    assessor.get_by_role("group", name="Your decision on RS-PDR 3.1").get_by_label("Accept").check()
    confirm_vacsr(assessor)
    assessor.get_by_role("button", name="Record decisions").click()
    expect(assessor.get_by_text("Recorded 1 decision")).to_be_visible()

    # The learner declares the unit their own work.
    learner.goto(f"{live_server.url}/portfolios/{portfolio.pk}/")
    learner.get_by_role("link", name="Declare this unit your own work").click()
    expect(learner.get_by_text("is my own work")).to_be_visible()
    assert_accessible(learner)
    learner.get_by_label("I confirm this is true").check()
    learner.get_by_role("button", name="Make declaration").click()
    expect(learner.get_by_text("You declared Plan, deliver and review")).to_be_visible()

    # The assessor signs the unit off.
    assessor.goto(f"{live_server.url}/portfolios/{portfolio.pk}/")
    assert_accessible(assessor)
    assessor.get_by_role(
        "link", name="Sign off Plan, deliver and review reliable customer service"
    ).click()
    assert_accessible(assessor)
    assessor.get_by_label("I confirm this declaration and sign the unit off").check()
    assessor.get_by_role("button", name="Sign off unit").click()
    expect(assessor.get_by_text("You signed off Plan, deliver and review")).to_be_visible()
    assert_accessible(assessor)

    learner.goto(f"{live_server.url}/portfolios/{portfolio.pk}/")
    expect(learner.locator("#unit-RS-PDR").locator("..")).to_contain_text("Signed off")
    assert_accessible(learner)
    assessor.context.close()
    learner.context.close()

    sign_off = UnitSignOff.objects.get(portfolio=portfolio)
    assert sign_off.signed_by == asha
    assert asha.full_name in sign_off.wording


def test_iqa_samples_a_decision_and_reads_coverage_and_timeline(
    browser: Browser,
    live_server,
    portfolio: Portfolio,
    iris: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(viewport=DESKTOP), iris)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sampling").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IQA sampling")
    assert_accessible(page)
    page.get_by_role("link", name="Accepted: RS-PDR 1.1 for Amy Archer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accepted by Asha Patel")
    assert_accessible(page)
    page.get_by_label("Disagree").check()
    page.get_by_role("button", name="Record review").click()
    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("link", name="Tell the assessor why you disagree")).to_be_visible()
    expect(page.locator("#feedback-error")).to_contain_text("Tell the assessor why you disagree")
    assert_accessible(page)
    page.get_by_label("Disagree").check()
    page.get_by_label("Feedback to the assessor").fill("The plan names no resources; check again.")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Your review is recorded")).to_be_visible()

    page.get_by_role("link", name="Coverage").click()
    expect(page.get_by_role("row", name="Asha Patel 2 1 50% 0 1")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/timeline/")
    expect(page.get_by_text("Quality-assured a decision")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/notifications/")
    assert_accessible(page)
    page.context.close()
