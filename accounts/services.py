"""Changes to a person's own account: their sessions and their assessor/IQA credentials."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Credential, CredentialAction, CredentialChange, Role, User

CREDENTIAL_ROLES = (Role.ASSESSOR, Role.IQA)


class CredentialRefused(Exception):
    """A credential change the rules do not allow; .message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session this person has, on any device, by raising their session version."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)


def can_hold_credentials(user: User) -> bool:
    """Assessors and IQAs record the qualifications that let them assess and quality-assure."""
    return user.has_role(*CREDENTIAL_ROLES)


def describe(credential: Credential) -> str:
    """The credential in one line, as the change log keeps it after the row is gone."""
    parts = [credential.title, credential.awarding_body, f"achieved {credential.achieved_on}"]
    if credential.certificate_number:
        parts.append(f"certificate {credential.certificate_number}")
    if credential.expires_on:
        parts.append(f"expires {credential.expires_on}")
    return ", ".join(parts)


def _lock_person(user: User) -> User:
    # One change at a time per person, so the log's order is the order things happened.
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def credential_add(
    *,
    actor: User,
    title: str,
    awarding_body: str,
    achieved_on: datetime.date,
    certificate_number: str = "",
    expires_on: datetime.date | None = None,
) -> Credential:
    """Record one of the actor's own assessor or IQA qualifications, and log it."""
    if not can_hold_credentials(actor):
        raise CredentialRefused("Only assessors and IQAs record assessing credentials.")
    title, awarding_body = title.strip(), awarding_body.strip()
    if not title or not awarding_body:
        raise CredentialRefused("Give the credential's title and its awarding body.")
    if achieved_on > timezone.localdate():
        raise CredentialRefused("The date achieved cannot be in the future.")
    if expires_on is not None and expires_on <= achieved_on:
        raise CredentialRefused("The expiry date must come after the date achieved.")
    person = _lock_person(actor)
    credential = Credential.objects.create(
        person=person,
        title=title,
        awarding_body=awarding_body,
        achieved_on=achieved_on,
        certificate_number=certificate_number.strip(),
        expires_on=expires_on,
    )
    CredentialChange.objects.create(
        person=person, actor=actor, action=CredentialAction.ADD, described=describe(credential)
    )
    return credential


@transaction.atomic
def credential_remove(*, actor: User, credential: Credential) -> None:
    """Take one of the actor's own credentials off their record; the log keeps what it said."""
    person = _lock_person(actor)
    credential = Credential.objects.filter(pk=credential.pk, person=person).first()
    if credential is None:
        raise CredentialRefused("That credential is not on your record, or was already removed.")
    CredentialChange.objects.create(
        person=person, actor=actor, action=CredentialAction.REMOVE, described=describe(credential)
    )
    credential.delete()
