"""A witness submitting twice at the same moment (a double click, two tabs), in real concurrent
transactions: the request's row lock lets one statement in and tells the other the link is used.

PostgreSQL only, as in tests/assessment/test_concurrency.py: A submits inside an outer
transaction and holds it open; B then submits, and the test waits until PostgreSQL reports B
waiting on a lock (the request row) before letting A commit.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from portfolio.models import AuditEntry, Portfolio, WitnessStatement
from portfolio.services import witness
from tests.assessment.test_concurrency import TIMEOUT, backend_pid, wait_until_waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between concurrent transactions")


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
    done: dict[str, str] = {}
    errors: list[BaseException] = []
    a_gave, a_may_commit, b_connected = threading.Event(), threading.Event(), threading.Event()
    b_pids: list[int] = []

    def a() -> None:
        with transaction.atomic():
            give(token, "First click.")
            a_gave.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"

    def b() -> None:
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_gave.wait(TIMEOUT), "A never submitted"
        give(token, "Second click.")

    def run(name: str, body: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                body()
                done[name] = "given"
            except witness.LinkGone as gone:
                done[name] = gone.state
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=target, name=name, daemon=True)

    threads = [run("A", a), run("B", b)]
    for thread in threads:
        thread.start()
    try:
        assert a_gave.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        b_blocked = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)

    assert errors == []
    assert b_blocked, "B never waited on A's lock of the request"
    assert done == {"A": "given", "B": "used"}
    assert list(WitnessStatement.objects.values_list("evidence__description", flat=True)) == [
        "First click."
    ]
    assert AuditEntry.objects.filter(action="witness.submit").count() == 1
