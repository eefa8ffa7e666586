"""The people in the tests, named as STYLE.md names them, with predictable email addresses."""

from __future__ import annotations

from accounts.models import Centre, User
from tests.factories import UserFactory


def person(centre: Centre, name: str, *roles: str) -> User:
    """Someone at the centre, e.g. "Amy Archer" becomes amy@northgate.test."""
    email = f"{name.split()[0].lower()}@{centre.name.split()[0].lower()}.test"
    return UserFactory(email=email, full_name=name, centre=centre, roles=list(roles))
