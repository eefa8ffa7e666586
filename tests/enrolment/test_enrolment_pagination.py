"""The administrator's learner and cohort lists send a page at a time, searchable, with the
cohort and the search kept in every page link."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.pagination import PER_PAGE
from qualifications.models import Qualification
from tests.bulk import cohorts, learners_with_portfolios
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

LEARNERS = reverse("enrolment:learner_list")
COHORTS = reverse("enrolment:cohort_list")
# Session, user and roles, the count, the page of portfolios with their people, and the
# unread notifications.
LEARNER_QUERIES = 6
# The same, with the page's cohorts' tutors.
COHORT_QUERIES = 7


def learners_on(response: Any) -> int:
    return len(re.findall(r'href="/centre/portfolios/\d+/reassign/"', response.content.decode()))


def cohorts_on(response: Any) -> int:
    return response.content.decode().count('<th scope="row">')


def test_the_learner_list_runs_the_same_queries_for_3_or_60_portfolios(
    client: Client,
    ada: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    learners_with_portfolios(ada.centre, ocr, 3, prefix="First")
    client.force_login(ada)
    client.get(LEARNERS)
    with django_assert_num_queries(LEARNER_QUERIES):
        assert learners_on(client.get(LEARNERS)) == 3

    learners_with_portfolios(ada.centre, ocr, 57, prefix="More")
    with django_assert_num_queries(LEARNER_QUERIES):
        assert learners_on(client.get(LEARNERS)) == PER_PAGE


def test_a_cohorts_learners_page_with_the_cohort_and_search_kept(
    client: Client, ada: User, ocr: Qualification
) -> None:
    [cohort] = cohorts(ada.centre, ocr, 1)
    learners_with_portfolios(ada.centre, ocr, 60, cohort=cohort)
    learners_with_portfolios(ada.centre, ocr, 5, prefix="Elsewhere")
    client.force_login(ada)

    response = client.get(LEARNERS, {"cohort": cohort.pk, "q": "learner"})

    assert learners_on(response) == PER_PAGE
    assert "60 portfolios match the search, page 1 of 2" in text_of(response)
    assert f'href="?cohort={cohort.pk}&amp;q=learner&amp;page=2"' in response.content.decode()
    second = client.get(LEARNERS, {"cohort": cohort.pk, "q": "learner", "page": "2"})
    assert learners_on(second) == 10


def test_the_learner_search_finds_one_by_whole_uln(
    client: Client, ada: User, ocr: Qualification
) -> None:
    wanted = learners_with_portfolios(ada.centre, ocr, 4)[2].learner
    client.force_login(ada)

    response = client.get(LEARNERS, {"q": wanted.uln})

    assert learners_on(response) == 1 and wanted.email in text_of(response)


def test_the_cohort_list_runs_the_same_queries_for_3_or_60_cohorts_and_searches(
    client: Client,
    ada: User,
    tom: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    cohorts(ada.centre, ocr, 3, tutor=tom, prefix="First")
    client.force_login(ada)
    client.get(COHORTS)
    with django_assert_num_queries(COHORT_QUERIES):
        assert cohorts_on(client.get(COHORTS)) == 3

    cohorts(ada.centre, ocr, 57, tutor=tom, prefix="More")
    with django_assert_num_queries(COHORT_QUERIES):
        assert cohorts_on(client.get(COHORTS)) == PER_PAGE
    found = client.get(COHORTS, {"q": "first"})
    assert cohorts_on(found) == 3 and "3 cohorts match the search" in text_of(found)
    assert 'href="?q=more&amp;page=2"' in client.get(COHORTS, {"q": "more"}).content.decode()


def test_a_bad_page_of_learners_gives_the_first(client: Client, ada: User) -> None:
    client.force_login(ada)

    response = client.get(LEARNERS, {"page": "0"})

    assert response.status_code == 200
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]
