"""Two entries for the same day logged at the same moment (two tabs, a double click), in real
concurrent transactions: the portfolio's row lock makes the second see the first, so the day
never holds more than 24 hours.

PostgreSQL only, as in tests/assessment/test_concurrency.py: A logs inside an outer
transaction and holds it open; B then logs, and the test waits until PostgreSQL reports B
waiting on a lock (the portfolio row) before letting A commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from portfolio.models import AuditEntry, OffTheJobEntry, Portfolio
from portfolio.services import hours
from tests.concurrency import overlapping, postgresql_only  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db(transaction=True)

DAY = timezone.localdate() - datetime.timedelta(days=1)


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

    result = overlapping(
        lambda: log("16"), lambda: log("9"), done="logged", refused=hours.HoursRefused
    )

    assert result.errors == []
    assert result.b_waited, "B never waited on A's lock of the portfolio"
    assert result.done["A"] == "logged"
    assert "already logged 16 hours" in result.done["B"]
    assert list(OffTheJobEntry.objects.values_list("hours", flat=True)) == [Decimal(16)]
    assert AuditEntry.objects.filter(action="hours.log").count() == 1
