"""The caseload sends a page of the waiting queue and a page of the assigned portfolios, both
narrowed by one search for learners, each page's links keeping the other's page."""

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
from tests.bulk import learners_with_portfolios, waiting_evidence
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

URL = reverse("assessment:caseload")
# tests/assessment/test_queries.py's CASELOAD_QUERIES less one: with no apprenticeships there
# are no three-way reviews to read.
CASELOAD_QUERIES = 18


def portfolios_on(response: Any) -> int:
    return len(re.findall(r'href="/portfolios/\d+/"', response.content.decode()))


def queue_on(response: Any) -> int:
    return response.content.decode().count('href="/assess/evidence/')


def test_the_caseload_runs_the_same_queries_for_3_or_60_portfolios(
    client: Client,
    asha: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    first = learners_with_portfolios(asha.centre, ocr, 3, assessor=asha, prefix="First")
    waiting_evidence(first[0], 3)
    client.force_login(asha)
    client.get(URL)
    with django_assert_num_queries(CASELOAD_QUERIES):
        small = client.get(URL)
    assert (portfolios_on(small), queue_on(small)) == (3, 3)

    more = learners_with_portfolios(asha.centre, ocr, 57, assessor=asha, prefix="More")
    waiting_evidence(more[0], 57)
    with django_assert_num_queries(CASELOAD_QUERIES):
        large = client.get(URL)
    assert (portfolios_on(large), queue_on(large)) == (PER_PAGE, PER_PAGE)
    assert "60 learner portfolios, 60 mappings waiting for you." in text_of(large)


def test_each_lists_page_links_keep_the_search_and_the_other_lists_page(
    client: Client, asha: User, ocr: Qualification
) -> None:
    portfolios = learners_with_portfolios(asha.centre, ocr, 60, assessor=asha)
    waiting_evidence(portfolios[0], 60)
    client.force_login(asha)

    response = client.get(URL, {"q": "learner", "page": "2", "learners": "2"})

    body = response.content.decode()
    assert (portfolios_on(response), queue_on(response)) == (10, 10)
    assert 'href="?q=learner&amp;learners=2"' in body  # the queue's first page
    assert 'href="?q=learner&amp;page=2"' in body  # the portfolios' first page
    assert "Waiting 050" in text_of(response) and "Waiting 049" not in text_of(response)


def test_the_search_narrows_both_lists_to_the_learners_found(
    client: Client, asha: User, ocr: Qualification
) -> None:
    portfolios = learners_with_portfolios(asha.centre, ocr, 4, assessor=asha)
    waiting_evidence(portfolios[0], 2)
    waiting_evidence(portfolios[2], 1)
    client.force_login(asha)

    found = client.get(URL, {"q": portfolios[2].learner.uln})

    assert (portfolios_on(found), queue_on(found)) == (1, 1)
    assert "1 of your learner portfolios match" in text_of(found)
    nobody = client.get(URL, {"q": "nobody at all"})
    assert "None of your portfolios matches that search." in text_of(nobody)
    assert "Nothing from these learners is waiting for you." in text_of(nobody)


def test_a_bad_page_of_either_list_gives_its_first_page(
    client: Client, asha: User, ocr: Qualification
) -> None:
    learners_with_portfolios(asha.centre, ocr, 3, assessor=asha)
    client.force_login(asha)

    response = client.get(URL, {"learners": "7", "page": "x"})

    assert response.status_code == 200
    assert portfolios_on(response) == 3
    assert len(messages_of(response)) == 2
