"""The last two parties sign a three-way review at the same moment, in real concurrent
transactions: both signatures are kept and the review is completed, because the second waits
on the portfolio's lock and then sees the first signature.

PostgreSQL only, as in test_concurrency.py: A signs inside an outer transaction and holds it
open; B then signs, and the test waits until PostgreSQL reports B waiting on a lock before
letting A commit.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from accounts.models import User
from assessment import services as assessment
from assessment.models import ProgressReview
from portfolio.models import Portfolio
from tests.assessment.test_concurrency import TIMEOUT, backend_pid, wait_until_waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between concurrent transactions")


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
    errors: list[BaseException] = []
    a_signed, a_may_commit, b_connected = threading.Event(), threading.Event(), threading.Event()
    b_pids: list[int] = []

    def a() -> None:
        with transaction.atomic():
            sign(eve, review)
            a_signed.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"

    def b() -> None:
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_signed.wait(TIMEOUT), "A never signed"
        sign(asha, review)

    def run(name: str, body: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                body()
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=target, name=name, daemon=True)

    threads = [run("A", a), run("B", b)]
    for thread in threads:
        thread.start()
    try:
        assert a_signed.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        b_blocked = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)

    assert errors == []
    assert b_blocked, "B never waited on A's lock of the portfolio"
    review.refresh_from_db()
    assert review.signatures.count() == 3
    assert review.completed_at is not None
