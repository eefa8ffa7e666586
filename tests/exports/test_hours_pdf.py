"""An apprenticeship's off-the-job hours in the PDF portfolio: the plan, the pace and every
entry with who confirmed it and when, read in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from exports.models import ExportScope, PortfolioExport
from exports.pdf.content import gather
from portfolio.models import Portfolio
from portfolio.services import hours
from tests.exports.test_exports import clear_section_cache, export_now

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def apprenticeship(amy_portfolio: Portfolio, eve: User) -> Portfolio:
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.off_the_job_planned_hours = 278
    amy_portfolio.start_date = TODAY - datetime.timedelta(weeks=20)
    amy_portfolio.planned_end_date = TODAY + datetime.timedelta(weeks=32)
    amy_portfolio.save()
    return amy_portfolio


def log_days(portfolio: Portfolio, eve: User, days: int) -> None:
    for n in range(1, days + 1):
        entry = hours.hours_log(
            actor=portfolio.learner,
            portfolio=portfolio,
            date=TODAY - datetime.timedelta(days=n),
            hours=Decimal("6.5"),
            activity=f"Training day {n}",
        )
        if n > 1:
            hours.hours_confirm(actor=eve, entry=entry)


def test_the_pdf_shows_the_hours_the_pace_and_who_confirmed(
    apprenticeship: Portfolio, asha: User, eve: User
) -> None:
    clear_section_cache(apprenticeship)
    log_days(apprenticeship, eve, 3)

    _, pdf = export_now(asha, apprenticeship)

    for words in (
        "Off-the-job hours",
        "Employer contact: Eve Mercer",
        "Planned: 278 hours",
        "Logged: 19.5",
        "Confirmed: 13",
        "Training day 1",
        "Waiting to be confirmed",
        "Confirmed by Eve Mercer on",
    ):
        assert words in pdf.text, words
    clear_section_cache(apprenticeship)


def test_gathering_reads_the_hours_in_the_same_queries_for_one_or_twenty_entries(
    apprenticeship: Portfolio, asha: User, eve: User
) -> None:
    export = PortfolioExport.objects.create(
        portfolio=apprenticeship, requested_by=asha, scope=ExportScope.WHOLE
    )
    log_days(apprenticeship, eve, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(gather(export).off_the_job) == 1
    for n in range(2, 21):
        entry = hours.hours_log(
            actor=apprenticeship.learner,
            portfolio=apprenticeship,
            date=TODAY - datetime.timedelta(days=n),
            hours=Decimal(1),
            activity="More",
        )
        hours.hours_confirm(actor=eve, entry=entry)
    with CaptureQueriesContext(connection) as twenty:
        content = gather(export)
        assert [e.confirmed_by.full_name for e in content.off_the_job[:-1]] == ["Eve Mercer"] * 19
    assert len(twenty) == len(one)
