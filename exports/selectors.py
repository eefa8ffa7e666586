"""Reads behind the export pages and the build: history, staleness and verification."""

from __future__ import annotations

from django.db.models import Max

from exports.models import ExportState, PortfolioExport
from portfolio.audit import content_changing_codes
from portfolio.models import AuditEntry, Portfolio


def latest_audit_id(portfolio: Portfolio) -> int | None:
    """The newest change to the portfolio's content; asking for a PDF is not a change."""
    return AuditEntry.objects.filter(
        portfolio=portfolio, action__in=content_changing_codes()
    ).aggregate(latest=Max("pk"))["latest"]


def export_history(portfolio: Portfolio, *, limit: int = 50) -> list[PortfolioExport]:
    """The portfolio's latest exports, newest first."""
    return list(
        portfolio.exports.select_related("unit", "requested_by").order_by("-requested_at")[:limit]
    )


def changed_since_last_export(portfolio: Portfolio, history: list[PortfolioExport]) -> bool:
    """Whether the portfolio changed after the newest finished export was made."""
    finished = next((e for e in history if e.state == ExportState.DONE), None)
    return finished is not None and finished.last_audit_id != latest_audit_id(portfolio)


def verified_export(code: str) -> PortfolioExport | None:
    """The finished export with this verification code, if there is one."""
    return (
        PortfolioExport.objects.filter(verification_code=code, state=ExportState.DONE)
        .select_related("portfolio__learner", "portfolio__qualification", "portfolio__centre")
        .first()
    )
