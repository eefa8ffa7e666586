"""Who may manage cohorts and enrolment: centre administrators, within their own centre.

Another centre's cohort or portfolio is a 404, so its existence is never confirmed; anyone
who is not an administrator gets a 403. Services ask `is_centre_admin` too and refuse in their
own words, so the rule holds whichever way a change arrives.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from cohorts.models import Cohort
from enrolment.selectors import PORTFOLIO_PEOPLE
from portfolio.models import EqaGrant, Portfolio


def is_centre_admin(user: User) -> bool:
    return user.centre_id is not None and user.has_role(Role.CENTRE_ADMIN)


def require_centre_admin(user: User) -> None:
    if not is_centre_admin(user):
        raise PermissionDenied("Only centre administrators can manage cohorts and enrolment.")


def get_cohort_to_manage(user: User, pk: int) -> Cohort:
    require_centre_admin(user)
    return get_object_or_404(Cohort.objects.filter(centre_id=user.centre_id), pk=pk)


def get_portfolio_to_manage(user: User, pk: int) -> Portfolio:
    require_centre_admin(user)
    queryset = Portfolio.objects.filter(centre_id=user.centre_id).select_related(*PORTFOLIO_PEOPLE)
    return get_object_or_404(queryset, pk=pk)


def get_eqa_grant_to_manage(user: User, pk: int) -> EqaGrant:
    require_centre_admin(user)
    queryset = EqaGrant.objects.filter(centre_id=user.centre_id).select_related(
        "assurer", "granted_by", "revoked_by"
    )
    return get_object_or_404(queryset, pk=pk)
