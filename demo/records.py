"""Demo assessor's records on Amy's OCR portfolio: an observation and a professional discussion,
written by her assessor, acknowledged by Amy, mapped and accepted, all through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from assessment import services
from assessment.models import Outcome
from assessment.services import DecisionRequest, RecordContent, Vacsr
from portfolio.models import AssessorRecord, EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion


def _criteria(portfolio: Portfolio, *numbers: str) -> tuple[AssessmentCriterion, ...]:
    return tuple(
        AssessmentCriterion.objects.get(
            unit__reference="RS-WWO",
            unit__qualification_links__qualification=portfolio.qualification,
            number=number,
        )
        for number in numbers
    )


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _acknowledge_and_accept(learner: User, assessor: User, record: AssessorRecord) -> None:
    services.record_acknowledge(actor=learner, record=record)
    services.mappings_decide(
        actor=assessor,
        evidence=record.evidence,
        requests=[
            DecisionRequest(
                mapping_id=mapping.pk,
                outcome=Outcome.ACCEPTED,
                feedback="",
                seen_submitted_at=mapping.submitted_at,
                vacsr=Vacsr.confirmed(),
            )
            for mapping in record.evidence.mappings.all()
        ],
    )


def seed_amy_records(amy: User, portfolio: Portfolio) -> None:
    """Once only: a portfolio that already holds an assessor's record is left as it is."""
    assessor = portfolio.assessor
    if assessor is None or AssessorRecord.objects.filter(evidence__portfolio=portfolio).exists():
        return
    observation = services.record_create(
        actor=assessor,
        portfolio=portfolio,
        type=EvidenceType.OBSERVATION,
        content=RecordContent(
            title="Observed leading the Monday team huddle",
            location="Northgate store, staff room",
            occurred_at=_at(10, 8, 45),
            observed=(
                "Amy opened the huddle with last week's customer comments, asked each of the "
                "four colleagues for one idea, and noted who would do what. When two colleagues "
                "disagreed about queue cover she summarised both views and the team chose one."
            ),
            judgement=(
                "Competent. Amy took an active part in the team discussion, drew in quieter "
                "colleagues and turned the discussion into actions: this meets 1.2 and 5.1."
            ),
            criteria=_criteria(portfolio, "1.2", "5.1"),
        ),
    )
    discussion = services.record_create(
        actor=assessor,
        portfolio=portfolio,
        type=EvidenceType.PROFESSIONAL_DISCUSSION,
        content=RecordContent(
            title="Discussion: improving service with the team",
            location="Northgate store, training room",
            occurred_at=_at(9, 14, 30),
            judgement=(
                "Amy linked the team's work to customer outcomes with figures, and explained how "
                "she adapts to colleagues' working styles: this meets 4.1 and 4.2."
            ),
            criteria=_criteria(portfolio, "4.1", "4.2"),
            discussion=(
                (
                    "How do you share what customers tell you with the rest of the team?",
                    "At the Monday huddle and on the feedback board; urgent issues go straight "
                    "to the duty manager.",
                ),
                (
                    "Give an example of a change the team made because of that feedback.",
                    "Opening a second till when the queue passes five people; complaints about "
                    "waiting fell from nine to three a week.",
                ),
                (
                    "What is hard about improving service as a team rather than alone?",
                    "People work differently: Sam likes a written plan, Priya prefers to talk it "
                    "through, so I give the plan on paper and go over it at the huddle.",
                ),
            ),
        ),
    )
    for record in (observation, discussion):
        _acknowledge_and_accept(amy, assessor, record)
