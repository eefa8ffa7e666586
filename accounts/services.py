"""Changes to a person's own account."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from accounts.models import User


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session this person has, on any device, by raising their session version."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
