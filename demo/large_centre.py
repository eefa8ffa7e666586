"""A realistic large centre for load testing and benchmarks: `seed_demo --learners 2000`.

2,000 learners in 100 cohorts, 60 assessors, 50 tutors, IQAs and an administrator, on the
fixture qualifications, with evidence, mappings and decisions in every state spread over a
year. Built with bulk inserts so it takes minutes, not hours; it never touches the small demo
centre.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import Centre, Membership, Role, User
from assessment.models import Decision, Outcome
from assessment.services import Vacsr
from cohorts.models import Cohort
from demo.people import DEMO_PASSWORD
from portfolio.models import (
    AuditEntry,
    Evidence,
    EvidenceFile,
    EvidenceType,
    FileKind,
    Mapping,
    MappingStatus,
    Portfolio,
)
from qualifications.models import AssessmentCriterion, Qualification

LARGE_CENTRE = "Metropolitan Retail Academy"
BATCH = 2000
# Every demo acceptance carries the assessor's VACSR confirmation, as a real one must.
CONFIRMED = Vacsr.confirmed().columns()


def large_centre_email(kind: str, number: int = 0) -> str:
    """The sign-in address of the large centre's person `number` of a kind, e.g. `tutor0000@…`."""
    return f"{kind}{number:04d}@metro.example"


