"""Moving a portfolio to another version of its qualification: the plan an administrator
checks first, and the move.

Evidence carries across wherever the two versions' diff (`qualifications.versions`) matches a
criterion that still asks the same: unchanged, only renumbered, or reworded with the same
meaning declared. The mapping is re-pointed at the new criterion and keeps its status and
decisions. Everything else stays where it was and is listed for the assessor. Optional units
still optional in the new version stay chosen; sign-offs and declarations of a revised unit
stay as history, since they were made against the old criteria, and are listed to be done again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from accounts.notifications import notify
from assessment.models import Countersignature, UnitDeclaration, UnitSignOff
from assessment.services.countersignatures import (
    countersignatures_revoke_for_move,
    withdrawn_by_move,
)
from enrolment.access import is_centre_admin
from enrolment.services import EnrolmentRefused
from portfolio.audit import audit_record
from portfolio.models import Evidence, Mapping, Portfolio, UnitChoice
from qualifications.models import AssessmentCriterion, Qualification, QualificationUnit, Unit
from qualifications.rules import choice_problems
from qualifications.selectors import rules_by_qualification
from qualifications.versions import CriterionChange, CriterionDiff, QualificationDiff, diff


@dataclass(frozen=True)
class CarriedMapping:
    """A mapping that will point at `to`, the matching criterion of the new version."""

    mapping: Mapping
    to: AssessmentCriterion
    change: CriterionDiff

    def __str__(self) -> str:
        mapping = self.mapping
        numbers = (
            mapping.criterion.number
            if self.change.old_number == self.change.new_number
            else f"{self.change.old_number} → {self.change.new_number}"
        )
        return (
            f"{mapping.criterion.unit.reference} {numbers}: “{mapping.evidence.title}” "
            f"({mapping.get_status_display().lower()})"
        )


@dataclass(frozen=True)
class LeftMapping:
    """A mapping that stays on its old criterion, and why, for the assessor."""

    mapping: Mapping
    reason: str

    def __str__(self) -> str:
        mapping = self.mapping
        return (
            f"{mapping.criterion.reference}: "
            f"“{mapping.evidence.title}” ({mapping.get_status_display().lower()}), {self.reason}"
        )


@dataclass(frozen=True)
class ChoiceOutcome:
    """An optional unit chosen on the old version: kept (`to` is its row in the new version)
    or dropped, with why."""

    choice: UnitChoice
    to: Unit | None = None
    reason: str = ""

    def __str__(self) -> str:
        text = f"{self.choice.unit.reference} {self.choice.unit.title}"
        return f"{text} ({self.reason})" if self.reason else text


@dataclass(frozen=True)
class MovePlan:
    """Everything a move would do, worked out without changing anything."""

    portfolio: Portfolio
    target: Qualification
    diff: QualificationDiff
    carried: list[CarriedMapping]
    left: list[LeftMapping]
    staying: int
    choices_kept: list[ChoiceOutcome]
    choices_dropped: list[ChoiceOutcome]
    sign_offs: list[UnitSignOff]
    declarations: list[UnitDeclaration]
    countersignatures: list[Countersignature]
    rule_problems: list[str]


def version_name(qualification: Qualification) -> str:
    return f"{qualification.reference} version {qualification.version}"


def move_refusal(actor: User, portfolio: Portfolio, target: Qualification) -> str | None:
    """Why this person may not move the portfolio to `target`, in a sentence; None if they may."""
    source = portfolio.qualification
    if not is_centre_admin(actor) or actor.centre_id != portfolio.centre_id:
        return (
            "Only an administrator of the learner’s centre can move a portfolio to another version."
        )
    if target.reference != source.reference:
        return f"{target.title} is not a version of {source.title}."
    if target.pk == source.pk:
        return f"This portfolio is already on version {target.version}."
    if Portfolio.objects.filter(learner_id=portfolio.learner_id, qualification=target).exists():
        return (
            f"{portfolio.learner} already has a portfolio on version {target.version} of "
            f"{target.title}; a learner has one portfolio per version, so this one cannot move "
            "there."
        )
    return None


def plan_move(portfolio: Portfolio, target: Qualification) -> MovePlan:
    """What moving the portfolio to `target` would carry across and what it would leave; a
    fixed number of queries, whatever the portfolio holds."""
    versions = diff(portfolio.qualification, target)
    links = {
        link.unit.reference: link
        for link in QualificationUnit.objects.filter(qualification=target).select_related("unit")
    }
    target_units = {link.unit_id for link in links.values()}
    mappings = list(
        Mapping.objects.filter(evidence__portfolio=portfolio)
        .select_related("evidence", "criterion__unit")
        .order_by("criterion__unit__reference", "criterion__number", "evidence__title", "pk")
    )
    mapped = {(mapping.evidence_id, mapping.criterion_id) for mapping in mappings}
    carried, left, staying = [], [], 0
    for mapping in mappings:
        if mapping.criterion.unit_id in target_units:
            staying += 1
            continue
        change = versions.criterion(mapping.criterion_id)
        if change is not None and change.carries_evidence:
            if (mapping.evidence_id, change.new.pk) in mapped:
                reason = f"already mapped to {change.new_number} of version {target.version}"
                left.append(LeftMapping(mapping, reason))
            else:
                carried.append(CarriedMapping(mapping, change.new, change))
        else:
            left.append(LeftMapping(mapping, _why_left(mapping, change, versions, target)))
    kept, dropped = _choices(portfolio, links, target)
    mandatory = {reference for reference, link in links.items() if link.mandatory}
    rules = rules_by_qualification([target.pk])[target.pk]
    return MovePlan(
        portfolio=portfolio,
        target=target,
        diff=versions,
        carried=carried,
        left=left,
        staying=staying,
        choices_kept=kept,
        choices_dropped=dropped,
        sign_offs=list(
            UnitSignOff.objects.filter(portfolio=portfolio, revoked_at__isnull=True)
            .exclude(unit_id__in=target_units)
            .select_related("unit", "signed_by")
        ),
        declarations=list(
            UnitDeclaration.objects.filter(portfolio=portfolio)
            .exclude(unit_id__in=target_units)
            .select_related("unit")
        ),
        countersignatures=list(
            withdrawn_by_move(portfolio, target).select_related("unit", "signed_by")
        ),
        rule_problems=choice_problems(
            rules, mandatory | {outcome.choice.unit.reference for outcome in kept}
        ),
    )


def _why_left(
    mapping: Mapping,
    change: CriterionDiff | None,
    versions: QualificationDiff,
    target: Qualification,
) -> str:
    if change is None:
        unit = versions.unit(mapping.criterion.unit.reference)
        if unit is None or unit.new is None:
            return f"its unit is not part of version {target.version}"
        return (
            f"it belongs to version {mapping.criterion.unit.version} of the unit, which has no "
            f"match in version {target.version}"
        )
    if change.change == CriterionChange.REMOVED:
        return f"the criterion was removed in version {target.version}"
    return (
        f"reworded in version {target.version} as {change.new_number}, which may ask something new"
    )


def _choices(
    portfolio: Portfolio, links: dict[str, QualificationUnit], target: Qualification
) -> tuple[list[ChoiceOutcome], list[ChoiceOutcome]]:
    kept, dropped = [], []
    for choice in UnitChoice.objects.filter(portfolio=portfolio).select_related("unit"):
        link = links.get(choice.unit.reference)
        if link is None:
            dropped.append(ChoiceOutcome(choice, reason=f"not in version {target.version}"))
        elif link.mandatory:
            reason = f"mandatory in version {target.version}, so every learner takes it"
            dropped.append(ChoiceOutcome(choice, reason=reason))
        else:
            kept.append(ChoiceOutcome(choice, to=link.unit))
    return kept, dropped


# The move --------------------------------------------------------------------------------------


def portfolio_move(*, actor: User, portfolio: Portfolio, target: Qualification) -> MovePlan:
    """Move the portfolio to another version of its qualification, as planned by plan_move:
    all of it in one transaction, or nothing."""
    try:
        with transaction.atomic():
            return _move(actor, portfolio, target)
    except IntegrityError:
        raise EnrolmentRefused(
            "Someone changed this learner’s portfolios at the same moment, so nothing was "
            "moved. Check the portfolio before trying again."
        ) from None


def _move(actor: User, portfolio: Portfolio, target: Qualification) -> MovePlan:
    portfolio = (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "qualification", "assessor")
        .get(pk=portfolio.pk)
    )
    target = Qualification.objects.get(pk=target.pk)
    if refusal := move_refusal(actor, portfolio, target):
        raise EnrolmentRefused(refusal)
    # The learner's mapping services lock the evidence first: wait for any in flight.
    list(Evidence.objects.select_for_update(of=("self",)).filter(portfolio=portfolio).values("pk"))
    list(
        Mapping.objects.select_for_update(of=("self",))
        .filter(evidence__portfolio=portfolio)
        .values("pk")
    )
    plan = plan_move(portfolio, target)
    source = portfolio.qualification
    for item in plan.carried:
        item.mapping.criterion = item.to
        item.mapping.save(update_fields=["criterion"])
    for outcome in plan.choices_kept:
        if outcome.choice.unit_id != outcome.to.pk:
            outcome.choice.unit = outcome.to
            outcome.choice.save(update_fields=["unit"])
    UnitChoice.objects.filter(pk__in=[o.choice.pk for o in plan.choices_dropped]).delete()
    portfolio.qualification = target
    portfolio.save(update_fields=["qualification"])
    countersignatures_revoke_for_move(
        actor=actor,
        portfolio=portfolio,
        target=target,
        reason=f"The portfolio moved from {version_name(source)} to {version_name(target)}.",
    )
    audit_record(
        actor=actor,
        action="portfolio.move_version",
        obj=portfolio,
        portfolio=portfolio,
        changes=_audit_changes(plan, source),
    )
    notify(
        recipient=portfolio.assessor,
        message=(
            f"{actor} moved {portfolio.learner}’s portfolio to version {target.version} of "
            f"{target.title}: {len(plan.carried)} mapping{'s' if len(plan.carried) != 1 else ''} "
            f"carried across, {len(plan.left)} left for you to look at."
        ),
        link=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
    )
    return plan


def _audit_changes(plan: MovePlan, source: Qualification) -> dict[str, object]:
    return {
        "before": {"qualification": version_name(source)},
        "after": {"qualification": version_name(plan.target)},
        "carried": [str(item) for item in plan.carried],
        "not_carried": [str(item) for item in plan.left],
        "choices_kept": [str(outcome) for outcome in plan.choices_kept],
        "choices_dropped": [str(outcome) for outcome in plan.choices_dropped],
        "sign_off_again": [s.unit.reference for s in plan.sign_offs],
        "declare_again": [d.unit.reference for d in plan.declarations],
    }
