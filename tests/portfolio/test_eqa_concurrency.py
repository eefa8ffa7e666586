"""The right sign-in code entered twice at the same moment (a double click, two tabs), in real
concurrent transactions: the grant's row lock lets one sign in and tells the other there is no
code waiting, so a code is never used twice.

PostgreSQL only, as in tests/portfolio/test_witness_concurrency.py.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio
from portfolio.services import eqa
from tests.assessment.test_concurrency import TIMEOUT, backend_pid, wait_until_waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between concurrent transactions")


def test_a_code_entered_twice_at_once_signs_in_once(ada: User, amy_portfolio: Portfolio) -> None:
    _, token = eqa.eqa_grant_create(
        actor=ada,
        assurer=eqa.Assurer("Erin External", "erin@awarding.example", "OCR"),
        expires_on=timezone.localdate() + datetime.timedelta(days=7),
        portfolios=[amy_portfolio],
    )
    eqa.eqa_code_send(token=token)
    code = mail.outbox[-1].subject.rsplit(" ", 1)[-1]
    done: dict[str, str] = {}
    errors: list[BaseException] = []
    a_checked, a_may_commit, b_connected = threading.Event(), threading.Event(), threading.Event()
    b_pids: list[int] = []

    def a() -> None:
        with transaction.atomic():
            eqa.eqa_code_check(token=token, code=code)
            a_checked.set()
            assert a_may_commit.wait(TIMEOUT), "the test never let A commit"

    def b() -> None:
        b_pids.append(backend_pid())
        b_connected.set()
        assert a_checked.wait(TIMEOUT), "A never checked its code"
        eqa.eqa_code_check(token=token, code=code)

    def run(name: str, body: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            try:
                body()
                done[name] = "signed in"
            except ActionRefused as refused:
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
        assert a_checked.wait(TIMEOUT)
        assert b_connected.wait(TIMEOUT)
        b_blocked = wait_until_waiting_on_a_lock(b_pids[0])
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join(TIMEOUT)

    assert errors == []
    assert b_blocked, "B never waited on A's lock of the grant"
    assert done["A"] == "signed in"
    assert done["B"].startswith("There is no code waiting")
    assert AuditEntry.objects.filter(action="eqa.sign_in").count() == 1
