"""Two decisions on one mapping at the same moment, in real concurrent transactions.

PostgreSQL only: SQLite serialises whole-database writes, so there is no row lock to wait on.
Each thread has its own connection (Django's connections are per thread) and closes it.

With forced overlap, thread A decides inside an outer transaction and holds it open; thread B
then starts its own decision, and the test waits until PostgreSQL reports B's backend waiting
on a lock before letting A commit. B must then see A's decision and be refused. Without
forced overlap, both threads leave a barrier together and race.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from assessment import services as assessment
from assessment.models import Decision, Outcome
from assessment.services import DecisionConflict, DecisionRequest, Vacsr
from portfolio.models import AuditEntry, Mapping, MappingStatus, Portfolio
from tests.catalogue import criterion
from tests.concurrency import (  # noqa: F401 (postgresql_only is autouse)
    TIMEOUT,
    backend_pid,
    postgresql_only,
    wait_until_waiting_on_a_lock,
)
from tests.journeys import add_evidence, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mapping(amy_portfolio: Portfolio) -> Mapping:
    """Amy's RS-PDR 1.1, submitted and committed, waiting for Asha."""
    [mapping] = submit(add_evidence(amy_portfolio), criterion("RS-PDR", "1.1"))
    return mapping


@dataclass
class Outcomes:
    decided: dict[str, list[Decision]] = field(default_factory=dict)
    refused: dict[str, DecisionConflict] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)
    elapsed: dict[str, float] = field(default_factory=dict)


def decide(asha: User, mapping: Mapping, outcome: str) -> list[Decision]:
    return assessment.mappings_decide(
        actor=User.objects.get(pk=asha.pk),
        evidence=mapping.evidence,
        requests=[
            DecisionRequest(
                mapping_id=mapping.pk,
                outcome=outcome,
                feedback="" if outcome == Outcome.ACCEPTED else "Name the customer.",
                seen_submitted_at=mapping.submitted_at,
                vacsr=Vacsr.confirmed() if outcome == Outcome.ACCEPTED else None,
            )
        ],
    )


def in_thread(name: str, results: Outcomes, body: Callable[[], list[Decision]]) -> threading.Thread:
    def run() -> None:
        started = time.monotonic()
        try:
            results.decided[name] = body()
        except DecisionConflict as refusal:
            results.refused[name] = refusal
        except BaseException as error:  # reported by the test, not lost in the thread
            results.errors[name] = error
        finally:
            results.elapsed[name] = time.monotonic() - started
            connection.close()

    return threading.Thread(target=run, name=name, daemon=True)


def conflict_message(winner: Decision) -> str:
    when = timezone.localtime(winner.decided_at).strftime("%H:%M on %d %B")
    verb = "accepted" if winner.outcome == Outcome.ACCEPTED else "referred"
    return (
        f"Criterion RS-PDR 1.1 changed while you were reviewing: Asha Patel {verb} it at {when}. "
        "Nothing was recorded; check the page as it is now and decide again."
    )


def assert_one_winner(results: Outcomes, mapping: Mapping, winner: str, loser: str) -> None:
    assert results.errors == {}
    assert set(results.decided) == {winner}
    assert set(results.refused) == {loser}
    [decision] = Decision.objects.all()
    assert decision.pk == results.decided[winner][0].pk
    mapping.refresh_from_db()
    expected = (
        MappingStatus.ACCEPTED if decision.outcome == Outcome.ACCEPTED else MappingStatus.REFERRED
    )
    assert mapping.status == expected
    assert results.refused[loser].message == conflict_message(decision)
    assert AuditEntry.objects.filter(action="mapping.decide").count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [(Outcome.ACCEPTED, Outcome.REFERRED), (Outcome.REFERRED, Outcome.ACCEPTED)],
    ids=["accept holds the lock", "refer holds the lock"],
)
def test_a_decision_waiting_on_the_row_lock_is_refused_once_the_other_commits(
    asha: User, mapping: Mapping, first: str, second: str
) -> None:
    results = Outcomes()
    start = threading.Barrier(2, timeout=TIMEOUT)
    a_decided = threading.Event()
    a_may_commit = threading.Event()
    b_pids: list[int] = []
    b_connected = threading.Event()

    def a() -> list[Decision]:
        start.wait()
        with transaction.atomic():
            decisions = decide(asha, mapping, first)
            a_decided.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"
        return decisions

    def b() -> list[Decision]:
        start.wait()
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_decided.wait(TIMEOUT), "A never decided"
        return decide(asha, mapping, second)

    threads = [in_thread("A", results, a), in_thread("B", results, b)]
    for thread in threads:
        thread.start()
    try:
        assert a_decided.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        b_blocked = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    assert b_blocked, "B never waited on A's row lock"
    assert_one_winner(results, mapping, winner="A", loser="B")


@pytest.mark.parametrize("round_", range(3))
def test_two_decisions_racing_from_a_barrier_record_exactly_one(
    asha: User, mapping: Mapping, round_: int
) -> None:
    results = Outcomes()
    start = threading.Barrier(2, timeout=TIMEOUT)

    def racer(outcome: str) -> Callable[[], list[Decision]]:
        def body() -> list[Decision]:
            start.wait()
            return decide(asha, mapping, outcome)

        return body

    threads = [
        in_thread(Outcome.ACCEPTED, results, racer(Outcome.ACCEPTED)),
        in_thread(Outcome.REFERRED, results, racer(Outcome.REFERRED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    assert results.errors == {}
    [winner] = results.decided
    [loser] = results.refused
    assert_one_winner(results, mapping, winner=winner, loser=loser)
    assert Decision.objects.get().outcome == winner
