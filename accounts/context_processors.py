from __future__ import annotations

from django.http import HttpRequest

from accounts.access import can_browse_people


def navigation(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_people": False}
    return {"nav_people": can_browse_people(user)}
