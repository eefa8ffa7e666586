"""The IQA's countersignature of a signed-off unit or a complete portfolio, after sampling, in
the exact words they sign; and its revocation when the sign-off beneath it is revoked."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from assessment import progress
from assessment.access import is_iqa_at
from assessment.models import Countersignature, Decision, IqaReview, Outcome, UnitSignOff
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from qualifications.models import Qualification, QualificationUnit, Unit

UNIT_COUNTERSIGNATURE = (
    "I, {iqa}, internal quality assurer, confirm that I have sampled the assessment of the unit "
    "“{unit}” ({reference}) for {learner}, signed off by {assessor} on {signed}, and that I "
    "countersign that sign-off."
)
PORTFOLIO_COUNTERSIGNATURE = (
    "I, {iqa}, internal quality assurer, confirm that I have sampled the assessment of "
    "{learner}’s portfolio for {qualification}, that every unit it needs is signed off, and that "
    "I countersign the portfolio as complete."
)


def unit_countersignature_wording(iqa: User, portfolio: Portfolio, sign_off: UnitSignOff) -> str:
    """The words the IQA signs for a unit, shown on the page and stored as they were shown."""
    return UNIT_COUNTERSIGNATURE.format(
        iqa=iqa.full_name,
        unit=sign_off.unit.title,
        reference=sign_off.unit.reference,
        learner=portfolio.learner.full_name,
        assessor=sign_off.signed_by.full_name,
        signed=timezone.localtime(sign_off.signed_at).strftime("%-d %B %Y"),
    )


def portfolio_countersignature_wording(iqa: User, portfolio: Portfolio) -> str:
    """The words the IQA signs for the whole portfolio."""
    return PORTFOLIO_COUNTERSIGNATURE.format(
        iqa=iqa.full_name,
        learner=portfolio.learner.full_name,
        qualification=portfolio.qualification.title,
    )


def active_sign_off(portfolio: Portfolio, unit: Unit) -> UnitSignOff | None:
    return (
        UnitSignOff.objects.select_related("unit", "signed_by")
        .filter(portfolio=portfolio, unit=unit, revoked_at__isnull=True)
        .first()
    )


def own_work_refusal(actor: User, portfolio: Portfolio, unit: Unit | None) -> str:
    """Why this IQA may not countersign: the assessment (or part of it) is their own; "" if
    they may. An IQA's own reopenings are quality assurance, not assessment, and do not count."""
    if portfolio.assessor_id == actor.pk:
        return "You are this learner’s assessor: another IQA must countersign your assessment."
    sign_offs = UnitSignOff.objects.filter(
        portfolio=portfolio, revoked_at__isnull=True, signed_by=actor
    )
    decisions = Decision.objects.filter(
        mapping__evidence__portfolio=portfolio,
        decided_by=actor,
        outcome__in=(Outcome.ACCEPTED, Outcome.REFERRED),
    )
    if unit is not None:
        sign_offs = sign_offs.filter(unit=unit)
        decisions = decisions.filter(mapping__criterion__unit=unit)
    if sign_offs.exists() or decisions.exists():
        return "You assessed or signed off this work: another IQA must countersign it."
    return ""


def _sampled(portfolio: Portfolio, unit: Unit | None) -> bool:
    reviews = IqaReview.objects.filter(decision__mapping__evidence__portfolio=portfolio)
    if unit is not None:
        reviews = reviews.filter(decision__mapping__criterion__unit=unit)
    return reviews.exists()


def refusal(actor: User, portfolio: Portfolio, unit: Unit | None) -> str:
    """Why the actor may not countersign this unit (or, with no unit, the portfolio) now; ""
    if they may. The page asks this to offer the button; the service asks it again, locked."""
    if not is_iqa_at(actor, portfolio):
        return "Only an internal quality assurer at this centre can countersign."
    if reason := own_work_refusal(actor, portfolio, unit):
        return reason
    active = Countersignature.objects.filter(
        portfolio=portfolio, unit=unit, revoked_at__isnull=True
    )
    if unit is not None:
        if active_sign_off(portfolio, unit) is None:
            return f"{unit.title} is not signed off: only a signed-off unit can be countersigned."
        if active.exists():
            return f"{unit.title} is already countersigned."
        if not _sampled(portfolio, unit):
            return f"Sample at least one decision on {unit.title} before countersigning it."
        return ""
    units = progress.portfolio_progress(portfolio)
    if not progress.portfolio_is_complete(portfolio, units):
        return "The portfolio is not complete: every unit must be signed off first."
    if active.exists():
        return "The portfolio is already countersigned."
    if not _sampled(portfolio, None):
        return "Sample at least one decision in this portfolio before countersigning it."
    return ""


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "assessor", "qualification")
        .get(pk=portfolio.pk)
    )


