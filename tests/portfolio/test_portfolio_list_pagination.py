"""/portfolios/ sends a page of portfolios, searchable by learner, whatever the centre's size."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.pagination import PER_PAGE
from portfolio.models import Portfolio
from qualifications.models import Qualification
from tests.bulk import learners_with_portfolios
from tests.pages import messages_of, queries_for, text_of

pytestmark = pytest.mark.django_db

URL = reverse("portfolio:portfolio_list")
ROW = re.compile(r'<li class="list-group-item">')
# Session and user, roles, the qualifications to filter by, the count, the page of portfolios,
# and their progress (criteria, units, optional unit choices, criteria met).
LIST_QUERIES = 11


def rows(response: Any) -> int:
    return len(ROW.findall(response.content.decode()))


def test_an_administrator_at_a_centre_of_2000_learners_gets_one_page_of_them(
    client: Client, ada: User, ocr: Qualification
) -> None:
    learners_with_portfolios(ada.centre, ocr, 2000)
    client.force_login(ada)

    response = client.get(URL)

    assert rows(response) == PER_PAGE
    assert len(response.content) < 100_000  # the whole list was 1.3 MB
    assert "2000 portfolios." in text_of(response)
    assert "page 1 of 40" in text_of(response)
    assert 'href="?page=40"' in response.content.decode()
    last = client.get(URL, {"page": "40"})
    assert "Learner 1999" in text_of(last) and rows(last) == PER_PAGE


def test_searching_2000_learners_finds_one_by_name(
    client: Client, ada: User, ocr: Qualification
) -> None:
    learners_with_portfolios(ada.centre, ocr, 2000)
    client.force_login(ada)

    response = client.get(URL, {"q": "learner 1234"})

    assert rows(response) == 1
    assert "Learner 1234 · " in text_of(response)
    assert "1 portfolio matches the search." in text_of(response)


def test_search_finds_a_learner_by_email_and_by_whole_uln_only(
    client: Client, ada: User, ocr: Qualification
) -> None:
    portfolios = learners_with_portfolios(ada.centre, ocr, 5)
    wanted = portfolios[3].learner
    client.force_login(ada)

    assert rows(client.get(URL, {"q": wanted.email.upper()})) == 1
    assert rows(client.get(URL, {"q": wanted.uln})) == 1
    assert rows(client.get(URL, {"q": wanted.uln[:6]})) == 0


def test_page_links_keep_the_search_and_the_qualification(
    client: Client, ada: User, ocr: Qualification
) -> None:
    learners_with_portfolios(ada.centre, ocr, 120)
    client.force_login(ada)

    page = client.get(URL, {"q": "learner", "qualification": ocr.pk, "page": "2"})

    body = page.content.decode()
    assert f'href="?q=learner&amp;qualification={ocr.pk}&amp;page=3"' in body
    assert f'href="?q=learner&amp;qualification={ocr.pk}"' in body  # the first page
    assert re.search(r'<a class="page-link" href="[^"]*page=2" aria-current="page">', body)
    assert "Learner 0050" in text_of(page) and "Learner 0049" not in text_of(page)


@pytest.mark.parametrize("asked", ["0", "-1", "41", "abc", "1e309", str(2**64), "٣"])
def test_a_page_that_does_not_exist_gives_the_first_page_and_says_so(
    client: Client, ada: User, ocr: Qualification, asked: str
) -> None:
    learners_with_portfolios(ada.centre, ocr, 60)
    client.force_login(ada)

    response = client.get(URL, {"page": asked})

    assert response.status_code == 200
    assert "Learner 0000" in text_of(response)
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]


def test_an_unknown_qualification_filter_is_ignored(
    client: Client, ada: User, ocr: Qualification, oscar: User
) -> None:
    learners_with_portfolios(ada.centre, ocr, 3)
    other = Qualification.objects.exclude(pk=ocr.pk).first()
    client.force_login(ada)

    for value in [str(other.pk), "x", str(2**64)]:
        assert rows(client.get(URL, {"qualification": value})) == 3


def test_the_list_runs_the_same_queries_for_3_or_60_portfolios(
    client: Client,
    ada: User,
    ocr: Qualification,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    learners_with_portfolios(ada.centre, ocr, 3, prefix="First")
    client.force_login(ada)
    client.get(URL)
    with django_assert_num_queries(LIST_QUERIES):
        assert rows(client.get(URL)) == 3

    learners_with_portfolios(ada.centre, ocr, 57, prefix="More")
    assert Portfolio.objects.count() == 60
    with django_assert_num_queries(LIST_QUERIES):
        assert rows(client.get(URL)) == PER_PAGE
    assert queries_for(client, URL + "?page=2") == LIST_QUERIES


def test_a_learner_sees_their_own_portfolios_without_a_search_form(
    client: Client, amy: User, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    client.force_login(amy)

    response = client.get(URL)

    assert rows(response) == 1
    assert 'role="search"' not in response.content.decode()
