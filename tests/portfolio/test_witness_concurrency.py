"""A witness submitting twice at the same moment (a double click, two tabs), in real concurrent
transactions: the request's row lock lets one statement in and tells the other the link is used.

PostgreSQL only, as in tests/assessment/test_concurrency.py: A submits inside an outer
transaction and holds it open; B then submits, and the test waits until PostgreSQL reports B
waiting on a lock (the request row) before letting A commit.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from portfolio.models import AuditEntry, Portfolio, WitnessStatement
from portfolio.services import witness
from tests.concurrency import overlapping, postgresql_only  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db(transaction=True)


def give(token: str, words: str) -> None:
    witness.witness_statement_submit(
        token=token,
        observed=words,
        observed_on=timezone.localdate() - datetime.timedelta(days=1),
        activities="Tills",
        signed_name="Priya Patel",
        declared=True,
    )


def test_a_second_submission_waiting_on_the_lock_finds_the_link_used(
    amy: User, amy_portfolio: Portfolio
) -> None:
    _, token = witness.witness_request_create(
        actor=amy,
        portfolio=amy_portfolio,
        witness=witness.Witness("Priya Patel", "Store manager", "Line manager", "p@x.org"),
        activity="Tills.",
    )
    result = overlapping(
        lambda: give(token, "First click."),
        lambda: give(token, "Second click."),
        done="given",
        refused=witness.LinkGone,
        message=lambda gone: gone.state,
    )

    assert result.errors == []
    assert result.b_waited, "B never waited on A's lock of the request"
    assert result.done == {"A": "given", "B": "used"}
    assert list(WitnessStatement.objects.values_list("evidence__description", flat=True)) == [
        "First click."
    ]
    assert AuditEntry.objects.filter(action="witness.submit").count() == 1
