"""Who may read what in the catalogue. The specifications themselves are for everyone signed
in; comparing versions is for the people who decide what a revision means for learners."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Role, User

# Administrators move portfolios between versions; assessors and IQAs judge the evidence.
VERSION_READERS = (Role.CENTRE_ADMIN, Role.ASSESSOR, Role.IQA)


def can_compare_versions(user: User) -> bool:
    return user.is_authenticated and user.has_role(*VERSION_READERS)


def require_version_reader(user: User) -> None:
    if not can_compare_versions(user):
        raise PermissionDenied(
            "Only centre administrators, assessors and IQAs compare versions of a qualification."
        )
