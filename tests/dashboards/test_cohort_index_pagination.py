"""The cohort index sends a page of cohorts, searchable by cohort name or qualification."""

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
from tests.bulk import cohorts
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:cohort_index")
# Session, user and roles (twice: the index asks whether the person may see cohorts), the
# count, the page of cohorts with learner counts, their tutors, and the unread notifications.
INDEX_QUERIES = 7


def cohorts_on(response: Any) -> int:
    return len(re.findall(r'href="/cohorts/\d+/"', response.content.decode()))


def test_the_index_runs_the_same_queries_for_3_or_60_cohorts(
    client: Client,
    tom: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    cohorts(tom.centre, ocr, 3, tutor=tom, prefix="First")
    client.force_login(tom)
    client.get(URL)
    with django_assert_num_queries(INDEX_QUERIES):
        assert cohorts_on(client.get(URL)) == 3

    cohorts(tom.centre, ocr, 57, tutor=tom, prefix="More")
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(URL)
    assert cohorts_on(response) == PER_PAGE
    assert cohorts_on(client.get(URL, {"page": "2"})) == 10


def test_a_tutor_pages_only_through_the_cohorts_they_teach(
    client: Client, tom: User, ocr: Qualification
) -> None:
    cohorts(tom.centre, ocr, 55, tutor=tom, prefix="Taught")
    cohorts(tom.centre, ocr, 30, prefix="Other")
    client.force_login(tom)

    second = client.get(URL, {"page": "2"})

    assert "55 cohorts." in text_of(second)
    assert cohorts_on(second) == 5
    assert "Other" not in text_of(second)


def test_search_by_cohort_name_or_qualification_keeps_the_search_in_page_links(
    client: Client, ada: User, ocr: Qualification
) -> None:
    cohorts(ada.centre, ocr, 70, prefix="Retail")
    cohorts(ada.centre, None, 2, prefix="Evening")
    client.force_login(ada)

    assert cohorts_on(client.get(URL, {"q": "evening"})) == 2
    by_qualification = client.get(URL, {"q": ocr.title[:20]})
    assert "70 cohorts match the search." in text_of(by_qualification)
    assert f'href="?q={ocr.title[:20].replace(" ", "+")}&amp;page=2"' in (
        by_qualification.content.decode()
    )


def test_a_bad_page_number_gives_the_first_page(client: Client, ada: User) -> None:
    client.force_login(ada)

    response = client.get(URL, {"page": "2"})

    assert response.status_code == 200
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]
