"""Assessor's records made through the services, shared by the tests of pages, PDF and audit."""

from __future__ import annotations

import datetime
import zoneinfo

from accounts.models import User
from assessment import services
from portfolio.models import AssessorRecord, EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion

WHEN = datetime.datetime(2025, 10, 14, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def observation_content(
    *criteria: AssessmentCriterion, title: str = "Observed at the tills"
) -> services.RecordContent:
    return services.RecordContent(
        title=title,
        location="Northgate store, tills",
        occurred_at=WHEN,
        observed="Amy greeted each customer and resolved a refund calmly.",
        judgement="Competent: every step followed the store procedure.",
        criteria=tuple(criteria),
    )


def discussion_content(*criteria: AssessmentCriterion) -> services.RecordContent:
    return services.RecordContent(
        title="Discussion of customer service",
        location="Training room",
        occurred_at=WHEN,
        judgement="Sound understanding of the complaints policy.",
        criteria=tuple(criteria),
        discussion=(
            ("Why does the store log complaints?", "So trends show and are fixed."),
            ("Who do you escalate to?", "The duty manager, then head office."),
        ),
    )


def observe(assessor: User, portfolio: Portfolio, *criteria: AssessmentCriterion) -> AssessorRecord:
    return services.record_create(
        actor=assessor,
        portfolio=portfolio,
        type=EvidenceType.OBSERVATION,
        content=observation_content(*criteria),
    )
