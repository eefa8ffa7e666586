"""Assessors' and IQAs' actions. Same shape as portfolio/services.py: keyword-only arguments,
one transaction, rows re-read under a lock, a state check that refuses with a message, and
exactly one audit entry per call."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.notifications import notify
from assessment import progress
from assessment.models import (
    Decision,
    IqaAgreement,
    IqaReview,
    Outcome,
    UnitDeclaration,
    UnitSignOff,
)
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Evidence, Mapping, MappingStatus, Portfolio
from portfolio.progress import criterion_is_met
from qualifications.models import Unit

LEARNER_DECLARATION = (
    "I, {learner}, declare that the evidence in this portfolio for the unit “{unit}” ({reference}) "
    "is my own work, and that the commentary I have written is a true account of what I did."
)
ASSESSOR_DECLARATION = (
    "I, {assessor}, confirm that I have assessed the evidence for the unit “{unit}” ({reference}) "
    "for {learner}; that it is valid, authentic, current and sufficient; and that every "
    "assessment criterion of the unit is met."
)


def learner_declaration(learner: User, unit: Unit) -> str:
    return LEARNER_DECLARATION.format(
        learner=learner.full_name, unit=unit.title, reference=unit.reference
    )


def assessor_declaration(assessor: User, portfolio: Portfolio, unit: Unit) -> str:
    return ASSESSOR_DECLARATION.format(
        assessor=assessor.full_name,
        unit=unit.title,
        reference=unit.reference,
        learner=portfolio.learner.full_name,
    )


class DecisionConflict(ActionRefused):
    """Someone else changed the mapping between the page loading and the decision arriving."""


@dataclass(frozen=True)
class DecisionRequest:
    mapping_id: int
    outcome: str
    feedback: str
    # When the mapping was submitted, as the assessor saw it: a version check.
    seen_submitted_at: datetime.datetime | None


def _require_assessor(actor: User, portfolio: Portfolio) -> None:
    if portfolio.assessor_id != actor.pk or not actor.has_role(Role.ASSESSOR):
        raise ActionRefused("Only the learner's assigned assessor can do this.")


def _describe_latest(mapping: Mapping) -> str:
    latest = mapping.decisions.select_related("decided_by").order_by("-decided_at", "-pk").first()
    if latest is None:
        return f"it is now {mapping.get_status_display().lower()}"
    local = timezone.localtime(latest.decided_at)
    when = f"{local:%H:%M} on {local.day} {local:%B}"
    return f"{latest.decided_by} {latest.get_outcome_display().lower()} it at {when}"


def _revoke_if_unmet(actor: User, mapping: Mapping, reason: str) -> UnitSignOff | None:
    """Undo the unit's sign-off if this mapping was what met its criterion."""
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
    sign_off.revoke_reason = f"Criterion {mapping.criterion.number} was reopened: {reason}"
    sign_off.save(update_fields=["revoked_by", "revoked_at", "revoke_reason"])
    return sign_off


@transaction.atomic
def mappings_decide(
    *, actor: User, evidence: Evidence, requests: list[DecisionRequest]
) -> list[Decision]:
    """Accept or refer several mappings of one evidence item at once: all recorded, or none."""
    evidence = Evidence.objects.select_related("portfolio__learner").get(pk=evidence.pk)
    portfolio = evidence.portfolio
    _require_assessor(actor, portfolio)
    if not requests:
        raise ActionRefused("Choose accept or refer for at least one mapping.")
    mappings = {
        m.pk: m
        for m in Mapping.objects.select_for_update(of=("self",))
        .select_related("criterion__unit", "evidence__portfolio")
        .filter(evidence=evidence, pk__in=[r.mapping_id for r in requests])
        .order_by("pk")
    }
    decisions = []
    for request in requests:
        mapping = mappings.get(request.mapping_id)
        if mapping is None:
            raise ActionRefused("That mapping is not part of this evidence.")
        if request.outcome not in (Outcome.ACCEPTED, Outcome.REFERRED):
            raise ActionRefused("A decision is either accept or refer.")
        seen = request.seen_submitted_at
        if mapping.status != MappingStatus.SUBMITTED or (
            seen is not None and mapping.submitted_at != seen
        ):
            if mapping.status == MappingStatus.SUBMITTED:
                detail = "the learner resubmitted it"
            elif mapping.status == MappingStatus.DRAFT and seen is not None:
                detail = "the learner withdrew it"
            elif mapping.status == MappingStatus.DRAFT:
                detail = "it has not been submitted for assessment"
            else:
                detail = _describe_latest(mapping)
            raise DecisionConflict(
                f"Criterion {mapping.criterion.number} changed while you were reviewing: {detail}. "
                "Nothing was recorded; check the page as it is now and decide again."
            )
        feedback = request.feedback.strip()
        if request.outcome == Outcome.REFERRED and not feedback:
            raise ActionRefused(
                f"Say what is missing for criterion {mapping.criterion.number}: a referral "
                "needs feedback for the learner."
            )
        if len(feedback) > 10_000:
            raise ActionRefused("Keep feedback under 10,000 characters.")
        decisions.append(
            Decision.objects.create(
                mapping=mapping, outcome=request.outcome, feedback=feedback, decided_by=actor
            )
        )
        mapping.status = (
            MappingStatus.ACCEPTED
            if request.outcome == Outcome.ACCEPTED
            else MappingStatus.REFERRED
        )
        mapping.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="mapping.decide",
        obj=evidence,
        portfolio=portfolio,
        changes={
            "decisions": [
                {
                    "criterion": (
                        f"{d.mapping.criterion.unit.reference} {d.mapping.criterion.number}"
                    ),
                    "before": MappingStatus.SUBMITTED,
                    "after": d.outcome,
                    "feedback": d.feedback,
                }
                for d in decisions
            ]
        },
    )
    accepted = sum(1 for d in decisions if d.outcome == Outcome.ACCEPTED)
    referred = len(decisions) - accepted
    parts = [f"{n} {word}" for n, word in ((accepted, "accepted"), (referred, "referred")) if n]
    notify(
        recipient=portfolio.learner,
        message=f"{actor} assessed “{evidence.title}”: {' and '.join(parts)}.",
        link=reverse("portfolio:evidence_detail", args=[evidence.pk]),
    )
    return decisions


