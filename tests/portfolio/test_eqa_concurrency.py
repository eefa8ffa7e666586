"""The right sign-in code entered twice at the same moment (a double click, two tabs), in real
concurrent transactions: the grant's row lock lets one sign in and tells the other there is no
code waiting, so a code is never used twice.

PostgreSQL only, as in tests/portfolio/test_witness_concurrency.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio
from portfolio.services import eqa
from tests.concurrency import overlapping, postgresql_only  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_code_entered_twice_at_once_signs_in_once(ada: User, amy_portfolio: Portfolio) -> None:
    _, token = eqa.eqa_grant_create(
        actor=ada,
        assurer=eqa.Assurer("Erin External", "erin@awarding.example", "OCR"),
        expires_on=timezone.localdate() + datetime.timedelta(days=7),
        portfolios=[amy_portfolio],
    )
    eqa.eqa_code_send(token=token)
    code = mail.outbox[-1].subject.rsplit(" ", 1)[-1]
    result = overlapping(
        lambda: eqa.eqa_code_check(token=token, code=code),
        lambda: eqa.eqa_code_check(token=token, code=code),
        done="signed in",
        refused=ActionRefused,
    )

    assert result.errors == []
    assert result.b_waited, "B never waited on A's lock of the grant"
    assert result.done["A"] == "signed in"
    assert result.done["B"].startswith("There is no code waiting")
    assert AuditEntry.objects.filter(action="eqa.sign_in").count() == 1
