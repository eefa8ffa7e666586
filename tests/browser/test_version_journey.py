"""An administrator reads what changed in a new version and moves a learner onto it, on a phone
and on a desktop, with an accessibility scan of each page."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from assessment import services as assessment
from assessment.models import Outcome
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import Qualification, Unit
from tests.factories import PortfolioFactory
from tests.files import text_upload

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = "EX-L3-RETAIL-DIP"


@pytest.fixture
def ben_on_version_one(catalogue: None, ben: User, asha: User) -> Portfolio:
    """Ben on version 1 with every customer service criterion accepted."""
    portfolio = PortfolioFactory(
        learner=ben,
        assessor=asha,
        qualification=Qualification.objects.get(reference=EXAMPLE, version="1"),
    )
    evidence = services.evidence_create(
        actor=ben,
        portfolio=portfolio,
        type=EvidenceType.OBSERVATION,
        title="Customer service observation",
        activity_date=datetime.date(2025, 10, 1),
        description="Observed on the shop floor.",
    )
    services.evidence_file_add(
        actor=ben, evidence=evidence, uploaded=text_upload("notes.txt", "Notes.\n")
    )
    a2 = Unit.objects.get(reference="EX-RET-A2", version="1")
    services.mappings_create(
        actor=ben,
        evidence=evidence,
        commentaries={criterion: "I did this." for criterion in a2.criteria.all()},
        submit=True,
    )
    assessment.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[
            assessment.DecisionRequest(
                m.pk, Outcome.ACCEPTED, "", None, assessment.Vacsr.confirmed()
            )
            for m in evidence.mappings.all()
        ],
    )
    return portfolio


@pytest.mark.parametrize("width", [390, 1366])
def test_administrator_reads_the_diff_and_moves_a_portfolio(
    browser: Browser,
    live_server,
    ada: User,
    ben_on_version_one: Portfolio,
    sign_in: Callable[[Page | BrowserContext, User], Page],
    assert_accessible: Callable[[Page], None],
    width: int,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context, ada)
    page.goto(f"{live_server.url}/portfolios/{ben_on_version_one.pk}/")
    expect(page.get_by_text("Version 2 of this qualification is out.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="What changed in version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed from version 1 to version 2"
    )
    expect(page.get_by_text("Renumbered 1.4 → 1.3")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page)

    page.go_back()
    page.get_by_role("link", name="Move to version 2").click()
    expect(page.get_by_role("heading", name="Evidence that carries across (6)")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Evidence that does not carry across (2)")
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page)

    page.get_by_role("button", name="Move to version 2").click()
    expect(page.get_by_role("status").first).to_contain_text("is on version 2 now")
    expect(
        page.get_by_role("heading", name="Evidence mapped to an earlier version")
    ).to_be_visible()
    assert_accessible(page)
    context.close()

    ben_on_version_one.refresh_from_db()
    assert ben_on_version_one.qualification.version == "2"