def _countersign(
    *, actor: User, portfolio: Portfolio, unit: Unit | None, wording: str
) -> Countersignature:
    """Store the words signed and tell the assessor and learner; the caller audits."""
    countersignature = Countersignature.objects.create(
        portfolio=portfolio, unit=unit, signed_by=actor, wording=wording
    )
    what = unit.title if unit else "the portfolio"
    link = reverse("assessment:portfolio_detail", args=[portfolio.pk])
    for person in (portfolio.assessor, portfolio.learner):
        if person is not None:
            notify(recipient=person, message=f"{actor} countersigned {what}.", link=link)
    return countersignature


@transaction.atomic
def unit_countersign(*, actor: User, portfolio: Portfolio, unit: Unit) -> Countersignature:
    """The IQA countersigns a signed-off unit they sampled and did not assess."""
    portfolio = _lock_portfolio(portfolio)
    if reason := refusal(actor, portfolio, unit):
        raise ActionRefused(reason)
    sign_off = active_sign_off(portfolio, unit)
    wording = unit_countersignature_wording(actor, portfolio, sign_off)
    countersignature = _countersign(actor=actor, portfolio=portfolio, unit=unit, wording=wording)
    audit_record(
        actor=actor,
        action="unit.countersign",
        obj=countersignature,
        portfolio=portfolio,
        changes={"after": {"unit": unit.reference, "wording": wording}},
    )
    return countersignature


@transaction.atomic
def portfolio_countersign(*, actor: User, portfolio: Portfolio) -> Countersignature:
    """The IQA countersigns a complete portfolio they sampled and did not assess."""
    portfolio = _lock_portfolio(portfolio)
    if reason := refusal(actor, portfolio, None):
        raise ActionRefused(reason)
    wording = portfolio_countersignature_wording(actor, portfolio)
    countersignature = _countersign(actor=actor, portfolio=portfolio, unit=None, wording=wording)
    audit_record(
        actor=actor,
        action="portfolio.countersign",
        obj=countersignature,
        portfolio=portfolio,
        changes={"after": {"wording": wording}},
    )
    return countersignature


def countersignatures_revoke(*, actor: User, sign_off: UnitSignOff) -> list[Countersignature]:
    """A step of a sign-off's revocation, inside its transaction: the unit's countersignature
    and the portfolio's (no longer complete) go with it, each with its own audit entry."""
    return _revoke(
        actor=actor,
        portfolio=sign_off.portfolio,
        which=Countersignature.objects.filter(
            Q(unit_id=sign_off.unit_id) | Q(unit__isnull=True),
            portfolio_id=sign_off.portfolio_id,
            revoked_at__isnull=True,
        ),
        reason=f"The sign-off of {sign_off.unit.reference} was revoked: {sign_off.revoke_reason}",
        at=sign_off.revoked_at,
    )


def withdrawn_by_move(portfolio: Portfolio, target: Qualification) -> QuerySet[Countersignature]:
    """The countersignatures moving the portfolio to the target version withdraws: the whole
    portfolio's (it stood on the old version's rules) and those of units the target replaces. A
    unit both versions share keeps its sign-off, and its countersignature with it."""
    kept_units = QualificationUnit.objects.filter(qualification=target).values("unit_id")
    return Countersignature.objects.filter(portfolio=portfolio, revoked_at__isnull=True).filter(
        Q(unit__isnull=True) | ~Q(unit_id__in=kept_units)
    )


def countersignatures_revoke_for_move(
    *, actor: User, portfolio: Portfolio, target: Qualification, reason: str
) -> list[Countersignature]:
    """A step of moving a portfolio to another version, inside its transaction."""
    return _revoke(
        actor=actor,
        portfolio=portfolio,
        which=withdrawn_by_move(portfolio, target),
        reason=reason,
        at=timezone.now(),
    )


def _revoke(
    *,
    actor: User,
    portfolio: Portfolio,
    which: QuerySet[Countersignature],
    reason: str,
    at: datetime,
) -> list[Countersignature]:
    revoked = list(which.select_for_update(of=("self",)).select_related("unit"))
    for countersignature in revoked:
        countersignature.revoked_by = actor
        countersignature.revoked_at = at
        countersignature.revoke_reason = reason
        countersignature.save(update_fields=["revoked_by", "revoked_at", "revoke_reason"])
        audit_record(
            actor=actor,
            action="countersignature.revoke",
            obj=countersignature,
            portfolio=portfolio,
            changes={
                "unit": countersignature.unit.reference
                if countersignature.unit_id
                else "the whole portfolio",
                "reason": reason,
            },
        )
    return revoked
