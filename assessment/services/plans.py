"""The assessment plan and progress reviews: the assessor writes plan items and reviews; each
party signs a review in the exact words shown to them. Whether an item is met and when a review
is due are assessment/plans.py's rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from accounts.notifications import notify
from assessment import plans
from assessment.models import (
    PlanItem,
    PlanMethod,
    ProgressReview,
    ReviewParty,
    ReviewSignature,
)
from assessment.services.actors import refuse_unless_assessor
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.units import portfolio_unit_ids
from qualifications.models import AssessmentCriterion

REVIEW_WORDING = (
    "I, {name}, {as_party}, agree that this is a true record of the progress review of "
    "{learner}’s {qualification} held on {held_on}, and I agree to what it says comes next."
)
AS_PARTY = {
    ReviewParty.LEARNER: "the learner",
    ReviewParty.EMPLOYER: "the employer’s representative",
    ReviewParty.PROVIDER: "assessor for the training provider",
}


@dataclass(frozen=True)
class PlanItemContent:
    """What the assessor wrote for one plan item, as the form collected it."""

    activity: str
    method: str
    criteria: tuple[AssessmentCriterion, ...]
    target_date: datetime.date


def review_wording(person: User, party: ReviewParty, review: ProgressReview) -> str:
    """The words a party signs, shown on the page and stored as they were shown."""
    portfolio = review.portfolio
    return REVIEW_WORDING.format(
        name=person.full_name,
        as_party=AS_PARTY[party],
        learner=portfolio.learner.full_name,
        qualification=portfolio.qualification.title,
        held_on=date_format(review.held_on, "j F Y"),
    )


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "assessor", "employer", "qualification")
        .get(pk=portfolio.pk)
    )


def _codes(criteria: Iterable[AssessmentCriterion]) -> list[str]:
    return sorted(c.reference for c in criteria)


def _check_item(content: PlanItemContent, portfolio: Portfolio) -> None:
    """Every refusal a plan item can meet, before anything is written."""
    if not content.activity.strip():
        raise ActionRefused("Describe the activity the learner will carry out.")
    if content.method not in PlanMethod.values:
        raise ActionRefused("Choose how the activity will be assessed.")
    if not content.criteria:
        raise ActionRefused("Choose at least one criterion this activity should cover.")
    allowed = set(portfolio_unit_ids(portfolio))
    for criterion in content.criteria:
        if criterion.unit_id not in allowed:
            raise ActionRefused(
                f"Criterion {criterion.reference} is not in a unit this "
                "portfolio works towards: choose criteria of its own units."
            )


def _describe(item: PlanItem, criteria: Iterable[AssessmentCriterion]) -> dict[str, object]:
    """The item as the audit keeps it."""
    return {
        "activity": item.activity,
        "method": item.method,
        "criteria": _codes(criteria),
        "target": item.target_date.isoformat(),
    }


def _refuse_if_met(item: PlanItem) -> None:
    if plans.plan_item_met(item):
        raise ActionRefused(
            "This plan item is met: every criterion it covers has accepted evidence, so it stays "
            "as it was agreed. Add a new item for further work."
        )


@transaction.atomic
def plan_item_create(*, actor: User, portfolio: Portfolio, content: PlanItemContent) -> PlanItem:
    """The assessor adds an activity to the learner's plan."""
    portfolio = _lock_portfolio(portfolio)
    refuse_unless_assessor(actor, portfolio)
    _check_item(content, portfolio)
    item = PlanItem.objects.create(
        portfolio=portfolio,
        activity=content.activity.strip(),
        method=content.method,
        target_date=content.target_date,
        created_by=actor,
    )
    item.criteria.set(content.criteria)
    audit_record(
        actor=actor,
        action="plan_item.create",
        obj=item,
        portfolio=portfolio,
        changes={"after": _describe(item, content.criteria)},
    )
    notify(
        recipient=portfolio.learner,
        message=f"{actor} added to your assessment plan: {item.activity[:120]}",
        link=reverse("assessment:portfolio_plan", args=[portfolio.pk]),
    )
    return item


def _lock_item(item: PlanItem) -> tuple[PlanItem, Portfolio]:
    portfolio = _lock_portfolio(item.portfolio)
    item = PlanItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    item.portfolio = portfolio
    return item, portfolio


@transaction.atomic
def plan_item_update(*, actor: User, item: PlanItem, content: PlanItemContent) -> PlanItem:
    """The assessor changes an item not yet met: a new target date, method or criteria."""
    item, portfolio = _lock_item(item)
    refuse_unless_assessor(actor, portfolio)
    _refuse_if_met(item)
    _check_item(content, portfolio)
    before = _describe(item, item.criteria.select_related("unit"))
    item.activity = content.activity.strip()
    item.method = content.method
    item.target_date = content.target_date
    item.updated_at = timezone.now()
    item.save(update_fields=["activity", "method", "target_date", "updated_at"])
    item.criteria.set(content.criteria)
    after = _describe(item, content.criteria)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit_record(
            actor=actor,
            action="plan_item.update",
            obj=item,
            portfolio=portfolio,
            changes={
                "before": {key: before[key] for key in changed},
                "after": {key: after[key] for key in changed},
            },
        )
    return item