def _people(centre: Centre, prefix: str, count: int, roles: list[str], password: str) -> list[User]:
    users = User.objects.bulk_create(
        [
            User(
                email=large_centre_email(prefix, n),
                full_name=f"{prefix.capitalize()} {n:04d}",
                centre=centre,
                password=password,
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [Membership(user=user, role=role) for user in users for role in roles], batch_size=BATCH
    )
    return users


@transaction.atomic
def seed_large_centre(learner_count: int, *, seed: int = 2026) -> Centre:
    chance = random.Random(seed)  # noqa: S311 - demo data, not secrets
    if Centre.objects.filter(name=LARGE_CENTRE).exists():
        raise ValueError(f"{LARGE_CENTRE} already exists; the large demo centre is made once.")
    centre = Centre.objects.create(name=LARGE_CENTRE)
    password = make_password(DEMO_PASSWORD)
    assessors = _people(centre, "assessor", 60, [Role.ASSESSOR], password)
    tutors = _people(centre, "tutor", 50, [Role.TUTOR], password)
    _people(centre, "iqa", 2, [Role.IQA], password)
    _people(centre, "admin", 1, [Role.CENTRE_ADMIN], password)
    learners = _people(centre, "learner", learner_count, [Role.LEARNER], password)

    qualifications = list(Qualification.objects.order_by("reference"))
    criteria = {
        q.pk: list(AssessmentCriterion.objects.filter(unit__qualification_links__qualification=q))
        for q in qualifications
    }
    today = timezone.localdate()
    cohort_count = max(1, min(100, learner_count // 20))
    cohorts = []
    for n in range(cohort_count):
        start = today - datetime.timedelta(days=chance.randint(30, 360))
        cohorts.append(
            Cohort(
                centre=centre,
                name=f"Intake {n + 1:03d}",
                qualification=qualifications[n % len(qualifications)],
                start_date=start,
                planned_end_date=start + datetime.timedelta(days=365),
            )
        )
    cohorts = Cohort.objects.bulk_create(cohorts)
    Cohort.tutors.through.objects.bulk_create(
        [
            Cohort.tutors.through(cohort_id=cohort.pk, user_id=tutors[n % len(tutors)].pk)
            for n, cohort in enumerate(cohorts)
        ]
    )
    portfolios = Portfolio.objects.bulk_create(
        [
            Portfolio(
                learner=learner,
                centre=centre,
                qualification=cohorts[n % cohort_count].qualification,
                cohort=cohorts[n % cohort_count],
                assessor=assessors[n % len(assessors)],
                tutor=tutors[(n % cohort_count) % len(tutors)],
                start_date=cohorts[n % cohort_count].start_date,
                planned_end_date=cohorts[n % cohort_count].planned_end_date,
            )
            for n, learner in enumerate(learners)
        ],
        batch_size=BATCH,
    )
    stored = default_storage.save(
        f"evidence/demo-scale/{centre.pk}-note.txt",
        ContentFile(b"Workplace notes for a load-test portfolio.\n"),
    )
    evidence, plans = [], []
    for portfolio in portfolios:
        started = (today - portfolio.start_date).days
        # Learners differ: some race ahead, some have stalled.
        pace = chance.choice([0.2, 0.5, 0.8, 1.0, 1.2])
        for number in range(1, max(1, int(chance.randint(4, 14) * pace)) + 1):
            day = portfolio.start_date + datetime.timedelta(days=chance.randint(0, max(started, 1)))
            evidence.append(
                Evidence(
                    portfolio=portfolio,
                    type=chance.choice(EvidenceType.values),
                    title=f"Workplace evidence {len(evidence) + 1}",
                    activity_date=min(day, today),
                    description="What I did at work, who saw it, and what happened.",
                    created_by=portfolio.learner,
                    number=number,  # bulk_create skips save(), which numbers evidence
                )
            )
            plans.append(portfolio)
    evidence = Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    EvidenceFile.objects.bulk_create(
        [
            EvidenceFile(
                evidence=item,
                file=stored,
                original_name="notes.txt",
                kind=FileKind.TEXT,
                content_type="text/plain",
                size=44,
                sha256="0" * 64,
                uploaded_by=item.created_by,
            )
            for item in evidence
        ],
        batch_size=BATCH,
    )
    mappings, used = [], set()
    statuses = [MappingStatus.ACCEPTED] * 5 + [
        MappingStatus.SUBMITTED,
        MappingStatus.SUBMITTED,
        MappingStatus.REFERRED,
        MappingStatus.DRAFT,
    ]
    now = timezone.now()
    for item, portfolio in zip(evidence, plans, strict=True):
        for criterion in chance.sample(criteria[portfolio.qualification_id], k=2):
            if (item.pk, criterion.pk) in used:
                continue
            used.add((item.pk, criterion.pk))
            status = chance.choice(statuses)
            submitted = timezone.make_aware(
                datetime.datetime.combine(item.activity_date, datetime.time(12))
            )
            mappings.append(
                Mapping(
                    evidence=item,
                    criterion=criterion,
                    commentary="I did this at work; the evidence shows how.",
                    status=status,
                    submitted_at=None if status == MappingStatus.DRAFT else min(submitted, now),
                )
            )
    mappings = Mapping.objects.bulk_create(mappings, batch_size=BATCH)
    assessor_of = {p.pk: p.assessor_id for p in portfolios}
    evidence_portfolio = {item.pk: item.portfolio_id for item in evidence}
    decisions = []
    for mapping in mappings:
        if mapping.status in (MappingStatus.ACCEPTED, MappingStatus.REFERRED):
            decisions.append(
                Decision(
                    mapping=mapping,
                    outcome=Outcome.ACCEPTED
                    if mapping.status == MappingStatus.ACCEPTED
                    else Outcome.REFERRED,
                    feedback="" if mapping.status == MappingStatus.ACCEPTED else "Say more.",
                    decided_by_id=assessor_of[evidence_portfolio[mapping.evidence_id]],
                    decided_at=mapping.submitted_at
                    + datetime.timedelta(days=chance.randint(1, 10)),
                    **(CONFIRMED if mapping.status == MappingStatus.ACCEPTED else {}),
                )
            )
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=item.created_by_id,
                action="evidence.create",
                portfolio_id=item.portfolio_id,
                object_type="portfolio.Evidence",
                object_id=str(item.pk),
                object_repr=item.title,
                at=timezone.make_aware(
                    datetime.datetime.combine(item.activity_date, datetime.time(9))
                ),
            )
            for item in evidence
        ],
        batch_size=BATCH,
    )
    return centre
