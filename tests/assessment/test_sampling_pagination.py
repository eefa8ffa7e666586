"""The IQA's proposed sample shows a page of assessor-and-unit groups, searchable by assessor
or unit, and reads the proposed decisions of that page's groups only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from assessment.models import Decision, Outcome
from assessment.views.iqa import SAMPLE_GROUPS_PER_PAGE
from portfolio.models import Mapping, MappingStatus
from qualifications.models import Qualification
from tests.bulk import learners_with_portfolios, waiting_evidence
from tests.cast import person
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

URL = reverse("assessment:iqa_sampling")
# Session, user and roles, the rates (twice: the form's and the sample's), the centre's
# assessors and units for the rates form, the decisions counted per group, their assessors
# and units, the proposed decisions of the page's groups, and the unread notifications.
SAMPLING_QUERIES = 12


def assessors_with_decisions(iris: User, ocr: Qualification, count: int, start: int = 0) -> None:
    """`count` assessors, each with one learner and three referrals on one unit: one group
    each, and one decision of it to sample at the default 10 %."""
    for n in range(start, start + count):
        assessor = person(iris.centre, f"Assessor{n:03d} Smith", Role.ASSESSOR)
        [portfolio] = learners_with_portfolios(
            iris.centre, ocr, 1, assessor=assessor, prefix=f"Learner{n:03d}"
        )
        evidence = waiting_evidence(portfolio, 3)
        Mapping.objects.filter(evidence__in=evidence).update(status=MappingStatus.REFERRED)
        Decision.objects.bulk_create(
            Decision(
                mapping=mapping, outcome=Outcome.REFERRED, feedback="More.", decided_by=assessor
            )
            for mapping in Mapping.objects.filter(evidence__in=evidence)
        )


def groups_on(response: Any) -> int:
    return response.content.decode().count('<article class="card mb-3"')


def proposals_on(response: Any) -> int:
    return response.content.decode().count('href="/iqa/decisions/')


def test_the_sample_runs_the_same_queries_for_3_or_60_groups(
    client: Client,
    iris: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    assessors_with_decisions(iris, ocr, 3)
    client.force_login(iris)
    client.get(URL)
    with django_assert_num_queries(SAMPLING_QUERIES):
        small = client.get(URL)
    assert (groups_on(small), proposals_on(small)) == (3, 3)

    assessors_with_decisions(iris, ocr, 57, start=3)
    with django_assert_num_queries(SAMPLING_QUERIES):
        large = client.get(URL)
    assert (groups_on(large), proposals_on(large)) == (20, 20)
    assert "60 assessor and unit groups." in text_of(large)
    last = client.get(URL, {"page": "3"})
    assert groups_on(last) == SAMPLE_GROUPS_PER_PAGE
    assert "Assessor059 Smith · " in text_of(last)
    assert "Assessor039 Smith · " not in text_of(last)


def test_search_by_assessor_or_unit_keeps_the_search_in_page_links(
    client: Client, iris: User, ocr: Qualification
) -> None:
    assessors_with_decisions(iris, ocr, 25)
    client.force_login(iris)

    one = client.get(URL, {"q": "assessor007"})
    assert groups_on(one) == 1 and "Assessor007 Smith · " in text_of(one)
    unit = Decision.objects.first().mapping.criterion.unit
    by_unit = client.get(URL, {"q": unit.reference.lower()})
    assert "25 assessor and unit groups match the search." in text_of(by_unit)
    assert f'href="?q={unit.reference.lower()}&amp;page=2"' in by_unit.content.decode()
    nothing = client.get(URL, {"q": "zzz"})
    assert "No assessor or unit matches that search." in text_of(nothing)


def test_a_page_past_the_end_gives_the_first(
    client: Client, iris: User, ocr: Qualification
) -> None:
    assessors_with_decisions(iris, ocr, 2)
    client.force_login(iris)

    response = client.get(URL, {"page": "3"})

    assert groups_on(response) == 2
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]
