"""The invitation a new learner is mailed: a link to choose a password, sent by the task worker
once the enrolment that created their account has been committed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import mailers
from django.db import transaction
from django.db.models import Prefetch
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.mail import mail_message, site_url
from accounts.models import User
from portfolio.models import Portfolio

# Invitations are mailed by the task worker in batches, so one failure resends few.
INVITATIONS_PER_TASK = 200


def invite_on_commit(users: Sequence[User]) -> None:
    """Mail each new learner (or employer contact) a link to choose a password, once the
    enrolment is committed."""
    ids = [user.pk for user in users]
    if not ids:
        return

    def enqueue() -> None:
        for batch in itertools.batched(ids, INVITATIONS_PER_TASK):
            send_invitations.enqueue(list(batch))

    transaction.on_commit(enqueue)


def invitation_link(user: User) -> str:
    """The set-password page for this person, absolute, valid until they use it or it expires."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url(path)


@task
def send_invitations(user_ids: list[int]) -> int:
    """Mail the invitation to each of these people who has not yet chosen a password."""
    portfolios = Portfolio.objects.select_related("qualification").order_by("qualification__title")
    people = (
        User.objects.filter(pk__in=user_ids, is_active=True, last_login__isnull=True)
        .select_related("centre")
        .prefetch_related(
            Prefetch("portfolios", queryset=portfolios),
            Prefetch(
                "apprentice_portfolios",
                queryset=portfolios.select_related("learner").filter(is_apprenticeship=True),
            ),
        )
    )
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    invitations = [
        mail_message(
            template="enrolment/invitation_email",
            subject=f"Your evidence portfolio at {person.centre}",
            to=[person.email],
            context={
                "learner": person,
                "qualifications": [p.qualification for p in person.portfolios.all()],
                "apprentices": [p.learner for p in person.apprentice_portfolios.all()],
                "link": invitation_link(person),
                "days": days,
                "sign_in": site_url(reverse("accounts:login")),
            },
        )
        for person in people
        if not person.has_usable_password()
    ]
    if invitations:
        mailers.default.send_messages(invitations)
    return len(invitations)
