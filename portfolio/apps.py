from __future__ import annotations

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolios and evidence"

    def ready(self) -> None:
        """Register how this app's audit entries read, before any service records one."""
        from portfolio import audit_actions  # noqa: F401
        from portfolio.selectors import accepted_mappings_by_criterion
        from qualifications.usage import register_accepted_counter

        register_accepted_counter(accepted_mappings_by_criterion)
