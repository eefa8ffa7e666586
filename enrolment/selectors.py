"""Reads for enrolment: a centre's people and cohorts, its learner list, and what an intake file
names, each with a fixed number of queries however many rows there are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from accounts.models import Membership, Role, User
from cohorts.models import Cohort
from enrolment.matching import NameIndex
from enrolment.validation import UnitMenu
from portfolio.audit import describe
from portfolio.models import AuditEntry, EqaGrant, EqaPageView, Portfolio, UnitChoice
from qualifications.models import Qualification, QualificationUnit, Unit
from qualifications.selectors import rules_by_qualification

PORTFOLIO_PEOPLE = ("learner", "qualification", "cohort", "assessor", "tutor", "iqa")


# People --------------------------------------------------------------------------------------


def centre_people(centre_id: int, role: str) -> QuerySet[User]:
    return User.objects.filter(centre_id=centre_id, memberships__role=role, is_active=True)


def holds_role_at(centre_id: int, role: str, user: User) -> bool:
    """Whether this person works at the centre in this role now, asked of the database."""
    return centre_people(centre_id, role).filter(pk=user.pk).exists()


def people_by_email(emails: Iterable[str]) -> dict[str, User]:
    """Accounts with these (lower-cased) addresses at any centre, in one query; each carries
    `is_learner`."""
    learner_role = Membership.objects.filter(user=OuterRef("pk"), role=Role.LEARNER)
    people = User.objects.annotate(email_lower=Lower("email"), is_learner=Exists(learner_role))
    return {person.email_lower: person for person in people.filter(email_lower__in=set(emails))}


def people_by_uln(centre_id: int, ulns: Iterable[str]) -> dict[str, User]:
    """The centre's people holding these ULNs, in one query (none when no ULN is given)."""
    ulns = set(ulns) - {""}
    if not ulns:
        return {}
    return {person.uln: person for person in User.objects.filter(centre_id=centre_id, uln__in=ulns)}


def assessors_by_email(centre_id: int, emails: Iterable[str]) -> dict[str, User]:
    """The centre's assessors with these (lower-cased) addresses, in one query."""
    assessors = centre_people(centre_id, Role.ASSESSOR).annotate(email_lower=Lower("email"))
    return {a.email_lower: a for a in assessors.filter(email_lower__in=set(emails))}


# Cohorts -------------------------------------------------------------------------------------


def centre_cohorts(centre_id: int) -> QuerySet[Cohort]:
    return Cohort.objects.filter(centre_id=centre_id).select_related("qualification")


def cohorts_with_tutors(centre_id: int) -> QuerySet[Cohort]:
    """The centre's cohorts with the tutors who still hold the role, in name order."""
    return centre_cohorts(centre_id).prefetch_related(
        Prefetch("tutors", queryset=centre_people(centre_id, Role.TUTOR).order_by("full_name"))
    )


def cohort_list(centre_id: int, *, query: str = "") -> QuerySet[Cohort]:
    """The cohorts page: each cohort with its tutors and how many portfolios it holds; those
    whose name or qualification's title holds `query` when given."""
    cohorts = cohorts_with_tutors(centre_id)
    if query:
        cohorts = cohorts.filter(
            Q(name__icontains=query) | Q(qualification__title__icontains=query)
        )
    return cohorts.annotate(learner_count=Count("portfolios")).order_by("name", "pk")


def cohort_index(centre_id: int) -> NameIndex[Cohort]:
    """The centre's cohorts (with tutors), to be found by name as `matching` forgives it.

    A centre has tens of cohorts, not thousands: all are read, in two queries, and matched here
    the same way on every database.
    """
    return NameIndex(cohorts_with_tutors(centre_id).order_by("name"), lambda cohort: cohort.name)


# Qualifications and portfolios ---------------------------------------------------------------


def current_qualifications() -> QuerySet[Qualification]:
    """The qualifications learners are enrolled on: the current version of each."""
    return Qualification.objects.current()


def qualification_index() -> NameIndex[Qualification]:
    """The current version of every qualification, to be found by reference as `matching`
    forgives it, in one query: a reference in an intake file means the version new learners
    start on."""
    return NameIndex(current_qualifications().order_by("reference"), lambda q: q.reference)


