"""Mappings of evidence to criteria: creating, editing, submitting, withdrawing, deleting."""

from __future__ import annotations

from collections.abc import Mapping as MappingType

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Evidence, Mapping, MappingStatus
from portfolio.services.guards import (
    is_witness_statement,
    lock_evidence,
    lock_mapping,
    require_learners_own,
)
from portfolio.units import portfolio_unit_ids
from qualifications.models import AssessmentCriterion, criteria_in_words


def _check_commentary(commentary: str, criterion: AssessmentCriterion) -> str:
    """The commentary stripped, or a refusal if it is empty or too long."""
    commentary = commentary.strip()
    if not commentary:
        raise ActionRefused(
            f"Explain how this evidence meets criterion {criterion.reference}: the commentary "
            "cannot be empty."
        )
    if len(commentary) > 10_000:
        raise ActionRefused(
            f"The commentary for criterion {criterion.reference} is {len(commentary):,} "
            "characters; keep it under 10,000."
        )
    return commentary


def _submit(mapping: Mapping) -> str:
    """Move one mapping to submitted; returns the status it had. The caller audits."""
    if mapping.status not in (MappingStatus.DRAFT, MappingStatus.REFERRED):
        raise ActionRefused(
            f"The mapping to criterion {mapping.criterion.reference} is "
            f"{mapping.get_status_display().lower()}, so it cannot be submitted again."
        )
    # A witness's statement is its own content; everything else needs a file to judge.
    if not mapping.evidence.files.exists() and not is_witness_statement(mapping.evidence):
        raise ActionRefused(
            "Add at least one file to this evidence before submitting it for assessment."
        )
    before = mapping.status
    mapping.status = MappingStatus.SUBMITTED
    mapping.submitted_at = timezone.now()
    mapping.save(update_fields=["status", "submitted_at"])
    return before


def _tell_assessor(actor: User, evidence: Evidence, mappings: list[Mapping]) -> None:
    """Let the assessor know there is new work waiting for them."""
    criteria = criteria_in_words([m.criterion for m in mappings])
    notify(
        recipient=evidence.portfolio.assessor,
        message=(
            f"{actor} submitted {criteria} from {evidence.reference} “{evidence.title}” "
            "for assessment."
        ),
        link=reverse("assessment:evidence_review", args=[evidence.pk]),
    )


@transaction.atomic
def mappings_create(
    *,
    actor: User,
    evidence: Evidence,
    commentaries: MappingType[AssessmentCriterion, str],
    submit: bool = False,
) -> list[Mapping]:
    """Map the evidence to several criteria at once, as drafts or submitted; all or nothing."""
    evidence = lock_evidence(evidence)
    require_learners_own(actor, evidence)
    if not commentaries:
        raise ActionRefused("Choose at least one criterion this evidence meets.")
    allowed_units = set(portfolio_unit_ids(evidence.portfolio))
    already = set(evidence.mappings.values_list("criterion_id", flat=True))
    mappings = []
    for criterion, commentary in commentaries.items():
        if criterion.unit_id not in allowed_units:
            raise ActionRefused(
                f"Criterion {criterion.reference} is not in a unit of this portfolio: its unit is "
                "neither mandatory nor one of the optional units chosen."
            )
        if criterion.pk in already:
            raise ActionRefused(
                f"This evidence is already mapped to criterion {criterion.reference}; edit that "
                "mapping instead."
            )
        mappings.append(
            Mapping.objects.create(
                evidence=evidence,
                criterion=criterion,
                commentary=_check_commentary(commentary, criterion),
            )
        )
    if submit:
        for mapping in mappings:
            _submit(mapping)
    audit_record(
        actor=actor,
        action="mapping.create",
        obj=evidence,
        portfolio=evidence.portfolio,
        changes={
            "after": [
                {
                    "criterion": m.criterion.reference,
                    "status": m.status,
                    "commentary": m.commentary,
                }
                for m in mappings
            ]
        },
    )
    if submit and mappings:
        _tell_assessor(actor, evidence, mappings)
    return mappings


@transaction.atomic
def mapping_update_commentary(*, actor: User, mapping: Mapping, commentary: str) -> Mapping:
    """Rewrite a draft or referred mapping's commentary."""
    mapping = lock_mapping(mapping)
    require_learners_own(actor, mapping.evidence)
    if mapping.status == MappingStatus.SUBMITTED:
        raise ActionRefused(
            "This mapping is waiting for your assessor. Withdraw it first if you need to change "
            "the commentary."
        )
    if mapping.status == MappingStatus.ACCEPTED:
        raise ActionRefused(
            "Your assessor has accepted this mapping, so its commentary is part of the record "
            "and cannot change."
        )
    commentary = _check_commentary(commentary, mapping.criterion)
    if commentary == mapping.commentary:
        return mapping
    before = mapping.commentary
    mapping.commentary = commentary
    mapping.updated_at = timezone.now()
    mapping.save(update_fields=["commentary", "updated_at"])
    audit_record(
        actor=actor,
        action="mapping.update",
        obj=mapping,
        portfolio=mapping.evidence.portfolio,
        changes={"before": {"commentary": before}, "after": {"commentary": commentary}},
    )
    return mapping


@transaction.atomic
def mapping_update_and_submit(*, actor: User, mapping: Mapping, commentary: str) -> Mapping:
    """Save a draft or referred mapping's commentary and send it to the assessor: both, or
    neither (a refusal to submit keeps the old commentary too). Answering a referral is this."""
    mapping = mapping_update_commentary(actor=actor, mapping=mapping, commentary=commentary)
    return mapping_submit(actor=actor, mapping=mapping)


@transaction.atomic
def mapping_delete(*, actor: User, mapping: Mapping) -> None:
    """Delete a draft that no assessor has ever judged."""
    mapping = lock_mapping(mapping)
    require_learners_own(actor, mapping.evidence)
    if mapping.status != MappingStatus.DRAFT:
        raise ActionRefused(
            f"Only draft mappings can be deleted; this one is "
            f"{mapping.get_status_display().lower()} and is part of the assessment record."
        )
    if mapping.decisions.exists():
        raise ActionRefused(
            "This mapping has been assessed before, so it stays in the record. Edit its "
            "commentary and submit it again, or leave it as a draft."
        )
    audit_record(
        actor=actor,
        action="mapping.delete",
        obj=mapping,
        portfolio=mapping.evidence.portfolio,
        changes={
            "before": {"criterion": mapping.criterion.reference, "commentary": mapping.commentary}
        },
    )
    mapping.delete()


@transaction.atomic
def mapping_submit(*, actor: User, mapping: Mapping) -> Mapping:
    """Send one mapping to the assessor and tell them."""
    mapping = lock_mapping(mapping)
    require_learners_own(actor, mapping.evidence)
    before = _submit(mapping)
    audit_record(
        actor=actor,
        action="mapping.submit",
        obj=mapping,
        portfolio=mapping.evidence.portfolio,
        changes={"before": {"status": before}, "after": {"status": mapping.status}},
    )
    _tell_assessor(actor, mapping.evidence, [mapping])
    return mapping


@transaction.atomic
def mappings_submit_all(*, actor: User, evidence: Evidence) -> int:
    """Submit every draft or referred mapping of this evidence; returns how many."""
    evidence = lock_evidence(evidence)
    require_learners_own(actor, evidence)
    waiting = list(
        evidence.mappings.select_for_update(of=("self",))
        .select_related("criterion__unit", "evidence__portfolio")
        .filter(status__in=(MappingStatus.DRAFT, MappingStatus.REFERRED))
    )
    if not waiting:
        if not evidence.mappings.exists():
            raise ActionRefused(
                "There is nothing to submit yet: map this evidence to the criteria it meets first."
            )
        raise ActionRefused("There is nothing to submit: every mapping is already submitted.")
    changes = []
    for mapping in waiting:
        before = _submit(mapping)
        changes.append(
            {
                "criterion": mapping.criterion.reference,
                "before": before,
                "after": mapping.status,
            }
        )
    audit_record(
        actor=actor,
        action="mapping.submit",
        obj=evidence,
        portfolio=evidence.portfolio,
        changes={"mappings": changes},
    )
    _tell_assessor(actor, evidence, waiting)
    return len(waiting)


@transaction.atomic
def mapping_withdraw(*, actor: User, mapping: Mapping) -> Mapping:
    """Take a mapping back from the assessor's queue so the learner can change it."""
    mapping = lock_mapping(mapping)
    require_learners_own(actor, mapping.evidence)
    if mapping.status != MappingStatus.SUBMITTED:
        raise ActionRefused(
            f"Only a mapping waiting for assessment can be withdrawn; this one is "
            f"{mapping.get_status_display().lower()}."
        )
    mapping.status = MappingStatus.DRAFT
    mapping.submitted_at = None
    mapping.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action="mapping.withdraw",
        obj=mapping,
        portfolio=mapping.evidence.portfolio,
        changes={"before": {"status": MappingStatus.SUBMITTED}, "after": {"status": "draft"}},
    )
    return mapping
