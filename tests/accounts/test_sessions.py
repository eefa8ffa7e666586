"""Sessions: how long they last, signing out everywhere, and the headers every page carries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sign_out_everywhere_ends_amys_other_sessions(amy: User, ben: User) -> None:
    phone, laptop, bens = signed_in(amy), signed_in(amy), signed_in(ben)
    assert laptop.get(reverse("dashboards:home")).status_code == 200

    response = phone.post(reverse("accounts:sign_out_everywhere"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert laptop.get(reverse("dashboards:home")).status_code == 302
    assert phone.get(reverse("dashboards:home")).status_code == 302
    # Nobody else is signed out.
    assert bens.get(reverse("dashboards:home")).status_code == 200
    # Amy signs in again as usual.
    again = Client()
    again.force_login(User.objects.get(pk=amy.pk))
    assert again.get(reverse("dashboards:home")).status_code == 200


def test_sign_out_everywhere_is_offered_on_the_password_page(amy: User) -> None:
    page = signed_in(amy).get(reverse("accounts:password_change")).text
    assert f'action="{reverse("accounts:sign_out_everywhere")}"' in page
    assert "Sign out everywhere" in page


def test_sign_out_everywhere_needs_a_post(amy: User) -> None:
    client = signed_in(amy)
    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(amy: User) -> None:
    here, elsewhere = signed_in(amy), signed_in(amy)
    here.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "N3w-pass-phrase",
            "new_password2": "N3w-pass-phrase",
        },
    )
    assert here.get(reverse("dashboards:home")).status_code == 200
    assert elsewhere.get(reverse("dashboards:home")).status_code == 302


def test_every_page_denies_powerful_browser_features(client: Client, amy: User) -> None:
    for response in (
        client.get(reverse("accounts:login")),
        signed_in(amy).get(reverse("dashboards:home")),
    ):
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy
