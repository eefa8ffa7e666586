"""The evidence library pages through the shared helper: page links keep the filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portfolio.models import MappingStatus, Portfolio
from tests.bulk import waiting_evidence
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db


def test_page_links_keep_the_evidence_filters(
    client: Client, amy: User, amy_portfolio: Portfolio
) -> None:
    waiting_evidence(amy_portfolio, 60)
    client.force_login(amy)
    url = reverse("portfolio:evidence_library", args=[amy_portfolio.pk])

    response = client.get(url, {"q": "waiting", "status": MappingStatus.SUBMITTED})

    assert "60 pieces of evidence match the filter." in text_of(response)
    assert 'href="?q=waiting&amp;status=submitted&amp;page=2"' in response.content.decode()
    second = client.get(url, {"q": "waiting", "status": "submitted", "page": "2"})
    assert second.content.decode().count('href="/evidence/') == 10


def test_a_bad_page_of_evidence_gives_the_first(
    client: Client, amy: User, amy_portfolio: Portfolio
) -> None:
    waiting_evidence(amy_portfolio, 2)
    client.force_login(amy)
    url = reverse("portfolio:evidence_library", args=[amy_portfolio.pk])

    response = client.get(url, {"page": "5"})

    assert response.content.decode().count('href="/evidence/') == 2
    assert messages_of(response) == [
        "That page of the list does not exist, so this is the first page."
    ]
