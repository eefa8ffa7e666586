"""The portfolio pages run a fixed number of queries, however much evidence there is.

Data is written in bulk (no uploads): each file row points at a stored name that is never read.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from assessment.models import Decision, Outcome
from portfolio.models import (
    Evidence,
    EvidenceFile,
    EvidenceType,
    FileKind,
    Mapping,
    MappingStatus,
    Portfolio,
)
from qualifications.models import AssessmentCriterion, Qualification
from tests.factories import PortfolioFactory, UserFactory
from tests.journeys import vacsr_columns
from tests.pages import queries_for

pytestmark = pytest.mark.django_db

# Referred first: the first piece of evidence (the small case) then has a referred and a
# submitted mapping, so both sizes show referrals. The portfolio page reads the referrals'
# feedback in one query of its own, run only when there are referrals.
STATUSES = [
    MappingStatus.REFERRED,
    MappingStatus.SUBMITTED,
    MappingStatus.DRAFT,
    MappingStatus.ACCEPTED,
]


def add_evidence(portfolio: Portfolio, count: int) -> list[Evidence]:
    """`count` pieces of evidence, each with a photo (every third also a PDF) and mapped to
    two or three criteria across both units, in each mapping state; a referred or accepted
    mapping has the assessor's decision behind it."""
    learner = portfolio.learner
    start = Evidence.objects.filter(portfolio=portfolio).count()
    types = itertools.cycle(EvidenceType.values)
    evidence = Evidence.objects.bulk_create(
        Evidence(
            portfolio=portfolio,
            type=next(types),
            title=f"Evidence {n}",
            activity_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 300),
            description=f"What I did, part {n}.",
            created_by=learner,
            number=n + 1,
        )
        for n in range(start, start + count)
    )
    files = []
    for item in evidence:
        files.append(file_row(item, FileKind.IMAGE))
        if item.pk % 3 == 0:
            files.append(file_row(item, FileKind.PDF))
    EvidenceFile.objects.bulk_create(files)
    wwo = list(AssessmentCriterion.objects.filter(unit__reference="RS-WWO"))
    pdr = list(AssessmentCriterion.objects.filter(unit__reference="RS-PDR"))
    now = timezone.now()
    mappings = []
    for n, item in enumerate(evidence, start=start):
        chosen = [wwo[n % len(wwo)], pdr[n % len(pdr)]]
        if n % 2:
            chosen.append(wwo[(n + 1) % len(wwo)])
        for offset, criterion in enumerate(chosen):
            status = STATUSES[(n + offset) % len(STATUSES)]
            mappings.append(
                Mapping(
                    evidence=item,
                    criterion=criterion,
                    commentary=f"How evidence {n} meets {criterion.number}.",
                    status=status,
                    submitted_at=None if status == MappingStatus.DRAFT else now,
                )
            )
    Mapping.objects.bulk_create(mappings)
    Decision.objects.bulk_create(
        Decision(
            mapping=mapping,
            outcome=Outcome.ACCEPTED
            if mapping.status == MappingStatus.ACCEPTED
            else Outcome.REFERRED,
            feedback="" if mapping.status == MappingStatus.ACCEPTED else "Say more.",
            decided_by=portfolio.assessor,
            decided_at=now,
            **vacsr_columns(mapping.status),
        )
        for mapping in mappings
        if mapping.status in {MappingStatus.REFERRED, MappingStatus.ACCEPTED}
    )
    return evidence


def file_row(evidence: Evidence, kind: str) -> EvidenceFile:
    extension = "jpg" if kind == FileKind.IMAGE else "pdf"
    return EvidenceFile(
        evidence=evidence,
        file=f"evidence/{evidence.portfolio_id}/dummy-{evidence.pk}.{extension}",
        original_name=f"file-{evidence.pk}.{extension}",
        kind=kind,
        content_type="image/jpeg" if kind == FileKind.IMAGE else "application/pdf",
        size=12_345,
        sha256="0" * 64,
        width=800 if kind == FileKind.IMAGE else None,
        height=600 if kind == FileKind.IMAGE else None,
        uploaded_by=evidence.created_by,
    )


def load_target(target: Evidence, files: int) -> None:
    """Give one piece of evidence many files and a mapping to every criterion."""
    EvidenceFile.objects.bulk_create(file_row(target, FileKind.IMAGE) for _ in range(files))
    mapped = target.mappings.values_list("criterion_id", flat=True)
    Mapping.objects.bulk_create(
        Mapping(evidence=target, criterion=criterion, commentary="Everything.")
        for criterion in AssessmentCriterion.objects.filter(
            unit__reference__in=["RS-WWO", "RS-PDR"]
        ).exclude(pk__in=mapped)
    )


