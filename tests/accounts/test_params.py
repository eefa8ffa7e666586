"""Ids from requests: only ASCII digits within a primary key's range are ids."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.notifications import notify
from accounts.params import LARGEST_ID, id_or_none, ids, search_words


@pytest.mark.parametrize("value", ["1", "42", str(LARGEST_ID)])
def test_ascii_digits_in_range_are_ids(value: str) -> None:
    assert id_or_none(value) == int(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "0",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1.0",
        "1e3",
        "²",
        "٣",
        "１",
        "\x00",
        "\u202e1",
        str(LARGEST_ID + 1),
        str(2**64),
        "9" * 10_000,
    ],
)
def test_anything_else_is_not_an_id(value: str | None) -> None:
    assert id_or_none(value) is None


def test_ids_keeps_the_good_ones_in_order() -> None:
    assert ids(["3", "²", "1", str(2**63), "x", "2"]) == [3, 1, 2]


@pytest.mark.parametrize("sent", [[str(2**63)], ["²"], ["not-an-id"], [str(2**63), "²"]])
def test_marking_read_with_ids_that_are_not_ids_marks_nothing(
    client: Client, amy: User, sent: list[str]
) -> None:
    """A hostile id is neither a server error nor taken as "mark all read"."""
    for message in ("First", "Second"):
        notify(recipient=amy, message=message, link="/")
    client.force_login(amy)

    response = client.post(reverse("accounts:notifications_read"), {"id": sent})

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=amy, read_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("typed", "searched"),
    [("  Amy ", "Amy"), ("A\x00my", "Amy"), ("\x00", ""), (None, ""), ("x" * 500, "x" * 100)],
)
def test_search_words_are_trimmed_bounded_and_free_of_nul(typed: str | None, searched: str) -> None:
    assert search_words(typed) == searched
