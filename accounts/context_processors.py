from __future__ import annotations

from django.http import HttpRequest

from accounts.access import can_browse_people
from accounts.models import Notification, Role


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation bar needs: which sections to show and the unread count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_people": can_browse_people(user),
        "nav_caseload": user.has_role(Role.ASSESSOR),
        "nav_iqa": user.has_role(Role.IQA),
        "nav_cohorts": user.has_role(Role.TUTOR, Role.CENTRE_ADMIN, Role.IQA),
        "nav_overview": user.has_role(Role.CENTRE_ADMIN, Role.IQA),
        "nav_enrolment": user.has_role(Role.CENTRE_ADMIN),
        "unread_notifications": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count(),
    }
