"""Notifications page through the shared helper, newest first, in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from tests.pages import text_of

pytestmark = pytest.mark.django_db

URL = reverse("accounts:notification_list")
# Session, user and roles, the unread count, the count of all, and the page of them.
NOTIFICATION_QUERIES = 6


def notify(person: User, count: int, first: int = 0) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            message=f"Message {n:03d}",
            link="/",
            created_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(first, first + count)
    )


def test_notifications_run_the_same_queries_for_3_or_60(
    client: Client, amy: User, django_assert_num_queries: Callable[..., Any]
) -> None:
    notify(amy, 3)
    client.force_login(amy)
    client.get(URL)
    with django_assert_num_queries(NOTIFICATION_QUERIES):
        assert client.get(URL).content.decode().count('">Message 0') == 3

    notify(amy, 57, first=3)
    with django_assert_num_queries(NOTIFICATION_QUERIES):
        first = client.get(URL)
    assert "Message 049" in text_of(first) and "Message 050" not in text_of(first)
    second = client.get(URL, {"page": "2"})
    assert "Message 050" in text_of(second) and "51 to 60 of 60" in text_of(second)
