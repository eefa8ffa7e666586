from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


class EmailBackend(ModelBackend):
    """Django's model backend, loading the signed-in person with their centre in one query:
    every page shows the centre, so this saves a query on each request."""

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("centre").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes's lockout check on every sign-in through a request.

    A sign-in without a request (the test client's login(), the shell) comes from code on the
    server, not from a visitor, so there is nothing to count it against.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def sign_in_email(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email the lockout counts against, in lower case as sign-in matches it."""
    source = credentials if credentials else request.POST
    email = source.get("username")
    return email.strip().lower() if isinstance(email, str) else None
