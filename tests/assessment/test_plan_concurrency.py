"""The last two parties sign a three-way review at the same moment, in real concurrent
transactions: both signatures are kept and the review is completed, because the second waits
on the portfolio's lock and then sees the first signature.

PostgreSQL only, as in test_concurrency.py: A signs inside an outer transaction and holds it
open; B then signs, and the test waits until PostgreSQL reports B waiting on a lock before
letting A commit.
"""

from __future__ import annotations

import datetime

import pytest

from accounts.models import User
from assessment import services as assessment
from assessment.models import ProgressReview
from portfolio.models import Portfolio
from tests.concurrency import overlapping, postgresql_only  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db(transaction=True)


def sign(person: User, review: ProgressReview) -> None:
    assessment.progress_review_sign(
        actor=User.objects.get(pk=person.pk), review=ProgressReview.objects.get(pk=review.pk)
    )


def test_the_last_two_signatures_at_once_complete_the_review(
    amy: User, asha: User, eve: User, amy_portfolio: Portfolio
) -> None:
    amy_portfolio.is_apprenticeship = True
    amy_portfolio.employer = eve
    amy_portfolio.save(update_fields=["is_apprenticeship", "employer"])
    review = assessment.progress_review_create(
        actor=asha,
        portfolio=amy_portfolio,
        held_on=datetime.date(2025, 11, 20),
        progress="On track.",
        next_steps="Carry on.",
    )
    assessment.progress_review_sign(actor=amy, review=review)
    result = overlapping(lambda: sign(eve, review), lambda: sign(asha, review))

    assert result.errors == []
    assert result.b_waited, "B never waited on A's lock of the portfolio"
    review.refresh_from_db()
    assert review.signatures.count() == 3
    assert review.completed_at is not None