@transaction.atomic
def plan_item_remove(*, actor: User, item: PlanItem) -> None:
    """The assessor takes an item not yet met out of the plan."""
    item, portfolio = _lock_item(item)
    refuse_unless_assessor(actor, portfolio)
    _refuse_if_met(item)
    before = _describe(item, item.criteria.select_related("unit"))
    audit_record(
        actor=actor,
        action="plan_item.remove",
        obj=item,
        portfolio=portfolio,
        changes={"before": before},
    )
    item.criteria.clear()
    item.delete()


@transaction.atomic
def progress_review_create(
    *,
    actor: User,
    portfolio: Portfolio,
    held_on: datetime.date,
    progress: str,
    next_steps: str,
) -> ProgressReview:
    """The assessor writes up a review held with the learner (and, for an apprenticeship, the
    employer); each party is asked to sign it."""
    portfolio = _lock_portfolio(portfolio)
    refuse_unless_assessor(actor, portfolio)
    if held_on > timezone.localdate():
        raise ActionRefused("A review is written after it is held: its date cannot be ahead.")
    if held_on < portfolio.start_date:
        raise ActionRefused("The review cannot be held before the portfolio started.")
    if not progress.strip():
        raise ActionRefused("Record the progress made against the plan.")
    if not next_steps.strip():
        raise ActionRefused("Record what comes next.")
    three_way = portfolio.is_apprenticeship
    if three_way and portfolio.employer_id is None:
        raise ActionRefused(
            "This apprenticeship has no employer contact to sign its three-way review: ask an "
            "administrator to name the apprentice's line manager first."
        )
    review = ProgressReview.objects.create(
        portfolio=portfolio,
        held_on=held_on,
        progress=progress.strip(),
        next_steps=next_steps.strip(),
        is_three_way=three_way,
        written_by=actor,
    )
    audit_record(
        actor=actor,
        action="progress_review.create",
        obj=review,
        portfolio=portfolio,
        changes={
            "after": {
                "held_on": held_on.isoformat(),
                "progress": review.progress,
                "next_steps": review.next_steps,
                "three_way": three_way,
            }
        },
    )
    link = reverse("assessment:progress_review", args=[review.pk])
    day = date_format(held_on, "j F Y")
    others = [portfolio.learner, portfolio.employer if three_way else None]
    for person in others:
        notify(
            recipient=person,
            message=f"{actor} wrote up the progress review of {day}: read it and sign it.",
            link=link,
        )
    return review


@transaction.atomic
def progress_review_sign(*, actor: User, review: ProgressReview) -> ReviewSignature:
    """One party signs the review in the exact words shown; the last signature completes it."""
    _lock_portfolio(review.portfolio)
    review = (
        ProgressReview.objects.select_for_update(of=("self",))
        .select_related(
            "portfolio__learner",
            "portfolio__assessor",
            "portfolio__employer",
            "portfolio__qualification",
        )
        .get(pk=review.pk)
    )
    portfolio = review.portfolio
    party = plans.party_of(actor, review)
    if party is None:
        if portfolio.employer_id == actor.pk and not review.is_three_way:
            raise ActionRefused(
                "This review is not a three-way apprenticeship review: the employer does not "
                "sign it."
            )
        raise ActionRefused(
            "Only the learner, their assessor and, for an apprenticeship, the "
            "employer contact sign a progress review."
        )
    if review.signatures.filter(party=party).exists():
        raise ActionRefused("You have already signed this review; there is nothing more to do.")
    wording = review_wording(actor, party, review)
    signature = ReviewSignature.objects.create(
        review=review, party=party, signed_by=actor, wording=wording
    )
    signed = set(review.signatures.values_list("party", flat=True))
    complete = signed >= set(review.parties)
    if complete:
        review.completed_at = signature.signed_at
        review.save(update_fields=["completed_at"])
    audit_record(
        actor=actor,
        action="progress_review.sign",
        obj=review,
        portfolio=portfolio,
        changes={
            "after": {
                "held_on": review.held_on.isoformat(),
                "party": party.label,
                "wording": wording,
                "complete": complete,
            }
        },
    )
    if complete:
        link = reverse("assessment:progress_review", args=[review.pk])
        day = date_format(review.held_on, "j F Y")
        people = {portfolio.learner, portfolio.assessor}
        if review.is_three_way:
            people.add(portfolio.employer)
        for person in people - {actor}:
            notify(
                recipient=person,
                message=f"Every party has signed the progress review of {day}.",
                link=link,
            )
    return signature
