"""Who may open which people pages. Every lookup of a person goes through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role, User

# Roles that look after a centre's people and may read its directory.
DIRECTORY_ROLES = (Role.CENTRE_ADMIN, Role.IQA)


def can_browse_people(user: User) -> bool:
    return user.has_role(*DIRECTORY_ROLES)


def require_people_access(user: User) -> None:
    if not can_browse_people(user):
        raise PermissionDenied("Only centre administrators and IQAs can open the people list.")


def get_person_for(user: User, pk: int) -> User:
    """A person of the viewer's own centre; anyone else is a 404."""
    require_people_access(user)
    return get_object_or_404(User.objects.visible_to(user).prefetch_related("memberships"), pk=pk)