def _reopen(actor: User, mapping: Mapping, reason: str) -> tuple[Decision, UnitSignOff | None]:
    decision = Decision.objects.create(
        mapping=mapping, outcome=Outcome.REOPENED, feedback=reason, decided_by=actor
    )
    mapping.status = MappingStatus.SUBMITTED
    # A new version: a review page loaded before the reopening must not decide it unseen.
    mapping.submitted_at = timezone.now()
    mapping.save(update_fields=["status", "submitted_at"])
    return decision, _revoke_if_unmet(actor, mapping, reason)


@transaction.atomic
def mapping_reopen(*, actor: User, mapping: Mapping, reason: str) -> Decision:
    """Take back an acceptance: the mapping returns to the assessor's queue."""
    mapping = (
        Mapping.objects.select_for_update(of=("self",))
        .select_related("criterion__unit", "evidence__portfolio__learner")
        .get(pk=mapping.pk)
    )
    portfolio = mapping.evidence.portfolio
    _require_assessor(actor, portfolio)
    reason = reason.strip()
    if not reason:
        raise ActionRefused("Give a reason for reopening: it is kept in the record.")
    if mapping.status != MappingStatus.ACCEPTED:
        raise ActionRefused(
            f"Only an accepted mapping can be reopened; this one is "
            f"{mapping.get_status_display().lower()}."
        )
    decision, revoked = _reopen(actor, mapping, reason)
    audit_record(
        actor=actor,
        action="mapping.reopen",
        obj=mapping,
        portfolio=portfolio,
        changes={
            "before": {"status": MappingStatus.ACCEPTED},
            "after": {"status": MappingStatus.SUBMITTED},
            "reason": reason,
            "sign_off_revoked": revoked.unit.reference if revoked else None,
        },
    )
    notify(
        recipient=portfolio.learner,
        message=(
            f"{actor} reopened criterion {mapping.criterion.number} of "
            f"{mapping.criterion.unit.title}: {reason}"
        ),
        link=reverse("portfolio:evidence_detail", args=[mapping.evidence_id]),
    )
    return decision


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "assessor")
        .get(pk=portfolio.pk)
    )


