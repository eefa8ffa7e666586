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
from cohorts.models import Cohort
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


# Conversations ---------------------------------------------------------------------------------
# Who takes part in a portfolio's messages, in one place: the learner, their assessor, the
# tutors who follow them (named on the portfolio or teaching its cohort) and the centre's IQAs
# (who sample any portfolio there) read and write; the centre's administrators read. Nobody
# else, the employer contact and external quality assurers included, reads a word of it.


def _tutors_learner(user: User, portfolio: Portfolio) -> bool:
    if not user.has_role(Role.TUTOR):
        return False
    if portfolio.tutor_id == user.pk:
        return True
    return bool(
        portfolio.cohort_id
        and Cohort.tutors.through.objects.filter(
            cohort_id=portfolio.cohort_id, user_id=user.pk
        ).exists()
    )


def can_post_message(user: User, portfolio: Portfolio) -> bool:
    """The learner, their assessor, their tutors and the centre's IQAs write in its threads."""
    if not user.is_authenticated or user.centre_id != portfolio.centre_id:
        return False
    return (
        portfolio.learner_id == user.pk
        or (portfolio.assessor_id == user.pk and user.has_role(Role.ASSESSOR))
        or user.has_role(Role.IQA)
        or _tutors_learner(user, portfolio)
    )


def can_read_messages(user: User, portfolio: Portfolio) -> bool:
    """Everyone who writes in the threads, and the centre's administrators, who only read."""
    if not user.is_authenticated or user.centre_id != portfolio.centre_id:
        return False
    return user.has_role(Role.CENTRE_ADMIN) or can_post_message(user, portfolio)


def _conversation_checked(user: User, portfolio: Portfolio, write: bool) -> None:
    """Someone who sees the portfolio but is not in its conversation is refused (403); an
    administrator reads but does not write (403 on a post)."""
    if not can_read_messages(user, portfolio):
        raise PermissionDenied("Messages on this portfolio are for its learner and their staff.")
    if write and not can_post_message(user, portfolio):
        raise PermissionDenied("You can read these messages but not write in them.")


def get_portfolio_thread_for(user: User, pk: int, *, write: bool = False) -> Portfolio:
    """A portfolio whose own thread the person reads (or, with write, posts in)."""
    portfolio = get_portfolio_for(user, pk)
    _conversation_checked(user, portfolio, write)
    return portfolio


def get_evidence_thread_for(user: User, pk: int, *, write: bool = False) -> Evidence:
    """Evidence whose thread the person reads (or, with write, posts in)."""
    queryset = Evidence.objects.visible_to(user).select_related(
        "portfolio__learner", "portfolio__qualification"
    )
    evidence = get_object_or_404(queryset, pk=pk)
    _conversation_checked(user, evidence.portfolio, write)
    return evidence
