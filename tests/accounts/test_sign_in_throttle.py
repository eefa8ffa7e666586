"""Repeated wrong passwords lock sign-in for that person from that address, on the shared cache."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str, **extra: str) -> object:
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def fail_repeatedly(client: Client, email: str, times: int, **extra: str) -> None:
    for attempt in range(times):
        sign_in(client, email, f"wrong-{attempt}", **extra)


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client: Client, amy: User) -> None:
    fail_repeatedly(client, amy.email, 30)
    response = sign_in(client, amy.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.text
    minutes = int(settings.SIGN_IN_COOL_OFF_MINUTES)
    assert f"try again in {minutes} minutes" in response.text
    assert reverse("accounts:password_reset") in response.text


def test_the_lockout_starts_at_the_failure_limit_and_not_before(client: Client, amy: User) -> None:
    fail_repeatedly(client, amy.email, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, amy.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    fail_repeatedly(client, amy.email, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, amy.email, PASSWORD).status_code == 429


def test_the_email_in_another_case_counts_against_the_same_person(
    client: Client, amy: User
) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = amy.email.upper() if attempt % 2 else amy.email
        sign_in(client, email, "wrong")
    assert sign_in(client, amy.email.title(), PASSWORD).status_code == 429


def test_a_lockout_holds_one_person_at_one_address_only(
    client: Client, amy: User, ben: User
) -> None:
    fail_repeatedly(client, amy.email, 30)
    # Learners often share one college address: Ben is not held up by Amy's attacker...
    assert sign_in(Client(), ben.email, PASSWORD).status_code == 302
    # ...nor is Amy herself, signing in from somewhere else.
    assert sign_in(Client(), amy.email, PASSWORD, REMOTE_ADDR="192.0.2.44").status_code == 302


def test_a_locked_out_person_can_still_reset_their_password(client: Client, amy: User) -> None:
    fail_repeatedly(client, amy.email, 30)
    client.post(reverse("accounts:password_reset"), {"email": amy.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+/)", mail.outbox[0].body).group(
        1
    )
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Fresh-pass-2026", "new_password2": "Fresh-pass-2026"},
    )
    assert response.status_code == 302
    amy.refresh_from_db()
    assert amy.check_password("Fresh-pass-2026")


def test_the_count_lives_in_the_shared_cache_not_in_one_process(settings: object) -> None:
    backend = settings.CACHES[settings.AXES_CACHE]["BACKEND"]
    assert backend not in {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
    assert settings.AXES_HANDLER == "axes.handlers.cache.AxesCacheHandler"
