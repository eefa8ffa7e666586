"""Many learners and portfolios at once, written in bulk (no services, no password hashing),
for the tests that a list shows a page of them however many there are."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from accounts.models import Centre, Membership, Role, User
from cohorts.models import Cohort
from portfolio.models import Evidence, EvidenceType, Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion, Qualification

# ULNs are unique per centre, so every bulk learner gets one of their own.
_ulns = itertools.count(9_000_000_000)


def learners_with_portfolios(
    centre: Centre,
    qualification: Qualification,
    count: int,
    *,
    assessor: User | None = None,
    tutor: User | None = None,
    cohort: Cohort | None = None,
    prefix: str = "Learner",
) -> list[Portfolio]:
    """`count` learners named "<prefix> 0000" on, each with a portfolio on the qualification;
    learner n's email is <prefix>nnnn@<centre id>.bulk; each has a ULN of their own."""
    users = User.objects.bulk_create(
        User(
            email=f"{prefix.lower()}{n:04d}@{centre.pk}.bulk",
            full_name=f"{prefix} {n:04d}",
            centre=centre,
            password="!",
            uln=f"{next(_ulns):010d}",
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(Membership(user=user, role=Role.LEARNER) for user in users)
    Portfolio.objects.bulk_create(
        Portfolio(
            learner=user,
            centre=centre,
            qualification=qualification,
            assessor=assessor,
            tutor=tutor,
            cohort=cohort,
            start_date=datetime.date(2025, 9, 1),
            planned_end_date=datetime.date(2026, 8, 31),
        )
        for user in users
    )
    return list(Portfolio.objects.filter(learner__in=users).order_by("learner__full_name", "pk"))


def cohorts(
    centre: Centre,
    qualification: Qualification | None,
    count: int,
    *,
    tutor: User | None = None,
    prefix: str = "Cohort",
) -> list[Cohort]:
    """`count` cohorts named "<prefix> 000" on, each taught by `tutor` when given."""
    made = Cohort.objects.bulk_create(
        Cohort(centre=centre, name=f"{prefix} {n:03d}", qualification=qualification)
        for n in range(count)
    )
    if tutor is not None:
        Cohort.tutors.through.objects.bulk_create(
            Cohort.tutors.through(cohort=cohort, user=tutor) for cohort in made
        )
    return made


def waiting_evidence(portfolio: Portfolio, count: int) -> list[Evidence]:
    """`count` pieces of evidence titled "Waiting 000" on, each with one mapping submitted to
    the assessor, the lowest-numbered waiting longest."""
    criterion = AssessmentCriterion.objects.filter(
        unit__qualification_links__qualification=portfolio.qualification
    ).first()
    evidence = Evidence.objects.bulk_create(
        Evidence(
            portfolio=portfolio,
            type=EvidenceType.PRODUCT,
            title=f"Waiting {n:03d}",
            activity_date=datetime.date(2025, 10, 1),
            description="What I did.",
            created_by=portfolio.learner,
            number=n + 1,
        )
        for n in range(count)
    )
    now = timezone.now()
    Mapping.objects.bulk_create(
        Mapping(
            evidence=item,
            criterion=criterion,
            commentary="How it meets the criterion.",
            status=MappingStatus.SUBMITTED,
            submitted_at=now - datetime.timedelta(hours=count - n),
        )
        for n, item in enumerate(evidence)
    )
    return evidence
