"""The address throttles count by: REMOTE_ADDR, or the trusted proxy's header when configured."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.client_address import client_address
from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FORWARDED = "HTTP_X_FORWARDED_FOR"


def test_without_a_configured_header_the_connection_address_counts(settings: object) -> None:
    settings.CLIENT_IP_HEADER = ""
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", **{FORWARDED: "203.0.113.1"})
    assert client_address(request) == "198.51.100.4"


def test_with_a_configured_header_the_address_the_proxy_appended_counts(
    settings: object,
) -> None:
    settings.CLIENT_IP_HEADER = FORWARDED
    # The client may send any X-Forwarded-For it likes; the proxy appends the real address last.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", **{FORWARDED: "203.0.113.1, 6.6.6.6 , 198.51.100.4"}
    )
    assert client_address(request) == "198.51.100.4"


def test_with_a_configured_header_missing_the_connection_address_counts(
    settings: object,
) -> None:
    settings.CLIENT_IP_HEADER = FORWARDED
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def sign_in(client: Client, email: str, password: str, forwarded: str) -> int:
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        **{FORWARDED: forwarded},
    ).status_code


def test_a_forged_forwarded_header_does_not_escape_the_sign_in_lockout(
    settings: object, amy: User
) -> None:
    settings.CLIENT_IP_HEADER = ""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), amy.email, "wrong", forwarded=f"203.0.113.{attempt}")
    assert sign_in(Client(), amy.email, PASSWORD, forwarded="203.0.113.200") == 429


def test_behind_a_trusted_proxy_the_lockout_is_per_forwarded_address(
    settings: object, amy: User
) -> None:
    settings.CLIENT_IP_HEADER = FORWARDED
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), amy.email, "wrong", forwarded="spoofed, 203.0.113.9")
    assert sign_in(Client(), amy.email, PASSWORD, forwarded="203.0.113.9") == 429
    # Everyone comes through the proxy's one address; another client is not held up.
    assert sign_in(Client(), amy.email, PASSWORD, forwarded="203.0.113.10") == 302


def test_verify_counts_by_the_same_address(settings: object, client: Client) -> None:
    settings.CLIENT_IP_HEADER = FORWARDED
    url = reverse("exports:verify")
    for attempt in range(10):
        client.get(url, {"code": f"2345-6789-{attempt:04d}"}, **{FORWARDED: "x, 203.0.113.9"})
    limited = client.get(url, {"code": "2345-6789-ZZZZ"}, **{FORWARDED: "203.0.113.9"})
    assert limited.status_code == 429
    other = client.get(url, {"code": "2345-6789-ZZZZ"}, **{FORWARDED: "203.0.113.10"})
    assert other.status_code == 200
