"""Who may open and change portfolios, evidence, files and mappings.

Every view fetches these objects through the helpers here. Something outside the person's
scope is a 404, so its existence is never confirmed; something they may see but not change
(an assessor looking at a learner's evidence) is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from portfolio.models import (
    AssessorRecord,
    Evidence,
    EvidenceFile,
    Mapping,
    OffTheJobEntry,
    Portfolio,
)


def can_edit(user: User, portfolio: Portfolio) -> bool:
    """Only the learner changes their own portfolio's evidence and mappings."""
    return user.is_authenticated and portfolio.learner_id == user.pk


def is_employer_of(user: User, portfolio: Portfolio) -> bool:
    """The apprentice's employer contact, while they hold the role and it is an apprenticeship."""
    return (
        user.is_authenticated
        and portfolio.is_apprenticeship
        and portfolio.employer_id == user.pk
        and user.has_role(Role.EMPLOYER)
    )


def can_confirm_hours(user: User, portfolio: Portfolio) -> bool:
    """The employer contact or the portfolio's assessor confirms or queries off-the-job hours."""
    return is_employer_of(user, portfolio) or (
        user.is_authenticated and portfolio.assessor_id == user.pk and user.has_role(Role.ASSESSOR)
    )


def _checked[T](obj: T, portfolio: Portfolio, user: User, write: bool) -> T:
    if write and not can_edit(user, portfolio):
        raise PermissionDenied("Only the learner can change this portfolio.")
    return obj


def _not_assessor_record(evidence_id: int, write: bool) -> None:
    """The assessor's observation or discussion record is theirs: the learner's pages that
    change evidence refuse it (the assessor corrects it on their own page)."""
    if write and AssessorRecord.objects.filter(evidence_id=evidence_id).exists():
        raise PermissionDenied("Your assessor wrote this record, so only they can change it.")


def get_portfolio_for(user: User, pk: int, *, write: bool = False) -> Portfolio:
    queryset = Portfolio.objects.visible_to(user).select_related(
        "learner",
        "qualification__awarding_body",
        "assessor",
        "tutor",
        "iqa",
        "centre",
        "cohort",
        "employer",
    )
    portfolio = get_object_or_404(queryset, pk=pk)
    return _checked(portfolio, portfolio, user, write)


def get_evidence_for(
    user: User, pk: int, *, write: bool = False, queryset: QuerySet[Evidence] | None = None
) -> Evidence:
    base = (queryset if queryset is not None else Evidence.objects).visible_to(user)
    evidence = get_object_or_404(
        base.select_related("portfolio__learner", "portfolio__qualification"), pk=pk
    )
    _not_assessor_record(evidence.pk, write)
    return _checked(evidence, evidence.portfolio, user, write)


def get_mapping_for(user: User, pk: int, *, write: bool = False) -> Mapping:
    queryset = Mapping.objects.visible_to(user).select_related(
        "evidence__portfolio__learner", "criterion__unit", "criterion__outcome"
    )
    mapping = get_object_or_404(queryset, pk=pk)
    _not_assessor_record(mapping.evidence_id, write)
    return _checked(mapping, mapping.evidence.portfolio, user, write)


def get_file_for(user: User, pk: int, *, write: bool = False) -> EvidenceFile:
    queryset = EvidenceFile.objects.visible_to(user).select_related("evidence__portfolio")
    evidence_file = get_object_or_404(queryset, pk=pk)
    _not_assessor_record(evidence_file.evidence_id, write)
    return _checked(evidence_file, evidence_file.evidence.portfolio, user, write)


def get_off_the_job_entry_for(user: User, pk: int) -> OffTheJobEntry:
    """An entry on a portfolio the person sees; what they may do with it the services decide."""
    queryset = OffTheJobEntry.objects.visible_to(user).select_related(
        "portfolio__learner", "portfolio__qualification", "evidence"
    )
    return get_object_or_404(queryset, pk=pk)
