"""Reads behind the people directory and the notification list, scoped to the viewer."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Membership, Notification, Role, User


def people_directory(viewer: User, *, query: str = "", role: str = "") -> QuerySet[User]:
    """People at the viewer's centre by name, with their roles, filtered by name, email or
    whole ULN and by role."""
    people = (
        User.objects.visible_to(viewer)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.order_by("role")), "credentials"
        )
        .order_by("full_name", "pk")
    )
    if query:
        people = people.filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(uln=query)
        )
    if role in Role.values:
        people = people.filter(memberships__role=role)
    return people


def notifications_for(person: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-pk")
