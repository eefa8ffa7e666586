"""What every learner action establishes before it changes anything: the row locked, the actor
the portfolio's learner, and whether the evidence is already part of the assessment record.

Shared by the service modules beside it; callers outside portfolio.services never need these.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import User
from portfolio.access import can_edit
from portfolio.errors import ActionRefused
from portfolio.models import (
    AssessorRecord,
    Evidence,
    Mapping,
    MappingStatus,
    Portfolio,
    WitnessStatement,
)

# Mapping states in which the evidence is in an assessor's hands or already judged.
SUBMITTED_STATES = (MappingStatus.SUBMITTED, MappingStatus.REFERRED, MappingStatus.ACCEPTED)


def require_learner(actor: User, portfolio: Portfolio) -> None:
    """The same rule the pages use to show controls, checked again before any change."""
    if not can_edit(actor, portfolio):
        raise ActionRefused("Only the learner can change the evidence in their portfolio.")


def require_learners_own(actor: User, evidence: Evidence) -> None:
    """The learner changes their own evidence, never a record their assessor wrote about them."""
    require_learner(actor, evidence.portfolio)
    if AssessorRecord.objects.filter(evidence_id=evidence.pk).exists():
        raise ActionRefused(
            "Your assessor wrote this record, so only they can change it or its mappings. "
            "Read it and acknowledge it if it is a fair record."
        )


def require_not_witness_statement(evidence: Evidence) -> None:
    """A witness's statement stays as they gave it: nobody edits, adds to or deletes it."""
    if is_witness_statement(evidence):
        raise ActionRefused(
            "This is a witness’s statement, kept as they gave it: it cannot be changed, "
            "added to or deleted. Map it to the criteria it meets."
        )


def is_witness_statement(evidence: Evidence) -> bool:
    return WitnessStatement.objects.filter(evidence_id=evidence.pk).exists()


def evidence_is_submitted(evidence: Evidence) -> bool:
    """Submitted now, or assessed at some point: either way it is part of the record."""
    return evidence.mappings.filter(
        Q(status__in=SUBMITTED_STATES) | Q(decisions__isnull=False)
    ).exists()


def evidence_is_accepted(evidence: Evidence) -> bool:
    """Accepted for any criterion: its files are what the assessor judged, so they are fixed."""
    return evidence.mappings.filter(status=MappingStatus.ACCEPTED).exists()


def lock_evidence(evidence: Evidence) -> Evidence:
    """Re-read the evidence under a row lock so two requests cannot interleave their checks."""
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("portfolio")
        .get(pk=evidence.pk)
    )


def lock_mapping(mapping: Mapping) -> Mapping:
    """Re-read the mapping under a row lock so two requests cannot interleave their checks."""
    return (
        Mapping.objects.select_for_update(of=("self",))
        .select_related("evidence__portfolio", "criterion__unit")
        .get(pk=mapping.pk)
    )
