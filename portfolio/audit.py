"""The one way to write an audit entry; called by services and importers, never by views."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import User
from portfolio.models import AuditEntry, Portfolio


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    portfolio: Portfolio | None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        portfolio=portfolio,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )
