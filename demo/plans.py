"""Demo assessment plan and three-way progress reviews on Amy's OCR apprenticeship: one item
met, one in progress and one overdue; a review signed by Amy, Asha and Eve, and a later one
still waiting for Eve's signature. All through the services; once there, left alone."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from assessment import services
from assessment.models import PlanMethod
from assessment.services import PlanItemContent
from portfolio.models import Portfolio
from qualifications.models import AssessmentCriterion


def _criteria(portfolio: Portfolio, unit: str, *numbers: str) -> tuple[AssessmentCriterion, ...]:
    return tuple(
        AssessmentCriterion.objects.get(
            unit__reference=unit,
            unit__qualification_links__qualification=portfolio.qualification,
            number=number,
        )
        for number in numbers
    )


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def seed_amy_plan(amy: User, asha: User, eve: User, portfolio: Portfolio) -> None:
    if portfolio.plan_items.exists() or portfolio.progress_reviews.exists():
        return
    items = [
        (
            "Hold your development review with Eve and agree your learning goals",
            PlanMethod.PROFESSIONAL_DISCUSSION,
            _criteria(portfolio, "RS-PDR", "1.1", "1.2", "2.1"),
            _day(-30),
        ),
        (
            "Lead the Saturday team briefing and show how you share out the work",
            PlanMethod.OBSERVATION,
            _criteria(portfolio, "RS-WWO", "1.1", "2.1"),
            _day(30),
        ),
        (
            "Write a reflective account of the customer service improvement you led",
            PlanMethod.PRODUCT_EVIDENCE,
            _criteria(portfolio, "RS-WWO", "3.1"),
            _day(-10),
        ),
    ]
    for activity, method, criteria, target in items:
        services.plan_item_create(
            actor=asha,
            portfolio=portfolio,
            content=PlanItemContent(activity, method, criteria, target),
        )
    first = services.progress_review_create(
        actor=asha,
        portfolio=portfolio,
        held_on=_day(-75),
        progress=(
            "Amy has settled into the shop-floor rota and has uploaded her first evidence. "
            "Her development review with Eve is booked."
        ),
        next_steps=(
            "Hold the development review; start collecting evidence of working with others, "
            "beginning with the Saturday briefings."
        ),
    )
    for person in (amy, eve, asha):
        services.progress_review_sign(actor=person, review=first)
    second = services.progress_review_create(
        actor=asha,
        portfolio=portfolio,
        held_on=_day(-3),
        progress=(
            "The development review is done and its unit's criteria are met. The reflective "
            "account is late: the first draft was referred for more detail."
        ),
        next_steps=(
            "Amy revises the reflective account this week; Asha observes a Saturday briefing "
            "before the end of next month."
        ),
    )
    for person in (amy, asha):
        services.progress_review_sign(actor=person, review=second)
