"""Two choices of optional units at the same moment, in real concurrent transactions: each is
allowed alone, together they break a group's maximum, so only one may be saved.

PostgreSQL only, as in test_concurrency.py: A chooses inside an outer transaction and holds it
open; B then chooses, and the test waits until PostgreSQL reports B waiting on a lock (the
portfolio row) before letting A commit. B must then count A's choice and be refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from accounts.models import User
from assessment import services as assessment
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio, UnitChoice
from qualifications.models import Qualification
from tests.assessment.test_concurrency import TIMEOUT, backend_pid, wait_until_waiting_on_a_lock
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between concurrent transactions")


@pytest.fixture
def portfolio(catalogue: None, amy: User, asha: User) -> Portfolio:
    diploma = Qualification.objects.current().get(reference="EX-L3-RETAIL-DIP")
    return PortfolioFactory(learner=amy, qualification=diploma, assessor=asha)


def choose(asha: User, portfolio: Portfolio, reference: str) -> None:
    assessment.choose_unit(
        actor=User.objects.get(pk=asha.pk),
        portfolio=portfolio,
        unit=portfolio.qualification.units.get(reference=reference),
    )


def test_a_choice_waiting_on_the_portfolio_lock_counts_the_other_once_it_commits(
    asha: User, portfolio: Portfolio
) -> None:
    """C1B (3 credits) and C1A (2) are each within group C1's 3 credits; both make 5."""
    done: dict[str, str] = {}
    errors: list[BaseException] = []
    a_chose, a_may_commit, b_connected = threading.Event(), threading.Event(), threading.Event()
    b_pids: list[int] = []

    def a() -> None:
        with transaction.atomic():
            choose(asha, portfolio, "EX-RET-C1B")
            a_chose.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"

    def b() -> None:
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_chose.wait(TIMEOUT), "A never chose"
        choose(asha, portfolio, "EX-RET-C1A")

    def run(name: str, body: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                body()
                done[name] = "chosen"
            except ActionRefused as refusal:
                done[name] = refusal.message
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=target, name=name, daemon=True)

    threads = [run("A", a), run("B", b)]
    for thread in threads:
        thread.start()
    try:
        assert a_chose.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        b_blocked = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)

    assert errors == []
    assert b_blocked, "B never waited on A's lock of the portfolio"
    assert done == {"A": "chosen", "B": "Group C1 allows at most 3 credits; this would make 5."}
    assert list(UnitChoice.objects.values_list("unit__reference", flat=True)) == ["EX-RET-C1B"]
    assert AuditEntry.objects.filter(action="unit.choose").count() == 1
