from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "PDF portfolios and verification"

    def ready(self) -> None:
        """Register how this app's audit entries read, before any service records one."""
        from exports import audit_actions  # noqa: F401
