"""/people/ sends a page of the centre's people, searchable, with the filters in every link."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.pagination import PER_PAGE
from qualifications.models import Qualification
from tests.bulk import learners_with_portfolios
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

URL = reverse("accounts:people_list")
PERSON = re.compile(r'<td><a href="/people/\d+/">')
# Session, user and roles, the count, the page of people, their roles and their credentials,
# and the unread notifications the layout counts.
PEOPLE_QUERIES = 8


def people_on(response: Any) -> int:
    return len(PERSON.findall(response.content.decode()))


def test_the_people_list_runs_the_same_queries_for_3_or_60_people(
    client: Client,
    ada: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    learners_with_portfolios(ada.centre, ocr, 2, prefix="First")
    client.force_login(ada)
    client.get(URL)
    with django_assert_num_queries(PEOPLE_QUERIES):
        assert people_on(client.get(URL)) == 3

    learners_with_portfolios(ada.centre, ocr, 57, prefix="More")
    with django_assert_num_queries(PEOPLE_QUERIES):
        response = client.get(URL)
    assert people_on(response) == PER_PAGE
    assert "60 people" in text_of(response)
    assert people_on(client.get(URL, {"page": "2"})) == 10


def test_page_links_keep_the_search_and_role(client: Client, ada: User, ocr: Qualification) -> None:
    learners_with_portfolios(ada.centre, ocr, 70)
    client.force_login(ada)

    response = client.get(URL, {"q": "learner", "role": Role.LEARNER})

    assert people_on(response) == PER_PAGE
    assert 'href="?q=learner&amp;role=learner&amp;page=2"' in response.content.decode()
    assert "70 people match the filter" in text_of(response)


def test_search_finds_a_person_by_whole_uln(client: Client, ada: User, ocr: Qualification) -> None:
    wanted = learners_with_portfolios(ada.centre, ocr, 3)[1].learner
    client.force_login(ada)

    response = client.get(URL, {"q": wanted.uln})

    assert people_on(response) == 1
    assert wanted.full_name in text_of(response)


def test_an_unknown_role_is_ignored_and_a_bad_page_gives_the_first(
    client: Client, ada: User, amy: User, ben: User
) -> None:
    client.force_login(ada)

    response = client.get(URL, {"role": "wizard", "page": "9"})

    assert response.status_code == 200
    assert people_on(response) == 3
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]
    assert "match the filter" not in text_of(response)
