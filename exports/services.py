"""Asking for a PDF portfolio, and the codes that let anyone verify one."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from exports.models import ExportScope, ExportState, PortfolioExport
from exports.tasks import build_export
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.units import works_towards
from qualifications.models import Unit

# Unambiguous letters and digits: no 0/O or 1/I/L to misread from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


# An export unfinished this long is presumed lost with its worker, and no longer holds a place.
UNFINISHED_FOR_AT_MOST = timedelta(days=1)


def _refuse_too_many_unfinished(*, actor: User, portfolio: Portfolio) -> None:
    """One learner's PDFs cannot fill the export queue: so many at once per portfolio and person."""
    unfinished = PortfolioExport.objects.filter(
        state__in=[ExportState.QUEUED, ExportState.RUNNING],
        requested_at__gte=timezone.now() - UNFINISHED_FOR_AT_MOST,
    )
    if (
        unfinished.filter(portfolio=portfolio).count()
        >= settings.EXPORT_MAX_UNFINISHED_PER_PORTFOLIO
    ):
        raise ActionRefused("A PDF of this portfolio is already being made; wait for it to finish.")
    mine = unfinished.filter(requested_by=actor).count()
    if mine >= settings.EXPORT_MAX_UNFINISHED_PER_PERSON:
        raise ActionRefused(
            f"You already have {mine} PDFs being made; wait for one to finish, then ask again."
        )


@transaction.atomic
def export_request(
    *,
    actor: User,
    portfolio: Portfolio,
    scope: str,
    unit: Unit | None = None,
    background: bool = True,
) -> PortfolioExport:
    """Queue a PDF of the portfolio; the task worker renders it (unless `background` is off:
    then the caller builds it, as `manage.py export_portfolio` does)."""
    if scope not in ExportScope.values:
        raise ActionRefused(
            "Choose what to include: the whole portfolio, one unit, or accepted evidence."
        )
    if scope == ExportScope.UNIT:
        if unit is None or not works_towards(portfolio, unit.pk):
            raise ActionRefused("Choose one of this portfolio's units to export.")
    else:
        unit = None
    # Lock the portfolio and the person so two requests at once cannot both pass the limits.
    Portfolio.objects.select_for_update().filter(pk=portfolio.pk).first()
    User.objects.select_for_update().filter(pk=actor.pk).first()
    _refuse_too_many_unfinished(actor=actor, portfolio=portfolio)
    export = PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=actor,
        scope=scope,
        unit=unit,
        verification_code=new_verification_code(),
    )
    audit_record(
        actor=actor,
        action="export.request",
        obj=export,
        portfolio=portfolio,
        changes={"scope": scope, "unit": unit.reference if unit else None},
    )
    if background:
        transaction.on_commit(lambda: build_export.enqueue(export.pk))
    return export
