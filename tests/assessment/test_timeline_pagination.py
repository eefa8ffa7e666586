"""The audit timeline shows a page of entries, oldest first, numbered through the whole
timeline; the CSV still has every entry."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.pagination import PER_PAGE
from portfolio.models import AuditEntry, Portfolio
from tests.pages import csv_rows, messages_of, text_of

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 9, 1, 9, 0, tzinfo=datetime.UTC)
# Session, user and roles, the portfolio and who may read its timeline, the count, the page of
# entries with their people, and the unread notifications.
TIMELINE_QUERIES = 7
ENTRY = re.compile(r'<li class="list-group-item d-flex align-items-start gap-2">')


def add_entries(portfolio: Portfolio, actor: User, count: int, first: int = 0) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=START + datetime.timedelta(minutes=n),
            actor=actor,
            action="evidence.create",
            portfolio=portfolio,
            object_type="evidence",
            object_id=str(n),
            object_repr=f"Evidence {n:03d}",
        )
        for n in range(first, first + count)
    )


def url(portfolio: Portfolio) -> str:
    return reverse("assessment:portfolio_timeline", args=[portfolio.pk])


def entries_on(response: Any) -> int:
    return len(ENTRY.findall(response.content.decode()))


def test_the_timeline_runs_the_same_queries_for_3_or_60_entries(
    client: Client,
    asha: User,
    amy: User,
    amy_portfolio: Portfolio,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    add_entries(amy_portfolio, amy, 3)
    client.force_login(asha)
    client.get(url(amy_portfolio))
    with django_assert_num_queries(TIMELINE_QUERIES):
        assert entries_on(client.get(url(amy_portfolio))) == 3

    add_entries(amy_portfolio, amy, 57, first=3)
    with django_assert_num_queries(TIMELINE_QUERIES):
        assert entries_on(client.get(url(amy_portfolio))) == PER_PAGE


def test_the_second_page_goes_on_from_the_first_and_is_numbered_from_51(
    client: Client, asha: User, amy: User, amy_portfolio: Portfolio
) -> None:
    add_entries(amy_portfolio, amy, 60)
    client.force_login(asha)

    first = client.get(url(amy_portfolio))
    second = client.get(url(amy_portfolio), {"page": "2"})

    assert "Evidence 049" in text_of(first) and "Evidence 050" not in text_of(first)
    assert entries_on(second) == 10
    assert '<ol class="list-group" start="51">' in second.content.decode()
    assert "51.</span>" in second.content.decode()
    assert "Evidence 050" in text_of(second) and "Evidence 049" not in text_of(second)
    assert "51 to 60 of 60, page 2 of 2" in text_of(second)


def test_the_csv_has_every_entry_whatever_the_page(
    client: Client, asha: User, amy: User, amy_portfolio: Portfolio
) -> None:
    add_entries(amy_portfolio, amy, 60)
    client.force_login(asha)

    response = client.get(url(amy_portfolio), {"format": "csv", "page": "2"})

    assert len(csv_rows(response)) == 1 + 60


def test_a_page_past_the_end_gives_the_first(
    client: Client, asha: User, amy: User, amy_portfolio: Portfolio
) -> None:
    add_entries(amy_portfolio, amy, 3)
    client.force_login(asha)

    response = client.get(url(amy_portfolio), {"page": "4"})

    assert entries_on(response) == 3
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]
