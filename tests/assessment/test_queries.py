"""The assessor's and IQA's pages run a fixed number of queries, however big the caseload.

Large cases are written in bulk (no uploads, no services): 60 portfolios assigned to Asha with
20 pieces of evidence each, every one mapped to three criteria that are submitted, referred or
accepted, with the decisions and some IQA reviews behind them.

The issue's real scale is 60 portfolios with 400 pieces of evidence each. Built the same way
that is 24,000 pieces of evidence, 72,000 mappings and 48,000 decisions: it took about 12 s to
build on SQLite (6 s on PostgreSQL), and the caseload, sampling and coverage pages then ran
13, 13 and 10 queries, the same as here, in 0.3 s, 1.2 s and 0.1 s. The suite keeps to
20 pieces of evidence per portfolio so that it stays quick.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from assessment.models import (
    Decision,
    IqaAgreement,
    IqaReview,
    Outcome,
    PlanItem,
    PlanMethod,
    ProgressReview,
)
from portfolio.models import Evidence, EvidenceType, Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion, Qualification
from tests.cast import person
from tests.factories import MappingFactory
from tests.journeys import add_evidence, vacsr_columns
from tests.pages import queries_for

pytestmark = pytest.mark.django_db

LARGE_PORTFOLIOS = 60
LARGE_EVIDENCE_EACH = 20

# Today's counts; a page that needs more has grown a query. The caseload's three more than the
# 13 above are the plan's: overdue plan items, the last three-way review of each apprenticeship,
# and the reviews waiting for the assessor's signature. Three more since issue 14 paged both
# lists: a count for each, and the mappings waiting across the whole caseload.
CASELOAD_QUERIES = 19
SAMPLING_QUERIES = 13
COVERAGE_QUERIES = 10
# The review page: 10 before issue 14; the messages about the evidence (one).
REVIEW_QUERIES = 11

STATUSES = [MappingStatus.SUBMITTED, MappingStatus.REFERRED, MappingStatus.ACCEPTED]
_batch = itertools.count()


def build_portfolios(
    assessors: list[User], iqa: User | None, *, portfolios: int, evidence_each: int
) -> list[Portfolio]:
    """Portfolios on the OCR certificate, assigned round the assessors, full of evidence."""
    batch = next(_batch)
    centre = assessors[0].centre
    qualification = Qualification.objects.get(reference="OCR-L3-RSSP-CERT")
    learners = User.objects.bulk_create(
        User(
            email=f"learner{batch}-{n}@northgate.test",
            full_name=f"Learner {batch}-{n:03}",
            centre=centre,
        )
        for n in range(portfolios)
    )
    Membership.objects.bulk_create(Membership(user=u, role=Role.LEARNER) for u in learners)
    made = Portfolio.objects.bulk_create(
        Portfolio(
            learner=learner,
            centre=centre,
            qualification=qualification,
            assessor=assessors[n % len(assessors)],
            start_date=datetime.date(2025, 9, 1),
            planned_end_date=datetime.date(2026, 8, 31),
        )
        for n, learner in enumerate(learners)
    )
    types = itertools.cycle(EvidenceType.values)
    evidence = Evidence.objects.bulk_create(
        Evidence(
            portfolio=portfolio,
            type=next(types),
            title=f"Evidence {n}",
            activity_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 300),
            description=f"What I did, part {n}.",
            created_by=portfolio.learner,
            number=n + 1,
        )
        for portfolio in made
        for n in range(evidence_each)
    )
    criteria = list(
        AssessmentCriterion.objects.filter(unit__reference__in=["RS-WWO", "RS-PDR"]).order_by("pk")
    )
    now = timezone.now()
    mappings = Mapping.objects.bulk_create(
        Mapping(
            evidence=item,
            criterion=criteria[(n + offset) % len(criteria)],
            commentary=f"How evidence {n} meets it.",
            status=STATUSES[(n + offset) % len(STATUSES)],
            submitted_at=now - datetime.timedelta(minutes=n),
        )
        for n, item in enumerate(evidence)
        for offset in range(3)
    )
    assessor_of = {p.pk: p.assessor for p in made}
    decisions = Decision.objects.bulk_create(
        Decision(
            mapping=mapping,
            outcome=(
                Outcome.ACCEPTED if mapping.status == MappingStatus.ACCEPTED else Outcome.REFERRED
            ),
            feedback="" if mapping.status == MappingStatus.ACCEPTED else "Say more.",
            decided_by=assessor_of[mapping.evidence.portfolio_id],
            decided_at=now - datetime.timedelta(minutes=n),
            **vacsr_columns(mapping.status),
        )
        for n, mapping in enumerate(mappings)
        if mapping.status != MappingStatus.SUBMITTED
    )
    if iqa is not None:
        IqaReview.objects.bulk_create(
            IqaReview(
                decision=decision,
                reviewer=iqa,
                verdict=IqaAgreement.AGREE if n % 2 else IqaAgreement.DISAGREE,
                feedback="" if n % 2 else "Not enough.",
            )
            for n, decision in enumerate(decisions[::20])
        )
    return made


def add_plans(portfolios: list[Portfolio]) -> None:
    """Each portfolio an apprenticeship with an overdue plan item and a review to sign."""
    criterion = AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="5.1")
    Portfolio.objects.filter(pk__in=[p.pk for p in portfolios]).update(is_apprenticeship=True)
    items = PlanItem.objects.bulk_create(
        PlanItem(
            portfolio=p,
            activity="Run the stock rotation",
            method=PlanMethod.OBSERVATION,
            target_date=datetime.date(2025, 10, 1),
            created_by=p.assessor,
        )
        for p in portfolios
    )
    PlanItem.criteria.through.objects.bulk_create(
        PlanItem.criteria.through(planitem_id=item.pk, assessmentcriterion_id=criterion.pk)
        for item in items
    )
    ProgressReview.objects.bulk_create(
        ProgressReview(
            portfolio=p,
            held_on=datetime.date(2025, 11, 20),
            progress="Under way.",
            next_steps="Finish it.",
            is_three_way=True,
            written_by=p.assessor,
        )
        for p in portfolios
    )


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    client.get(reverse("dashboards:home"))  # warm any per-process caches
    return client


def grow_to_large(assessors: list[User], iqa: User | None) -> None:
    build_portfolios(
        assessors, iqa, portfolios=LARGE_PORTFOLIOS - 1, evidence_each=LARGE_EVIDENCE_EACH
    )


def test_the_caseload_and_queue_run_the_same_queries_for_one_or_sixty_portfolios(
    client: Client,
    asha: User,
    catalogue: None,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    add_plans(build_portfolios([asha], None, portfolios=1, evidence_each=3))
    as_asha = signed_in(client, asha)
    url = reverse("assessment:caseload")
    small = queries_for(as_asha, url)

    grow_to_large([asha], None)
    add_plans(list(Portfolio.objects.filter(assessor=asha, is_apprenticeship=False)))
    assert Portfolio.objects.filter(assessor=asha).count() == LARGE_PORTFOLIOS
    with django_assert_max_num_queries(CASELOAD_QUERIES):
        large = queries_for(as_asha, url)

    assert large == small
    page = as_asha.get(url).content.decode()
    assert len(re.findall(r'href="/portfolios/\d+/"', page)) == 50  # the first page of each
    assert page.count('href="/assess/evidence/') == 50
    assert page.count("Three-way review overdue") == LARGE_PORTFOLIOS
    assert page.count("Review to sign") == LARGE_PORTFOLIOS
    accepted = Mapping.objects.filter(
        evidence__portfolio=OuterRef("pk"),
        criterion__unit__reference="RS-WWO",
        criterion__number="5.1",
        status=MappingStatus.ACCEPTED,
    )
    unmet = Portfolio.objects.filter(assessor=asha).exclude(Exists(accepted))
    assert 0 < unmet.count() < LARGE_PORTFOLIOS  # some plan items are met, some overdue
    overdue_links = page.count(" overdue for Learner ")  # in each link's label
    second = as_asha.get(url, {"learners": "2"}).content.decode()
    assert overdue_links + second.count(" overdue for Learner ") == unmet.count()


def test_the_queues_second_page_runs_the_same_queries(
    client: Client, asha: User, catalogue: None
) -> None:
    build_portfolios([asha], None, portfolios=1, evidence_each=3)
    grow_to_large([asha], None)
    as_asha = signed_in(client, asha)
    url = reverse("assessment:caseload")

    assert queries_for(as_asha, url + "?page=2") == queries_for(as_asha, url)


@pytest.fixture
def assessors(asha: User, sam: User, centre: Any) -> list[User]:
    return [asha, sam, person(centre, "Nia Hughes", Role.ASSESSOR)]


def test_the_sampling_page_runs_the_same_queries_for_one_or_sixty_portfolios(
    client: Client,
    iris: User,
    assessors: list[User],
    catalogue: None,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    # Nothing reviewed yet in the small case, so there is a sample to propose at both sizes.
    build_portfolios(assessors[:1], None, portfolios=1, evidence_each=3)
    as_iris = signed_in(client, iris)
    url = reverse("assessment:iqa_sampling")
    small = queries_for(as_iris, url)
    assert 'href="/iqa/decisions/' in as_iris.get(url).content.decode()

    grow_to_large(assessors, iris)
    with django_assert_max_num_queries(SAMPLING_QUERIES):
        large = queries_for(as_iris, url)

    assert large == small
    text = as_iris.get(url).content.decode()
    for assessor in assessors:
        assert f"{assessor.full_name} · " in text


def test_the_coverage_page_runs_the_same_queries_for_one_or_sixty_portfolios(
    client: Client,
    iris: User,
    assessors: list[User],
    catalogue: None,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    build_portfolios(assessors[:1], iris, portfolios=1, evidence_each=3)
    as_iris = signed_in(client, iris)
    url = reverse("assessment:iqa_overview")
    small = queries_for(as_iris, url)
    assert IqaReview.objects.count() == 1

    grow_to_large(assessors, iris)
    assert Decision.objects.count() == 2 * 3 * 20 * (LARGE_PORTFOLIOS - 1) // 3 + 6
    with django_assert_max_num_queries(COVERAGE_QUERIES):
        large = queries_for(as_iris, url)

    assert large == small
    text = as_iris.get(url).content.decode()
    for assessor in assessors:
        assert f'<th scope="row" class="fw-normal">{assessor.full_name}</th>' in text
    assert text.count("<strong>agreed</strong>") + text.count("<strong>disagreed</strong>") == 20


def test_the_review_page_runs_the_same_queries_for_one_or_ten_mappings(
    client: Client,
    asha: User,
    amy_portfolio: Portfolio,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    evidence = add_evidence(amy_portfolio)
    criteria = list(AssessmentCriterion.objects.filter(unit__reference="RS-WWO").order_by("pk"))
    now = timezone.now()
    first = MappingFactory(
        evidence=evidence,
        criterion=criteria[0],
        commentary="The first.",
        submitted=True,
        submitted_at=now,
    )
    # Referred once and resubmitted: its history (and its decider's credentials) is read too.
    Decision.objects.create(
        mapping=first, outcome=Outcome.REFERRED, feedback="Say more.", decided_by=asha
    )
    as_asha = signed_in(client, asha)
    url = reverse("assessment:evidence_review", args=[evidence.pk])
    small = queries_for(as_asha, url)

    more = Mapping.objects.bulk_create(
        Mapping(
            evidence=evidence,
            criterion=criterion,
            commentary=f"Number {n}.",
            status=STATUSES[n % 3],
            submitted_at=now,
        )
        for n, criterion in enumerate(criteria[1:10], start=1)
    )
    Decision.objects.bulk_create(
        Decision(
            mapping=mapping,
            outcome=outcome,
            feedback="Say more.",
            decided_by=asha,
            **vacsr_columns(outcome),
        )
        for mapping in more
        if mapping.status != MappingStatus.SUBMITTED
        for outcome in (Outcome.REFERRED, mapping.status)
    )
    assert evidence.mappings.count() == 10
    with django_assert_max_num_queries(REVIEW_QUERIES):
        large = queries_for(as_asha, url)

    assert large == small
    page = as_asha.get(url).content.decode()
    assert page.count('<article class="card mb-3"') == 4  # submitted, waiting for a decision
    assert page.count('<article class="card mb-2"') == 6  # decided, with their history
