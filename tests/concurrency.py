"""Two actions at the same moment, in real concurrent transactions (PostgreSQL only: SQLite
serialises whole-database writes, so there is no row lock to wait on).

With forced overlap, thread A acts inside an outer transaction and holds it open; thread B then
starts its action, and the test waits until PostgreSQL reports B's backend waiting on a lock
before letting A commit. Each thread has its own connection (Django's are per thread) and
closes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction

TIMEOUT = 10  # seconds; nothing here should take more than a fraction of one


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    """Imported by a test module, skips its tests unless the database is PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between concurrent transactions")


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_waiting_on_a_lock(pid: int) -> bool:
    """Poll PostgreSQL, from the test's own connection, until that backend is blocked on a
    lock."""
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.01)
    return False


@dataclass
class Overlap:
    """What each thread ended with ("A", "B" → the done word or the refusal's message), any
    unexpected error, and whether B was seen waiting on A's lock."""

    done: dict[str, str] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    b_waited: bool = False


def overlapping(
    first: Callable[[], Any],
    second: Callable[[], Any],
    *,
    done: str = "done",
    refused: type[Exception] | tuple[type[Exception], ...] = (),
    message: Callable[[Any], str] = lambda refusal: refusal.message,
) -> Overlap:
    """Run `first` in A, holding its transaction open, and `second` in B; let A commit once B
    waits on a lock. A refusal of type `refused` is recorded as message(refusal)."""
    result = Overlap()
    a_acted, a_may_commit, b_connected = threading.Event(), threading.Event(), threading.Event()
    b_pids: list[int] = []

    def a() -> None:
        with transaction.atomic():
            first()
            a_acted.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"

    def b() -> None:
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_acted.wait(TIMEOUT), "A never acted"
        second()

    def run(name: str, body: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                body()
                result.done[name] = done
            except refused as refusal:
                result.done[name] = message(refusal)
            except BaseException as error:  # reported by the test, not lost in the thread
                result.errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=target, name=name, daemon=True)

    threads = [run("A", a), run("B", b)]
    for thread in threads:
        thread.start()
    try:
        assert a_acted.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        result.b_waited = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)
    return result
