"""Who may open cohort dashboards and the centre overview.

Another centre's cohort is a 404, so its existence is never confirmed; a page a role is not
for is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from cohorts.models import Cohort


def can_see_cohorts(user: User) -> bool:
    return user.has_role(Role.TUTOR, Role.CENTRE_ADMIN, Role.IQA)


def require_cohort_role(user: User) -> None:
    if not can_see_cohorts(user):
        raise PermissionDenied("Cohort dashboards are for tutors, IQAs and administrators.")


def require_overview_role(user: User) -> None:
    if not user.has_role(Role.CENTRE_ADMIN, Role.IQA):
        raise PermissionDenied("The centre overview is for administrators and IQAs.")


def get_cohort_for(user: User, pk: int) -> Cohort:
    """A cohort the person teaches (or, for administrators and IQAs, of their centre): else 404."""
    require_cohort_role(user)
    return get_object_or_404(
        Cohort.objects.visible_to(user).select_related("qualification").prefetch_related("tutors"),
        pk=pk,
    )
