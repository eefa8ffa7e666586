"""Who may assess, sign off, sample and read timelines. Views fetch through these helpers.

Outside the person's scope is a 404; inside it but not theirs to act on is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from assessment.models import Decision
from portfolio.models import Evidence, Mapping, Portfolio


def is_assessor_of(user: User, portfolio: Portfolio) -> bool:
    return portfolio.assessor_id == user.pk and user.has_role(Role.ASSESSOR)


def require_assessor_role(user: User) -> None:
    if not user.has_role(Role.ASSESSOR):
        raise PermissionDenied("Only assessors have a caseload.")


def require_iqa_role(user: User) -> None:
    if not user.has_role(Role.IQA):
        raise PermissionDenied("Only internal quality assurers sample decisions.")


def can_read_timeline(user: User, portfolio: Portfolio) -> bool:
    return is_assessor_of(user, portfolio) or user.has_role(Role.IQA, Role.CENTRE_ADMIN)


def get_portfolio_to_assess(user: User, pk: int) -> Portfolio:
    portfolio = get_object_or_404(
        Portfolio.objects.visible_to(user).select_related(
            "learner", "assessor", "qualification__awarding_body"
        ),
        pk=pk,
    )
    if not is_assessor_of(user, portfolio):
        raise PermissionDenied("Only the learner's assigned assessor can assess this portfolio.")
    return portfolio


def get_evidence_to_assess(user: User, pk: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.visible_to(user).select_related(
            "portfolio__learner", "portfolio__assessor", "portfolio__qualification"
        ),
        pk=pk,
    )
    if not is_assessor_of(user, evidence.portfolio):
        raise PermissionDenied("Only the learner's assigned assessor can assess this evidence.")
    return evidence


def get_mapping_to_assess(user: User, pk: int) -> Mapping:
    mapping = get_object_or_404(
        Mapping.objects.visible_to(user).select_related(
            "evidence__portfolio__learner", "criterion__unit", "criterion__outcome"
        ),
        pk=pk,
    )
    if not is_assessor_of(user, mapping.evidence.portfolio):
        raise PermissionDenied("Only the learner's assigned assessor can reopen this mapping.")
    return mapping


def get_portfolio_timeline_for(user: User, pk: int) -> Portfolio:
    portfolio = get_object_or_404(
        Portfolio.objects.visible_to(user).select_related("learner", "qualification"), pk=pk
    )
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
