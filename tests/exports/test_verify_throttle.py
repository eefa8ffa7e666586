"""/verify/ counts checks in the shared cache, so every web process sees the same count."""

from __future__ import annotations

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def check(client: Client, attempt: int) -> int:
    return client.get(reverse("exports:verify"), {"code": f"2345-6789-{attempt:04d}"}).status_code


def test_checks_are_counted_where_every_web_process_reads_them(
    client: Client, settings: object
) -> None:
    # Another web process opens cache objects of its own, on the same database table.
    other_process = DatabaseCache(settings.CACHES["default"]["LOCATION"], {})
    for attempt in range(10):
        assert check(client, attempt) == 200
    assert check(client, 10) == 429
    # When the other process forgets every count, this one is let through again: one store.
    other_process.clear()
    assert check(client, 11) == 200
