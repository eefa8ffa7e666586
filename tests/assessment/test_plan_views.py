"""The plan and reviews pages: the assessor writes plan items and reviews, bad input is shown
again with what to do and nothing saved, each party signs from the review's page, the homes
show what waits for each person, and the pages run a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessment import services as assessment
from assessment.models import PlanItem, PlanMethod, ProgressReview
from assessment.services import PlanItemContent
from portfolio.models import Portfolio
from qualifications.models import AssessmentCriterion
from tests.catalogue import criterion
from tests.pages import messages_of, queries_for, text_of

pytestmark = pytest.mark.django_db

# The plan page today: the session, the person and their roles, the portfolio, the plan items,
# their criteria and the criteria's statuses, the reviews and their signatures, the last
# completed review, and the notifications badge.
PLAN_PAGE_QUERIES = 12


@pytest.fixture
def apprenticeship(amy_portfolio: Portfolio, eve: User) -> Portfolio:
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.save(update_fields=["is_apprenticeship", "employer"])
    return amy_portfolio


def add_item(portfolio: Portfolio, activity: str, *criteria: AssessmentCriterion) -> PlanItem:
    return assessment.plan_item_create(
        actor=portfolio.assessor,
        portfolio=portfolio,
        content=PlanItemContent(
            activity, PlanMethod.OBSERVATION, criteria, datetime.date(2025, 10, 1)
        ),
    )


def write_review(portfolio: Portfolio, held_on: datetime.date) -> ProgressReview:
    return assessment.progress_review_create(
        actor=portfolio.assessor,
        portfolio=portfolio,
        held_on=held_on,
        progress="On track.",
        next_steps="Carry on.",
    )


def test_the_assessor_adds_a_plan_item_from_the_page(
    as_asha: Client, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    url = reverse("assessment:plan_item_create", args=[amy_portfolio.pk])
    form = text_of(as_asha.get(url))
    assert "Work with others" in form  # criteria grouped under their unit's title

    response = as_asha.post(
        url,
        {
            "activity": "Lead the Saturday briefing",
            "method": PlanMethod.OBSERVATION,
            "target_date": "2026-04-30",
            "criteria": [wwo_1_1.pk],
        },
    )

    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert [c.pk for c in item.criteria.all()] == [wwo_1_1.pk]
    page = text_of(as_asha.get(reverse("assessment:portfolio_plan", args=[amy_portfolio.pk])))
    assert "Lead the Saturday briefing" in page
    assert "Observation · Target 30 April 2026" in page
    assert "RS-WWO 1.1" in page


def test_a_plan_item_with_no_criteria_is_shown_again_with_what_to_do(
    as_asha: Client, amy_portfolio: Portfolio
) -> None:
    response = as_asha.post(
        reverse("assessment:plan_item_create", args=[amy_portfolio.pk]),
        {"activity": "Lead the briefing", "method": "observation", "target_date": "2026-04-30"},
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "Choose at least one criterion this activity should cover." in page
    assert "Lead the briefing" in page  # nothing typed is lost
    assert not PlanItem.objects.exists()


def test_the_assessor_changes_and_removes_an_item(
    as_asha: Client, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    item = add_item(amy_portfolio, "Lead the briefing", wwo_1_1)
    url = reverse("assessment:plan_item_edit", args=[item.pk])
    assert "Lead the briefing" in text_of(as_asha.get(url))

    as_asha.post(
        url,
        {
            "activity": "Lead the briefing",
            "method": PlanMethod.QUESTIONING,
            "target_date": "2026-05-15",
            "criteria": [wwo_1_1.pk],
        },
    )
    item.refresh_from_db()
    assert (item.method, item.target_date) == (PlanMethod.QUESTIONING, datetime.date(2026, 5, 15))

    response = as_asha.post(reverse("assessment:plan_item_remove", args=[item.pk]))
    assert messages_of(response)[-1] == "The item is removed from the plan."
    assert not PlanItem.objects.exists()


def test_the_learner_signs_a_review_from_its_page_in_the_words_shown(
    client: Client, amy: User, amy_portfolio: Portfolio
) -> None:
    review = write_review(amy_portfolio, datetime.date(2025, 11, 20))
    client.force_login(amy)
    url = reverse("assessment:progress_review", args=[review.pk])
    page = text_of(client.get(url))
    wording = assessment.review_wording(amy, "learner", review)
    assert wording in page

    unticked = client.post(url, {})
    assert messages_of(unticked) == ["Tick the box to agree to the review."]
    assert not review.signatures.exists()

    client.post(url, {"confirm": "yes"})
    signature = review.signatures.get()
    assert (signature.signed_by, signature.wording) == (amy, wording)
    assert "Sign the review" not in text_of(client.get(url))


def test_the_tutor_reads_a_review_but_is_offered_nothing_to_sign(
    client: Client, tom: User, amy_portfolio: Portfolio
) -> None:
    review = write_review(amy_portfolio, datetime.date(2025, 11, 20))
    client.force_login(tom)
    url = reverse("assessment:progress_review", args=[review.pk])

    assert "Sign the review" not in text_of(client.get(url))
    response = client.post(url, {"confirm": "yes"})
    assert messages_of(response) == [
        "Only the learner, their assessor and, for an apprenticeship, the employer contact sign a "
        "progress review."
    ]
    assert not review.signatures.exists()


def test_the_employer_home_shows_apprentices_and_a_review_to_sign(
    client: Client, eve: User, apprenticeship: Portfolio
) -> None:
    review = write_review(apprenticeship, datetime.date(2025, 11, 20))
    client.force_login(eve)

    page = text_of(client.get(reverse("dashboards:home")))

    assert "Your apprentices" in page
    assert "Amy Archer" in page
    assert "Three-way review overdue" in page  # 12 weeks after 20 November 2025 have passed
    assert "Progress reviews waiting for your signature" in page
    assert reverse("assessment:progress_review", args=[review.pk]) in page


def test_the_learner_home_shows_the_next_plan_items(
    as_amy: Client, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    add_item(amy_portfolio, "Lead the briefing", wwo_1_1)

    page = text_of(as_amy.get(reverse("dashboards:home")))

    assert "Next in your plan" in page
    assert "Lead the briefing" in page
    assert "Overdue" in page


def test_the_caseload_shows_a_review_due_like_a_waiting_decision(
    as_asha: Client, apprenticeship: Portfolio
) -> None:
    page = text_of(as_asha.get(reverse("assessment:caseload")))

    queue = page[page.index('id="queue-heading"') : page.index('id="portfolios-heading"')]
    due = apprenticeship.start_date + datetime.timedelta(weeks=12)
    assert "Three-way review overdue" in queue
    assert f"Was due {due:%-d %b %Y}" in queue
    assert "Nothing is waiting for you." not in queue


def test_the_plan_page_runs_the_same_queries_for_one_item_or_many(
    as_asha: Client, apprenticeship: Portfolio, amy: User, eve: User
) -> None:
    add_item(apprenticeship, "First", criterion("RS-WWO", "1.1"))
    write_review(apprenticeship, datetime.date(2025, 11, 20))
    url = reverse("assessment:portfolio_plan", args=[apprenticeship.pk])
    few = queries_for(as_asha, url)

    for n, number in enumerate(["1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]):
        add_item(
            apprenticeship, f"Item {n}", criterion("RS-WWO", number), criterion("RS-PDR", "1.1")
        )
        review = write_review(apprenticeship, datetime.date(2025, 12, 1) + datetime.timedelta(n))
        for person in (amy, eve, apprenticeship.assessor):
            assessment.progress_review_sign(actor=person, review=review)

    many = queries_for(as_asha, url)
    page = text_of(as_asha.get(url))
    assert page.count("Signed by all") == 7
    assert page.count("Change or remove") == 8
    assert few == many <= PLAN_PAGE_QUERIES


def test_the_employer_home_runs_the_same_queries_for_one_apprentice_or_several(
    client: Client, eve: User, apprenticeship: Portfolio, ben_portfolio: Portfolio
) -> None:
    client.force_login(eve)
    url = reverse("dashboards:home")
    one = queries_for(client, url)

    ben_portfolio.is_apprenticeship = True
    ben_portfolio.employer = eve
    ben_portfolio.save(update_fields=["is_apprenticeship", "employer"])
    add_item(ben_portfolio, "Lead the briefing", criterion("RS-WWO", "1.1"))
    write_review(ben_portfolio, datetime.date(2025, 11, 20))

    assert queries_for(client, url) == one
    assert text_of(client.get(url)).count('Plan and reviews<span class="visually-hidden"> for') == 2
