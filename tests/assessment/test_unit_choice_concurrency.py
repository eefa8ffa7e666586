"""Two choices of optional units at the same moment, in real concurrent transactions: each is
allowed alone, together they break a group's maximum, so only one may be saved.

PostgreSQL only, as in test_concurrency.py: A chooses inside an outer transaction and holds it
open; B then chooses, and the test waits until PostgreSQL reports B waiting on a lock (the
portfolio row) before letting A commit. B must then count A's choice and be refused.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from assessment import services as assessment
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio, UnitChoice
from qualifications.models import Qualification
from tests.concurrency import overlapping, postgresql_only  # noqa: F401 (autouse)
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)


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
    result = overlapping(
        lambda: choose(asha, portfolio, "EX-RET-C1B"),
        lambda: choose(asha, portfolio, "EX-RET-C1A"),
        done="chosen",
        refused=ActionRefused,
    )

    assert result.errors == []
    assert result.b_waited, "B never waited on A's lock of the portfolio"
    assert result.done == {
        "A": "chosen",
        "B": "Group C1 allows at most 3 credits; this would make 5.",
    }
    assert list(UnitChoice.objects.values_list("unit__reference", flat=True)) == ["EX-RET-C1B"]
    assert AuditEntry.objects.filter(action="unit.choose").count() == 1
