from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class EmailBackend(ModelBackend):
    """Django's model backend, loading the signed-in person with their centre in one query:
    every page shows the centre, so this saves a query on each request."""

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("centre").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
