"""Two entries for the same day logged at the same moment (two tabs, a double click), in real
concurrent transactions: the portfolio's row lock makes the second see the first, so the day
never holds more than 24 hours.

PostgreSQL only, as in tests/assessment/test_concurrency.py: A logs inside an outer
transaction and holds it open; B then logs, and the test waits until PostgreSQL reports B
waiting on a lock (the portfolio row) before letting A commit.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from portfolio.models import AuditEntry, OffTheJobEntry, Portfolio
from portfolio.services import hours
from tests.assessment.test_concurrency import TIMEOUT, backend_pid, wait_until_waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)

DAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between concurrent transactions")


def test_a_second_entry_waiting_on_the_lock_sees_the_first_and_is_refused(
    amy: User, amy_portfolio: Portfolio, eve: User
) -> None:
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(is_apprenticeship=True, employer=eve)

    def log(amount: str) -> None:
        hours.hours_log(
            actor=User.objects.get(pk=amy.pk),
            portfolio=Portfolio.objects.get(pk=amy_portfolio.pk),
            date=DAY,
            hours=Decimal(amount),
            activity=f"{amount} hours",
        )

    done: dict[str, str] = {}
    errors: list[BaseException] = []
    a_logged, a_may_commit, b_connected = threading.Event(), threading.Event(), threading.Event()
    b_pids: list[int] = []

    def a() -> None:
        with transaction.atomic():
            log("16")
            a_logged.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"

    def b() -> None:
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_logged.wait(TIMEOUT), "A never logged"
        log("9")

    def run(name: str, body: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                body()
                done[name] = "logged"
            except hours.HoursRefused as refused:
                done[name] = refused.message
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=target, name=name, daemon=True)

    threads = [run("A", a), run("B", b)]
    for thread in threads:
        thread.start()
    try:
        assert a_logged.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        b_blocked = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)

    assert errors == []
    assert b_blocked, "B never waited on A's lock of the portfolio"
    assert done["A"] == "logged"
    assert "already logged 16 hours" in done["B"]
    assert list(OffTheJobEntry.objects.values_list("hours", flat=True)) == [Decimal(16)]
    assert AuditEntry.objects.filter(action="hours.log").count() == 1