def _check_unit(portfolio: Portfolio, unit: Unit) -> None:
    if not portfolio.qualification.unit_links.filter(unit=unit).exists():
        raise ActionRefused(f"{unit.title} is not part of {portfolio.qualification.title}.")


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
            f"Every criterion of {unit.title} must be met before you declare the unit: your "
            "declaration covers all of its evidence."
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
    portfolio = _lock_portfolio(portfolio)
    _require_assessor(actor, portfolio)
    _check_unit(portfolio, unit)
    if UnitSignOff.objects.filter(portfolio=portfolio, unit=unit, revoked_at__isnull=True).exists():
        raise ActionRefused(f"{unit.title} is already signed off.")
    if not progress.unit_all_met(portfolio, unit):
        raise ActionRefused(
            f"{unit.title} cannot be signed off yet: not every criterion is met. Accept a "
            "mapping for each remaining criterion first."
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


@transaction.atomic
def iqa_review_record(*, actor: User, decision: Decision, verdict: str, feedback: str) -> IqaReview:
    """Agree or disagree with a sampled decision; a disagreement reopens the mapping."""
    decision = Decision.objects.select_related(
        "mapping__criterion__unit", "mapping__evidence__portfolio__assessor", "decided_by"
    ).get(pk=decision.pk)
    mapping = Mapping.objects.select_for_update(of=("self",)).get(pk=decision.mapping_id)
    portfolio = decision.mapping.evidence.portfolio
    if not actor.has_role(Role.IQA) or actor.centre_id != portfolio.centre_id:
        raise ActionRefused("Only an internal quality assurer at this centre can sample decisions.")
    if decision.decided_by_id == actor.pk:
        raise ActionRefused("You cannot sample your own decisions; another IQA must review them.")
    if decision.outcome not in (Outcome.ACCEPTED, Outcome.REFERRED):
        raise ActionRefused("Only accept and refer decisions are sampled.")
    if IqaReview.objects.filter(decision=decision).exists():
        raise ActionRefused("This decision has already been sampled.")
    if verdict not in IqaAgreement.values:
        raise ActionRefused("Choose agree or disagree.")
    feedback = feedback.strip()
    if verdict == IqaAgreement.DISAGREE and not feedback:
        raise ActionRefused("Tell the assessor why you disagree: a disagreement needs feedback.")
    review = IqaReview.objects.create(
        decision=decision, reviewer=actor, verdict=verdict, feedback=feedback
    )
    reopened = None
    latest = mapping.decisions.order_by("-decided_at", "-pk").first()
    still_current = (
        latest is not None
        and latest.pk == decision.pk
        and mapping.status
        in (
            MappingStatus.ACCEPTED,
            MappingStatus.REFERRED,
        )
    )
    if verdict == IqaAgreement.DISAGREE and still_current:
        mapping.evidence = decision.mapping.evidence
        mapping.criterion = decision.mapping.criterion
        reopened, _ = _reopen(actor, mapping, f"IQA disagreed: {feedback}")
    audit_record(
        actor=actor,
        action="iqa.review",
        obj=review,
        portfolio=portfolio,
        changes={
            "decision": decision.pk,
            "verdict": verdict,
            "feedback": feedback,
            "mapping_reopened": reopened is not None,
        },
    )
    verb = "agreed" if verdict == IqaAgreement.AGREE else "disagreed"
    criterion = decision.mapping.criterion.number
    back = " It is back in your queue." if reopened else ""
    link = reverse("assessment:evidence_review", args=[decision.mapping.evidence_id])
    notify(
        recipient=decision.decided_by,
        message=f"{actor} {verb} with your decision on criterion {criterion} for "
        f"{portfolio.learner}.{back if portfolio.assessor_id == decision.decided_by_id else ''}",
        link=link,
    )
    if reopened and portfolio.assessor_id and portfolio.assessor_id != decision.decided_by_id:
        # The mapping goes back to whoever assesses the portfolio now.
        notify(
            recipient=portfolio.assessor,
            message=f"{actor} reopened criterion {criterion} for {portfolio.learner}.{back}",
            link=link,
        )
    return review


@transaction.atomic
def sampling_rates_set(
    *,
    actor: User,
    default: int,
    by_assessor: dict[int, int | None],
    by_unit: dict[int, int | None],
) -> None:
    """Replace the centre's sampling rates; an empty per-assessor or per-unit rate removes it."""
    from assessment.models import SamplingRate

    if not actor.has_role(Role.IQA):
        raise ActionRefused("Only internal quality assurers set sampling rates.")
    rates = [default, *by_assessor.values(), *by_unit.values()]
    if any(rate is not None and not 0 <= rate <= 100 for rate in rates):
        raise ActionRefused("Each rate is a percentage from 0 to 100.")
    known = set(
        User.objects.filter(
            pk__in=list(by_assessor), centre_id=actor.centre_id, memberships__role=Role.ASSESSOR
        ).values_list("pk", flat=True)
    )
    if set(by_assessor) - known:
        raise ActionRefused("Rates can be set only for assessors at your centre.")
    centre_rates = SamplingRate.objects.filter(centre_id=actor.centre_id)
    before = {str(r): r.percent for r in centre_rates.select_related("assessor", "unit")}
    centre_rates.delete()
    SamplingRate.objects.create(centre_id=actor.centre_id, percent=default)
    for assessor_id, percent in by_assessor.items():
        if percent is not None:
            SamplingRate.objects.create(
                centre_id=actor.centre_id, assessor_id=assessor_id, percent=percent
            )
    for unit_id, percent in by_unit.items():
        if percent is not None:
            SamplingRate.objects.create(centre_id=actor.centre_id, unit_id=unit_id, percent=percent)
    audit_record(
        actor=actor,
        action="sampling.rates",
        obj=actor.centre,
        portfolio=None,
        changes={
            "before": before,
            "after": {
                "default": default,
                "assessors": {str(k): v for k, v in by_assessor.items() if v is not None},
                "units": {str(k): v for k, v in by_unit.items() if v is not None},
            },
        },
    )
