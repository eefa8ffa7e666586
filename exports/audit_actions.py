"""The audit action the exports app records: asking for a PDF, which changes no content."""

from __future__ import annotations

from exports.models import ExportScope
from portfolio.audit import AuditAction, Field, before_after, choice, register

register(
    AuditAction(
        "export.request",
        "Asked for a PDF portfolio",
        changes_content=False,
        details=before_after(scope=Field("Contents", choice(ExportScope, lower=True))),
    ),
)