# The ceilings pinned here are today's counts: a page that needs more has grown a query.
PAGES: dict[str, tuple[Callable[[Portfolio, Evidence], str], int]] = {
    "evidence library": (
        lambda portfolio, target: reverse("portfolio:evidence_library", args=[portfolio.pk]),
        11,
    ),
    "portfolio page": (
        lambda portfolio, target: reverse("assessment:portfolio_detail", args=[portfolio.pk]),
        # 12 before issue 11; completion and the rules-of-combination section now read the
        # qualification's rules (rules_by_qualification, four queries, read once per page),
        # and the version notice looks for a newer version of the qualification (one).
        # Issue 12: the IQA countersignatures panel (one).
        18,
    ),
    "tracking matrix": (
        lambda portfolio, target: reverse("assessment:portfolio_matrix", args=[portfolio.pk]),
        11,
    ),
    "evidence page": (
        lambda portfolio, target: reverse("portfolio:evidence_detail", args=[target.pk]),
        # 10 before issue 14; the messages about the evidence (one).
        11,
    ),
    "mapping pick page": (
        lambda portfolio, target: reverse("portfolio:mapping_pick", args=[target.pk]),
        10,
    ),
}


@pytest.mark.parametrize("page_name", PAGES)
def test_a_page_runs_the_same_queries_for_one_or_two_hundred_pieces_of_evidence(
    as_amy: Client,
    amy_portfolio: Portfolio,
    django_assert_max_num_queries: Callable[..., Any],
    page_name: str,
) -> None:
    url_for, ceiling = PAGES[page_name]
    [target] = add_evidence(amy_portfolio, 1)
    url = url_for(amy_portfolio, target)
    as_amy.get(url)  # warm any per-process caches
    small = queries_for(as_amy, url)

    add_evidence(amy_portfolio, 199)
    load_target(target, files=19)
    assert Evidence.objects.filter(portfolio=amy_portfolio).count() == 200
    referrals = Decision.objects.filter(
        outcome=Outcome.REFERRED, mapping__status=MappingStatus.REFERRED
    )
    assert referrals.count() >= 100
    with django_assert_max_num_queries(ceiling):
        large = queries_for(as_amy, url)

    assert large == small


def test_the_library_filters_keep_the_query_count(
    as_amy: Client, amy_portfolio: Portfolio, ocr: Qualification
) -> None:
    add_evidence(amy_portfolio, 1)
    url = reverse("portfolio:evidence_library", args=[amy_portfolio.pk])
    unit = str(AssessmentCriterion.objects.get(unit__reference="RS-PDR", number="1.1").unit_id)
    # The first piece of evidence matches, so both runs prefetch for what they show.
    query = f"?q=evidence&type=observation&unit={unit}&status=submitted"
    as_amy.get(url + query)
    small = queries_for(as_amy, url + query)
    assert "Evidence 0" in as_amy.get(url + query).text

    add_evidence(amy_portfolio, 199)

    assert queries_for(as_amy, url + query) == small


def test_the_portfolio_list_runs_the_same_queries_for_one_or_thirty_portfolios(
    client: Client,
    ada: User,
    amy_portfolio: Portfolio,
    asha: User,
    tom: User,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    add_evidence(amy_portfolio, 3)
    client.force_login(ada)
    url = reverse("portfolio:portfolio_list")
    client.get(url)
    small = queries_for(client, url)
    assert amy_portfolio.learner.full_name in client.get(url).text

    qualifications = itertools.cycle(Qualification.objects.all())
    for _ in range(29):
        learner = UserFactory(centre=ada.centre, roles=[Role.LEARNER])
        portfolio = PortfolioFactory(
            learner=learner, qualification=next(qualifications), assessor=asha, tutor=tom
        )
        if portfolio.qualification_id == amy_portfolio.qualification_id:
            add_evidence(portfolio, 2)
    assert Portfolio.objects.count() == 30

    # 8 before issue 11: each portfolio's own units now include its chosen optional units,
    # read in one more query (UnitChoice) for all portfolios at once. Two more since issue 14:
    # the qualifications to filter by, and the count of portfolios for the page links.
    with django_assert_max_num_queries(11):
        large = queries_for(client, url)

    assert large == small
    assert client.get(url).text.count("criteria met</span>") == 30
