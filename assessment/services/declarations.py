"""The learner's unit declaration, the assessor's sign-off, and a sign-off's revocation when a
criterion it rested on is reopened; with the exact words each person signs."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from assessment import progress
from assessment.models import UnitDeclaration, UnitSignOff
from assessment.services.actors import refuse_unless_assessor
from assessment.services.countersignatures import countersignatures_revoke
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Mapping, Portfolio
from portfolio.progress import criterion_is_met
from portfolio.units import works_towards
from qualifications.models import Unit

LEARNER_DECLARATION = (
    "I, {learner}, declare that the evidence in this portfolio for the unit “{unit}” ({reference}) "
    "is my own work, and that the commentary I have written is a true account of what I did."
)
ASSESSOR_DECLARATION = (
    "I, {assessor}, confirm that I have assessed the evidence for the unit “{unit}” ({reference}) "
    "for {learner}; that it is valid, authentic, current and sufficient; and that {standard}."
)
UNGRADED_STANDARD = "every assessment criterion of the unit is met"
GRADED_STANDARD = "every criterion the unit needs for a pass is met, and it achieves {grade}"


def learner_declaration(learner: User, unit: Unit) -> str:
    """The words the learner signs, shown on the page and stored as they were shown."""
    return LEARNER_DECLARATION.format(
        learner=learner.full_name, unit=unit.title, reference=unit.reference
    )


def assessor_declaration(assessor: User, portfolio: Portfolio, unit: Unit) -> str:
    """The words the assessor signs, shown on the page and stored as they were shown. For a
    graded unit they name the grade the accepted evidence achieves."""
    grade = progress.unit_grade_now(portfolio, unit)
    standard = (
        GRADED_STANDARD.format(grade=f"a {grade.label.lower()}" if grade else "no grade yet")
        if progress.unit_is_graded(unit)
        else UNGRADED_STANDARD
    )
    return ASSESSOR_DECLARATION.format(
        assessor=assessor.full_name,
        unit=unit.title,
        reference=unit.reference,
        learner=portfolio.learner.full_name,
        standard=standard,
    )


def _needed(unit: Unit) -> str:
    """ "pass " for a graded unit, whose merit and distinction criteria are optional."""
    return "pass " if progress.unit_is_graded(unit) else ""


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "assessor")
        .get(pk=portfolio.pk)
    )


def _check_unit(portfolio: Portfolio, unit: Unit) -> None:
    if not works_towards(portfolio, unit.pk):
        raise ActionRefused(f"{unit.title} is not one of this portfolio's units.")


@transaction.atomic
def unit_declare(*, actor: User, portfolio: Portfolio, unit: Unit) -> UnitDeclaration:
    """The learner declares the unit's evidence is their own work, in the exact words shown."""
    portfolio = _lock_portfolio(portfolio)
    if actor.pk != portfolio.learner_id:
        raise ActionRefused("Only the learner can declare that the evidence is their own work.")
    _check_unit(portfolio, unit)
    if UnitDeclaration.objects.filter(portfolio=portfolio, unit=unit).exists():
        raise ActionRefused(f"You have already declared {unit.title}; there is nothing more to do.")
    if not progress.unit_all_met(portfolio, unit):
        raise ActionRefused(
            f"Every {_needed(unit)}criterion of {unit.title} must be met before you declare the "
            "unit: your declaration covers all of its evidence."
        )
    wording = learner_declaration(actor, unit)
    declaration = UnitDeclaration.objects.create(
        portfolio=portfolio, unit=unit, declared_by=actor, wording=wording
    )
    audit_record(
        actor=actor,
        action="unit.declare",
        obj=declaration,
        portfolio=portfolio,
        changes={"after": {"unit": unit.reference, "wording": wording}},
    )
    notify(
        recipient=portfolio.assessor,
        message=f"{actor} declared {unit.title} their own work; it is ready for you to sign off.",
        link=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
    )
    return declaration


@transaction.atomic
def unit_sign_off(*, actor: User, portfolio: Portfolio, unit: Unit) -> UnitSignOff:
    """The assessor signs the unit off, after every criterion is met and the learner declared."""
    portfolio = _lock_portfolio(portfolio)
    refuse_unless_assessor(actor, portfolio)
    _check_unit(portfolio, unit)
    if UnitSignOff.objects.filter(portfolio=portfolio, unit=unit, revoked_at__isnull=True).exists():
        raise ActionRefused(f"{unit.title} is already signed off.")
    if not progress.unit_all_met(portfolio, unit):
        raise ActionRefused(
            f"{unit.title} cannot be signed off yet: not every {_needed(unit)}criterion is met. "
            "Accept a mapping for each remaining criterion first."
        )
    if not UnitDeclaration.objects.filter(portfolio=portfolio, unit=unit).exists():
        raise ActionRefused(
            f"{portfolio.learner} has not yet declared {unit.title} their own work; the "
            "learner's declaration comes before your sign-off."
        )
    wording = assessor_declaration(actor, portfolio, unit)
    sign_off = UnitSignOff.objects.create(
        portfolio=portfolio, unit=unit, signed_by=actor, wording=wording
    )
    audit_record(
        actor=actor,
        action="unit.sign_off",
        obj=sign_off,
        portfolio=portfolio,
        changes={"after": {"unit": unit.reference, "wording": wording}},
    )
    notify(
        recipient=portfolio.learner,
        message=f"{actor} signed off {unit.title}.",
        link=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
    )
    return sign_off


def sign_off_revoke_if_unmet(*, actor: User, mapping: Mapping, reason: str) -> UnitSignOff | None:
    """Undo the unit's sign-off if this mapping was what met its criterion, and any IQA
    countersignature resting on it. A step of a reopening, inside its transaction; the
    reopening's audit entry records the sign-off's revocation, and each countersignature's
    revocation has its own."""
    portfolio = mapping.evidence.portfolio
    if criterion_is_met(portfolio, mapping.criterion):
        return None
    sign_off = (
        UnitSignOff.objects.select_for_update(of=("self",))
        .filter(portfolio=portfolio, unit_id=mapping.criterion.unit_id, revoked_at__isnull=True)
        .first()
    )
    if sign_off is None:
        return None
    sign_off.revoked_by = actor
    sign_off.revoked_at = timezone.now()
    sign_off.revoke_reason = f"Criterion {mapping.criterion.reference} was reopened: {reason}"
    sign_off.save(update_fields=["revoked_by", "revoked_at", "revoke_reason"])
    sign_off.portfolio = portfolio
    countersignatures_revoke(actor=actor, sign_off=sign_off)
    return sign_off
