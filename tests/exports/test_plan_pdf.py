"""The PDF prints the assessment plan (each item's method, criteria, target and whether it is
met or overdue) and every progress review with each signature word for word."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from accounts.models import User
from assessment import services as assessment
from assessment.models import PlanMethod
from assessment.services import PlanItemContent
from exports.models import ExportScope
from portfolio.models import Portfolio
from qualifications.models import Unit
from tests.catalogue import criterion
from tests.exports.test_exports import clear_section_cache, export_now
from tests.journeys import meet_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def planned(amy_portfolio: Portfolio, pdr: Unit, amy: User, asha: User, eve: User) -> Portfolio:
    clear_section_cache(amy_portfolio)
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.save(update_fields=["is_apprenticeship", "employer"])
    meet_unit(amy_portfolio, pdr)
    for activity, method, criteria, target in (
        (
            "Plan the personal development review",
            PlanMethod.PROFESSIONAL_DISCUSSION,
            [criterion("RS-PDR", "1.1")],
            datetime.date(2025, 10, 1),
        ),
        (
            "Lead the customer feedback huddle",
            PlanMethod.OBSERVATION,
            [criterion("RS-WWO", "1.1"), criterion("RS-WWO", "1.2")],
            datetime.date(2025, 10, 15),
        ),
    ):
        assessment.plan_item_create(
            actor=asha,
            portfolio=amy_portfolio,
            content=PlanItemContent(activity, method, tuple(criteria), target),
        )
    review = assessment.progress_review_create(
        actor=asha,
        portfolio=amy_portfolio,
        held_on=datetime.date(2025, 11, 20),
        progress="The review unit is complete.",
        next_steps="Lead the huddle.",
    )
    for person in (amy, eve, asha):
        assessment.progress_review_sign(actor=person, review=review)
    return amy_portfolio


def test_the_pdf_prints_the_plan_and_each_signed_review(planned: Portfolio, asha: User) -> None:
    _, pdf = export_now(asha, planned)
    text = " ".join(pdf.text.split())

    assert "Plan and reviews" in text
    assert "Plan the personal development review Professional discussion RS-PDR 1.1" in text
    assert "1 Oct 2025 Met" in text
    assert "Lead the customer feedback huddle Observation RS-WWO 1.1" in text
    assert "15 Oct 2025 Overdue" in text
    assert "Review of 20 November 2025, three-way (learner, employer, provider)" in text
    assert "Progress against the plan: The review unit is complete." in text
    for name, party in (
        ("Amy Archer", "Learner"),
        ("Eve Mercer", "Employer"),
        ("Asha Patel", "Provider"),
    ):
        assert f"Signed by {name} ({party})" in text
    assert "I, Eve Mercer, the employer’s representative, agree that this is a true record" in text


def test_a_single_unit_pdf_leaves_the_plan_out(planned: Portfolio, pdr: Unit, asha: User) -> None:
    _, pdf = export_now(asha, planned, scope=ExportScope.UNIT, unit=pdr)

    assert "Progress reviews" not in pdf.text
