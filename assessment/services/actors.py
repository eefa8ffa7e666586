"""The refusal several services share when the actor is not the learner's assessor. The rule
itself is assessment/access.py's; services turn it into their own error and wording."""

from __future__ import annotations

from accounts.models import User
from assessment.access import is_assessor_of
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio


def refuse_unless_assessor(actor: User, portfolio: Portfolio) -> None:
    """Decisions, reopenings and sign-offs are the assigned assessor's alone."""
    if not is_assessor_of(actor, portfolio):
        raise ActionRefused("Only the learner's assigned assessor can do this.")
