"""Off-the-job hours on the dashboards: the tutor's cohort flags apprentices falling behind,
and the employer contact's home lists hours to confirm."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cohorts.models import Cohort
from portfolio.models import OffTheJobEntry, OffTheJobStatus, Portfolio
from qualifications.models import Qualification
from tests.factories import PortfolioFactory, UserFactory
from tests.pages import queries_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def cohort(ocr: Qualification, tom: User) -> Cohort:
    cohort = Cohort.objects.create(
        centre=tom.centre,
        name="Apprentices",
        qualification=ocr,
        start_date=TODAY - datetime.timedelta(weeks=10),
        planned_end_date=TODAY + datetime.timedelta(weeks=40),
    )
    cohort.tutors.add(tom)
    return cohort


def apprentice(cohort: Cohort, employer: User, name: str, confirmed: str) -> Portfolio:
    """100 planned hours over 50 weeks: 20 expected by now, 4 hours' allowance."""
    portfolio = PortfolioFactory(
        learner=UserFactory(centre=cohort.centre, roles=[Role.LEARNER], full_name=name),
        qualification=cohort.qualification,
        cohort=cohort,
        start_date=cohort.start_date,
        planned_end_date=cohort.planned_end_date,
        is_apprenticeship=True,
        employer=employer,
        off_the_job_planned_hours=100,
    )
    OffTheJobEntry.objects.create(
        portfolio=portfolio,
        date=TODAY - datetime.timedelta(days=3),
        hours=Decimal(confirmed),
        activity="Course",
        logged_by=portfolio.learner,
        status=OffTheJobStatus.CONFIRMED,
        confirmed_by=employer,
        confirmed_at=timezone.now(),
    )
    return portfolio


def test_the_cohort_dashboard_flags_apprentices_behind_on_confirmed_hours(
    client: Client, cohort: Cohort, tom: User, eve: User
) -> None:
    behind = apprentice(cohort, eve, "Bea Behind", "15.99")
    on_pace = apprentice(cohort, eve, "Otto Onpace", "16")
    client.force_login(tom)
    page = client.get(reverse("dashboards:cohort_dashboard", args=[cohort.pk]))
    rows = {row.portfolio.pk: row for row in page.context["rows"]}
    assert rows[behind.pk].hours_behind
    assert not rows[on_pace.pk].hours_behind
    assert page.content.decode().count("Off-the-job hours behind<") == 1


def test_the_cohort_dashboard_runs_the_same_queries_for_1_and_30_apprentices(
    client: Client, cohort: Cohort, tom: User, eve: User, ocr: Qualification
) -> None:
    small = Cohort.objects.create(
        centre=cohort.centre,
        name="Small",
        qualification=ocr,
        start_date=cohort.start_date,
        planned_end_date=cohort.planned_end_date,
    )
    small.tutors.add(tom)
    apprentice(small, eve, "Solo", "1")
    for n in range(30):
        apprentice(cohort, eve, f"Apprentice {n}", str(n % 20 + 1))
    client.force_login(tom)
    few = queries_for(client, reverse("dashboards:cohort_dashboard", args=[small.pk]))
    many = queries_for(client, reverse("dashboards:cohort_dashboard", args=[cohort.pk]))
    # The cohort dashboard's 20, and one grouped query for the apprentices' hours.
    assert few == many <= 21


def test_the_employer_home_lists_hours_to_confirm_only_for_their_apprentices(
    client: Client, cohort: Cohort, eve: User, centre
) -> None:
    mine = apprentice(cohort, eve, "Mia Mine", "2")
    other_employer = UserFactory(centre=centre, roles=[Role.EMPLOYER])
    theirs = apprentice(cohort, other_employer, "Theo Theirs", "2")
    for portfolio in (mine, theirs):
        OffTheJobEntry.objects.create(
            portfolio=portfolio,
            date=TODAY - datetime.timedelta(days=1),
            hours=Decimal("6.5"),
            activity=f"Waiting for {portfolio.learner.full_name}",
            logged_by=portfolio.learner,
        )
    client.force_login(eve)
    page = client.get(reverse("dashboards:home"))
    assert [e.portfolio_id for e in page.context["hours_to_confirm"]] == [mine.pk]
    text = page.content.decode()
    assert "Hours to confirm" in text and "Waiting for Mia Mine" in text
    assert "Theo Theirs" not in text


def test_people_with_nothing_to_confirm_see_no_section(client: Client, tom: User) -> None:
    client.force_login(tom)
    assert "Hours to confirm" not in client.get(reverse("dashboards:home")).content.decode()
