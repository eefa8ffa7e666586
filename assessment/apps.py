from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment and quality assurance"

    def ready(self) -> None:
        """Register how this app's audit entries read, before any service records one."""
        from assessment import audit_actions  # noqa: F401
