from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for email addresses."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email address and password do not match an account. "
            "Check both and try again, or reset your password."
        ),
    }


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Django's reset form, also for people invited by their centre who never set a password.

    Django skips accounts without a usable password; here an expired invitation can be renewed
    by asking for a reset, so nobody is locked out of an account made for them.
    """

    def get_users(self, email: str) -> Iterator:
        return (
            user
            for user in get_user_model()._default_manager.filter(
                email__iexact=email, is_active=True
            )
        )
