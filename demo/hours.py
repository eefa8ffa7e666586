"""Amy's OCR apprenticeship in the demo: its planned off-the-job hours, eight weeks of logged
training (most confirmed by Eve, her employer contact; the latest waiting), and Eve's witness
statement given from her own account. Written through the services, once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from enrolment.services import portfolio_apprenticeship
from portfolio import services
from portfolio.models import Portfolio, WitnessStatement
from portfolio.services import hours, witness
from qualifications.models import AssessmentCriterion

PLANNED_HOURS = 278

# (days ago, hours, what Amy did); every entry but the most recent is confirmed by Eve.
TRAINING = (
    (54, "7", "Induction to the apprenticeship standard with the training provider"),
    (47, "6.5", "Product knowledge workshop: small kitchen appliances"),
    (40, "3", "Online module: consumer rights and refunds, with the quiz"),
    (33, "7.5", "Shadowing the store manager for a day of ordering and stock control"),
    (26, "4", "Customer service masterclass at the regional training centre"),
    (19, "6", "Visual merchandising day with the area merchandiser"),
    (12, "2.5", "Reading and notes: the company's health and safety handbook"),
    (5, "7", "Day release at college: planning a sales promotion"),
)


def _weekday(day: datetime.date) -> datetime.date:
    """The day itself, or the Friday before a weekend: training happens in working hours."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def seed_amy_apprenticeship(people: dict[str, User], portfolio: Portfolio) -> None:
    amy, eve = people["amy"], people["eve"]
    if portfolio.off_the_job_planned_hours is None:
        portfolio = portfolio_apprenticeship(
            actor=people["ada"],
            portfolio=portfolio,
            is_apprenticeship=True,
            planned_hours=PLANNED_HOURS,
            employer=eve,
        )
    if not portfolio.off_the_job_entries.exists():
        today = timezone.localdate()
        for days_ago, hours_done, activity in TRAINING:
            entry = hours.hours_log(
                actor=amy,
                portfolio=portfolio,
                date=max(portfolio.start_date, _weekday(today - datetime.timedelta(days=days_ago))),
                hours=Decimal(hours_done),
                activity=activity,
            )
            if days_ago > 5:
                hours.hours_confirm(actor=eve, entry=entry)
    if not WitnessStatement.objects.filter(evidence__portfolio=portfolio, author=eve).exists():
        statement = witness.witness_statement_by_employer(
            actor=eve,
            portfolio=portfolio,
            job_title="Department manager, home and kitchen",
            relationship="Amy's apprenticeship mentor at the store",
            observed=(
                "Amy planned and ran the kettle and toaster promotion end to end: she worked "
                "out the stock we needed from last year's sales, built the display by the "
                "entrance, briefed the weekend team on the offer and tracked sales each day. "
                "When the display ran low on the Saturday she reordered from the stockroom "
                "before it emptied. Sales of the range were up a third on the week before."
            ),
            observed_on=timezone.localdate() - datetime.timedelta(days=6),
            activities="Planning a promotion; building a display; briefing the team",
            signed_name=eve.full_name,
            declared=True,
        )
        # Amy has started mapping it: a draft she has not submitted yet.
        criterion = AssessmentCriterion.objects.get(
            unit__reference="RS-PDR",
            unit__qualification_links__qualification=portfolio.qualification,
            number="1.1",
        )
        services.mappings_create(
            actor=amy,
            evidence=statement.evidence,
            commentaries={
                criterion: "Eve saw me plan the promotion: stock, display, team and tracking."
            },
        )
