"""Choosing a portfolio's optional units and taking them out again, within the qualification's
rules of combination. Mandatory units are never stored: they follow from the qualification.

The rules themselves are qualifications/rules.py's; here they are asked with the portfolio
locked, so two changes at once cannot both pass them.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from assessment.access import can_choose_units
from assessment.models import UnitDeclaration, UnitSignOff
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Mapping, Portfolio, UnitChoice
from qualifications.models import QualificationUnit, Unit
from qualifications.rules import Rules, refusal, removal_refusal
from qualifications.selectors import rules_by_qualification

NOT_YOURS = "Only the learner’s assessor or a centre administrator can change the optional units."


def sentence(reason: str) -> str:
    """A reason from the rules ("group C allows …") as a sentence: capitalised, full stop."""
    reason = reason.strip()
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("qualification")
        .get(pk=portfolio.pk)
    )


def _link(portfolio: Portfolio, unit: Unit) -> QualificationUnit:
    """The unit's place in the portfolio's qualification, refusing a unit from elsewhere."""
    link = (
        QualificationUnit.objects.select_related("group")
        .filter(qualification_id=portfolio.qualification_id, unit=unit)
        .first()
    )
    if link is None:
        raise ActionRefused(
            f"{unit.reference} is not a unit of {portfolio.qualification}: choose one of the "
            "units listed on this page."
        )
    return link


def _taken(portfolio: Portfolio) -> tuple[Rules, set[str]]:
    """The qualification's rules and every unit the portfolio takes now: its mandatory units
    and the optional ones chosen, by reference, as the rules count them."""
    rules = rules_by_qualification([portfolio.qualification_id])[portfolio.qualification_id]
    mandatory = QualificationUnit.objects.filter(
        qualification_id=portfolio.qualification_id, mandatory=True
    ).values_list("unit__reference", flat=True)
    chosen = UnitChoice.objects.filter(portfolio=portfolio).values_list(
        "unit__reference", flat=True
    )
    return rules, set(mandatory) | set(chosen)


def _described(unit: Unit, link: QualificationUnit) -> dict[str, str]:
    """The unit and its group, as the timeline names them; a unit in no group has none."""
    described = {"unit": unit.reference}
    if link.group_id:
        described["group"] = link.group.name
    return described


@transaction.atomic
def choose_unit(*, actor: User, portfolio: Portfolio, unit: Unit) -> UnitChoice:
    """Add an optional unit to the portfolio, if the rules of combination allow it."""
    portfolio = _lock_portfolio(portfolio)
    if not can_choose_units(actor, portfolio):
        raise ActionRefused(NOT_YOURS)
    link = _link(portfolio, unit)
    if link.mandatory:
        raise ActionRefused(
            f"{unit.reference} is already mandatory: every learner on this qualification "
            "takes it, so there is nothing to choose."
        )
    rules, taken = _taken(portfolio)
    if reason := refusal(rules, taken, unit.reference):
        raise ActionRefused(sentence(reason))
    choice = UnitChoice.objects.create(portfolio=portfolio, unit=unit, chosen_by=actor)
    audit_record(
        actor=actor,
        action="unit.choose",
        obj=unit,
        portfolio=portfolio,
        changes={"after": _described(unit, link)},
    )
    return choice


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _held_by(portfolio: Portfolio, unit: Unit) -> list[str]:
    """What the unit already holds in this portfolio, in words, e.g. "3 mappings of evidence
    to its criteria"; taking the unit out would leave these pointing at nothing."""
    held = []
    mappings = Mapping.objects.filter(evidence__portfolio=portfolio, criterion__unit=unit).count()
    if mappings:
        noun = "mapping" if mappings == 1 else "mappings"
        held.append(f"{mappings} {noun} of evidence to its criteria")
    if UnitDeclaration.objects.filter(portfolio=portfolio, unit=unit).exists():
        held.append("the learner’s declaration")
    if UnitSignOff.objects.filter(portfolio=portfolio, unit=unit, revoked_at__isnull=True).exists():
        held.append("the assessor’s sign-off")
    return held


@transaction.atomic
def remove_unit(*, actor: User, portfolio: Portfolio, unit: Unit) -> None:
    """Take an optional unit out of the portfolio, unless work has been done towards it."""
    portfolio = _lock_portfolio(portfolio)
    if not can_choose_units(actor, portfolio):
        raise ActionRefused(NOT_YOURS)
    link = _link(portfolio, unit)
    if link.mandatory:
        raise ActionRefused(
            f"{unit.reference} is mandatory: every learner on this qualification takes it."
        )
    choice = UnitChoice.objects.filter(portfolio=portfolio, unit=unit).first()
    if choice is None:
        raise ActionRefused(f"{unit.reference} is not chosen, so there is nothing to remove.")
    rules, taken = _taken(portfolio)
    if reason := removal_refusal(rules, taken, unit.reference):
        raise ActionRefused(sentence(reason))
    if held := _held_by(portfolio, unit):
        raise ActionRefused(
            f"{unit.reference} cannot be removed: it has {_join(held)}. A unit with work "
            "towards it stays in the portfolio."
        )
    choice.delete()
    audit_record(
        actor=actor,
        action="unit.remove",
        obj=unit,
        portfolio=portfolio,
        changes={"before": _described(unit, link)},
    )
