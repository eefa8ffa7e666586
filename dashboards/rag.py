"""RAG status: actual progress compared with the time elapsed between start and planned end."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models


class Rag(models.TextChoices):
    GREEN = "green", "On track"
    AMBER = "amber", "Behind"
    RED = "red", "At risk"


RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def elapsed_percent(start: datetime.date, planned_end: datetime.date, today: datetime.date) -> int:
    """Share of the planned time gone, 0–100."""
    total = (planned_end - start).days
    if total <= 0:
        return 100
    return max(0, min(100, round(100 * (today - start).days / total)))


def rag_status(
    *,
    percent_met: int,
    start: datetime.date,
    planned_end: datetime.date,
    today: datetime.date,
    complete: bool = False,
    choice_meets_rules: bool = True,
) -> Rag:
    """On track, behind or at risk. Every criterion met counts as on track only while the
    units chosen meet the rules of combination: otherwise more units are still to be taken."""
    if complete or (percent_met >= 100 and choice_meets_rules):
        return Rag.GREEN
    if today > planned_end:
        return Rag.RED
    shortfall = elapsed_percent(start, planned_end, today) - percent_met
    if shortfall <= settings.RAG_BEHIND_MARGIN:
        return Rag.GREEN
    if shortfall <= settings.RAG_AT_RISK_MARGIN:
        return Rag.AMBER
    return Rag.RED


def explanation() -> str:
    return (
        "RAG compares the share of criteria met with the share of the learner’s planned time "
        "that has passed (from their start date to their planned end date). On track: no more "
        f"than {settings.RAG_BEHIND_MARGIN} percentage points behind time. Behind: up to "
        f"{settings.RAG_AT_RISK_MARGIN} points behind. At risk: further behind than that, or "
        "past the planned end without finishing. A learner with every criterion of their units "
        "met is on track, as long as the units they have chosen meet the rules of combination."
    )
