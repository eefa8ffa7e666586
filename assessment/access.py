"""Who may assess, sign off, sample and read timelines. Views fetch through these helpers, and
services ask the same questions (raising their own refusals) rather than restating the rules.

Outside the person's scope is a 404; inside it but not theirs to act on is a 403. Scoping is
portfolio/access.py's: these fetchers add the assessment roles on top of it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from assessment.models import Decision, PlanItem, ProgressReview
from portfolio.access import get_evidence_for, get_mapping_for, get_portfolio_for
from portfolio.models import Evidence, Mapping, Portfolio


def is_assessor_of(user: User, portfolio: Portfolio) -> bool:
    """Only the learner's assigned assessor decides, reopens and signs off."""
    return portfolio.assessor_id == user.pk and user.has_role(Role.ASSESSOR)


def is_iqa(user: User) -> bool:
    """Internal quality assurers sample decisions and set the sampling rates."""
    return user.has_role(Role.IQA)


def is_iqa_at(user: User, portfolio: Portfolio) -> bool:
    """An IQA samples decisions on their own centre's portfolios only."""
    return is_iqa(user) and user.centre_id == portfolio.centre_id


def require_assessor_role(user: User) -> None:
    """The caseload is an assessor's page; anyone else is refused, not sent elsewhere."""
    if not user.has_role(Role.ASSESSOR):
        raise PermissionDenied("Only assessors have a caseload.")


def require_iqa_role(user: User) -> None:
    """The sampling pages are an IQA's; anyone else is refused."""
    if not is_iqa(user):
        raise PermissionDenied("Only internal quality assurers sample decisions.")


def can_choose_units(user: User, portfolio: Portfolio) -> bool:
    """Optional units are chosen by the learner's assessor or an administrator at the
    portfolio's centre; everyone else who can see the portfolio reads the choice."""
    return is_assessor_of(user, portfolio) or (
        user.has_role(Role.CENTRE_ADMIN) and user.centre_id == portfolio.centre_id
    )


def can_read_timeline(user: User, portfolio: Portfolio) -> bool:
    """The audit timeline is for the portfolio's assessor and the centre's IQAs and admins."""
    return is_assessor_of(user, portfolio) or user.has_role(Role.IQA, Role.CENTRE_ADMIN)


def _require_assessor_of(user: User, portfolio: Portfolio, refusal: str) -> None:
    if not is_assessor_of(user, portfolio):
        raise PermissionDenied(refusal)


def get_portfolio_to_assess(user: User, pk: int) -> Portfolio:
    portfolio = get_portfolio_for(user, pk)
    _require_assessor_of(
        user, portfolio, "Only the learner's assigned assessor can assess this portfolio."
    )
    return portfolio


def get_evidence_to_assess(user: User, pk: int) -> Evidence:
    evidence = get_evidence_for(user, pk)
    _require_assessor_of(
        user, evidence.portfolio, "Only the learner's assigned assessor can assess this evidence."
    )
    return evidence


def get_mapping_to_assess(user: User, pk: int) -> Mapping:
    mapping = get_mapping_for(user, pk)
    _require_assessor_of(
        user,
        mapping.evidence.portfolio,
        "Only the learner's assigned assessor can reopen this mapping.",
    )
    return mapping


def get_portfolio_timeline_for(user: User, pk: int) -> Portfolio:
    portfolio = get_portfolio_for(user, pk)
    if not can_read_timeline(user, portfolio):
        raise PermissionDenied("The audit timeline is for the assessor, IQAs and administrators.")
    return portfolio


def get_decision_to_sample(user: User, pk: int) -> Decision:
    require_iqa_role(user)
    return get_object_or_404(
        Decision.objects.filter(
            mapping__evidence__portfolio__in=Portfolio.objects.visible_to(user)
        ).select_related(
            "mapping__criterion__unit",
            "mapping__evidence__portfolio__learner",
            "decided_by",
        ),
        pk=pk,
    )


def get_portfolio_to_countersign(user: User, pk: int) -> Portfolio:
    """A portfolio the user can see; countersigning it is for the centre's IQAs alone."""
    portfolio = get_portfolio_for(user, pk)
    if not is_iqa_at(user, portfolio):
        raise PermissionDenied("Only an internal quality assurer at this centre can countersign.")
    return portfolio


def get_plan_item_to_change(user: User, pk: int) -> PlanItem:
    """A plan item of a portfolio the user can see; changing it is the assessor's alone."""
    item = get_object_or_404(
        PlanItem.objects.filter(portfolio__in=Portfolio.objects.visible_to(user)).select_related(
            "portfolio__learner", "portfolio__qualification"
        ),
        pk=pk,
    )
    _require_assessor_of(
        user, item.portfolio, "Only the learner's assigned assessor can change the plan."
    )
    return item


def get_progress_review_for(user: User, pk: int) -> ProgressReview:
    """A progress review of a portfolio the user can see; signing it is the services' rule."""
    return get_object_or_404(
        ProgressReview.objects.filter(
            portfolio__in=Portfolio.objects.visible_to(user)
        ).select_related(
            "portfolio__learner",
            "portfolio__assessor",
            "portfolio__employer",
            "portfolio__qualification",
            "written_by",
        ),
        pk=pk,
    )
