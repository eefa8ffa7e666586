from __future__ import annotations

from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = "Cohorts and enrolment"

    def ready(self) -> None:
        """Register how this app's audit entries read, before any service records one."""
        from enrolment import audit_actions  # noqa: F401
