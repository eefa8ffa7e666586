"""The tutor's ten-second look: open the cohort, sort by RAG, open the learner at risk."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from cohorts.models import Cohort
from qualifications.models import Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cohort(ocr: Qualification, tom: User, amy: User, ben: User, asha: User) -> Cohort:
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        centre=tom.centre,
        name="Autumn intake",
        qualification=ocr,
        start_date=today - datetime.timedelta(days=200),
        planned_end_date=today + datetime.timedelta(days=100),
    )
    cohort.tutors.add(tom)
    for learner, started in ((amy, 10), (ben, 200)):
        PortfolioFactory(
            learner=learner,
            qualification=cohort.qualification,
            cohort=cohort,
            assessor=asha,
            start_date=today - datetime.timedelta(days=started),
            planned_end_date=today + datetime.timedelta(days=100),
        )
    return cohort


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}]
)
def test_tutor_sorts_the_cohort_by_rag_and_opens_the_learner_at_risk(
    browser: Browser,
    live_server,
    cohort: Cohort,
    tom: User,
    ben: User,
    viewport: dict[str, int],
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(viewport=viewport), tom)
    page.goto(f"{live_server.url}/cohorts/")
    assert_accessible(page)
    page.get_by_role("link", name="Autumn intake").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Autumn intake")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^RAG")).click()
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text(ben.full_name)
    expect(first_row).to_contain_text("At risk")
    assert_accessible(page)

    page.get_by_role("link", name="Unit heatmap").click()
    expect(page.get_by_role("cell", name="0% 0/11").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Progress over time").click()
    expect(page.get_by_role("img", name="Criteria met per week, Autumn intake")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Learners").click()
    page.get_by_role("link", name=re.compile(r"^RAG")).click()
    page.get_by_role("link", name=ben.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("OCR Level 3 Certificate")
    expect(page.get_by_role("link", name="Add evidence")).to_have_count(0)
    assert_accessible(page)
    page.context.close()