def unit_menus(qualification_ids: Iterable[int]) -> dict[int, UnitMenu]:
    """Each qualification's mandatory and optional units and its rules, for checking optional
    units chosen at enrolment; five queries however many qualifications."""
    ids = set(qualification_ids)
    if not ids:
        return {}
    rules = rules_by_qualification(ids)
    mandatory: dict[int, set[str]] = {pk: set() for pk in ids}
    optional: dict[int, dict[str, Unit]] = {pk: {} for pk in ids}
    for link in QualificationUnit.objects.filter(qualification_id__in=ids).select_related("unit"):
        if link.mandatory:
            mandatory[link.qualification_id].add(link.unit.reference)
        else:
            optional[link.qualification_id][link.unit.reference.upper()] = link.unit
    return {
        pk: UnitMenu(rules=rules[pk], mandatory=frozenset(mandatory[pk]), optional=optional[pk])
        for pk in ids
        if pk in rules
    }


def has_optional_units(qualification: Qualification) -> bool:
    return QualificationUnit.objects.filter(qualification=qualification, mandatory=False).exists()


def enrolled_pairs(learner_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(learner, qualification reference) for every portfolio these learners already have.
    A learner on any version of a qualification is enrolled on it: moving to a newer version
    is a move, not a second enrolment."""
    return set(
        Portfolio.objects.filter(learner_id__in=list(learner_ids)).values_list(
            "learner_id", "qualification__reference"
        )
    )


def enrolled_portfolio(*, learner: User, qualification: Qualification) -> Portfolio | None:
    """The learner's portfolio on any version of this qualification."""
    return (
        Portfolio.objects.filter(learner=learner, qualification__reference=qualification.reference)
        .select_related(*PORTFOLIO_PEOPLE)
        .first()
    )


def learners(*, centre_id: int, cohort: Cohort | None, query: str = "") -> QuerySet[Portfolio]:
    """The centre's portfolios (or one cohort's) by learner name; those whose learner's name,
    email or whole ULN, or whose qualification's title, matches `query` when given."""
    portfolios = (
        Portfolio.objects.filter(centre_id=centre_id)
        .select_related(*PORTFOLIO_PEOPLE)
        .order_by("learner__full_name", "qualification__title", "pk")
    )
    if cohort is not None:
        portfolios = portfolios.filter(cohort=cohort)
    if query:
        portfolios = portfolios.filter(
            Q(learner__full_name__icontains=query)
            | Q(learner__email__icontains=query)
            | Q(learner__uln=query)
            | Q(qualification__title__icontains=query)
        )
    return portfolios


# External quality assurance ------------------------------------------------------------------


def sample_choices(centre_id: int) -> QuerySet[Portfolio]:
    """The centre's portfolios, by learner, to choose a sample from."""
    return (
        Portfolio.objects.filter(centre_id=centre_id)
        .select_related("learner", "qualification")
        .order_by("learner__full_name", "qualification__title")
    )


def units_taken_at(centre_id: int) -> QuerySet[Unit]:
    """Units some portfolio at the centre works towards: mandatory or chosen."""
    qualifications = Portfolio.objects.filter(centre_id=centre_id).values("qualification_id")
    chosen = UnitChoice.objects.filter(portfolio__centre_id=centre_id).values("unit_id")
    mandatory = QualificationUnit.objects.filter(
        qualification_id__in=qualifications, mandatory=True
    ).values("unit_id")
    return Unit.objects.filter(Q(pk__in=mandatory) | Q(pk__in=chosen)).order_by(
        "reference", "sequence"
    )


def eqa_grants(centre_id: int) -> QuerySet[EqaGrant]:
    """The centre's grants, newest first, with their sample size and pages opened counted."""
    views = (
        EqaPageView.objects.filter(grant=OuterRef("pk"))
        .order_by()
        .values("grant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        EqaGrant.objects.filter(centre_id=centre_id)
        .select_related("assurer", "granted_by")
        .annotate(sample_size=Count("portfolios"), pages_opened=Subquery(views))
    )


def eqa_grant_record(grant: EqaGrant, *, views_shown: int) -> dict[str, Any]:
    """What the grant's page shows: its sample, the audit entries about it and the latest
    pages the assurer opened (with how many there are), in a fixed number of queries."""
    entries = AuditEntry.objects.filter(
        object_type=EqaGrant._meta.label, object_id=str(grant.pk)
    ).select_related("actor")
    page_views = grant.page_views.all()
    return {
        "sample": list(grant.portfolios.select_related("learner", "qualification")),
        "units": list(grant.units.all()),
        "audit_lines": [describe(entry) for entry in entries],
        "page_views": list(page_views[:views_shown]),
        "page_view_count": page_views.count(),
    }
