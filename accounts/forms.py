from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string

from accounts.mail import mail_message
from accounts.models import Role

logger = logging.getLogger(__name__)


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
            for user in get_user_model()
            ._default_manager.filter(email__iexact=email, is_active=True)
            # An external quality assurer's guest account signs in only by its emailed link.
            .exclude(memberships__role=Role.EQA)
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """The reset link as every other mail's: text and HTML, on `SITE_URL`, not on whatever
        host the request named."""
        subject = render_to_string(subject_template_name, context)
        message = mail_message(
            template=email_template_name.removesuffix(".txt"),
            subject=subject,
            to=[to_email],
            context=context,
        )
        try:
            message.send()
        except Exception:
            # As Django's own form: a mail server that is down must not tell who has an account.
            logger.exception("Failed to send password reset email to %s", context["user"].pk)


class CredentialForm(forms.Form):
    """One assessor or IQA qualification; the service checks the rules again."""

    title = forms.CharField(
        max_length=200,
        help_text="As on the certificate, e.g. Level 3 Certificate in Assessing Vocational "
        "Achievement (CAVA).",
    )
    awarding_body = forms.CharField(max_length=200, help_text="e.g. City & Guilds, Pearson.")
    achieved_on = forms.DateField(
        label="Date achieved", widget=forms.DateInput(attrs={"type": "date"})
    )
    certificate_number = forms.CharField(
        max_length=100, required=False, label="Certificate number (optional)"
    )
    expires_on = forms.DateField(
        required=False,
        label="Expiry date (optional)",
        help_text="Only if the credential lapses.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
