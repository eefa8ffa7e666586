"""Evidence itself: creating it, correcting its details, and deleting it while it is a draft."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Evidence, MappingStatus, Portfolio
from portfolio.services.files import delete_stored_files_on_commit
from portfolio.services.guards import (
    evidence_is_submitted,
    lock_evidence,
    require_learner,
    require_learners_own,
    require_not_witness_statement,
)

EDITABLE_EVIDENCE_FIELDS = ("type", "title", "activity_date", "description")


def _check_activity_date(activity_date: datetime.date) -> None:
    """Evidence records something that happened, so its date cannot be ahead of today."""
    if activity_date > timezone.localdate():
        raise ActionRefused("The date of the activity cannot be in the future.")


@transaction.atomic
def evidence_create(
    *,
    actor: User,
    portfolio: Portfolio,
    type: str,
    title: str,
    activity_date: datetime.date,
    description: str,
) -> Evidence:
    """Start a piece of evidence in the learner's own portfolio."""
    require_learner(actor, portfolio)
    _check_activity_date(activity_date)
    evidence = Evidence.objects.create(
        portfolio=portfolio,
        type=type,
        title=title,
        activity_date=activity_date,
        description=description,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="evidence.create",
        obj=evidence,
        portfolio=portfolio,
        changes={"after": {"type": type, "title": title, "activity_date": str(activity_date)}},
    )
    return evidence


@transaction.atomic
def evidence_update(*, actor: User, evidence: Evidence, **values: object) -> Evidence:
    """Correct the details while no assessor holds or has accepted the evidence."""
    evidence = lock_evidence(evidence)
    require_learners_own(actor, evidence)
    require_not_witness_statement(evidence)
    unknown = set(values) - set(EDITABLE_EVIDENCE_FIELDS)
    if unknown:
        raise TypeError(f"evidence_update cannot change {', '.join(sorted(unknown))}")
    if evidence.mappings.filter(
        status__in=(MappingStatus.SUBMITTED, MappingStatus.ACCEPTED)
    ).exists():
        raise ActionRefused(
            "This evidence is with your assessor or has been accepted, so its details cannot "
            "change. Withdraw the submitted mappings first if you need to correct something."
        )
    if "activity_date" in values:
        _check_activity_date(values["activity_date"])  # type: ignore[arg-type]
    changed = {name: value for name, value in values.items() if getattr(evidence, name) != value}
    if not changed:
        return evidence
    before = {name: str(getattr(evidence, name)) for name in changed}
    for name, value in changed.items():
        setattr(evidence, name, value)
    evidence.updated_at = timezone.now()
    evidence.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action="evidence.update",
        obj=evidence,
        portfolio=evidence.portfolio,
        changes={"before": before, "after": {name: str(v) for name, v in changed.items()}},
    )
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User, evidence: Evidence) -> None:
    """Remove evidence, its draft mappings and its files, unless it is in the record."""
    evidence = lock_evidence(evidence)
    require_learners_own(actor, evidence)
    require_not_witness_statement(evidence)
    if evidence_is_submitted(evidence):
        raise ActionRefused(
            "This evidence has been submitted for assessment, so it cannot be deleted: your "
            "assessor's record depends on it. Withdraw any mappings still waiting first."
        )
    if evidence.messages.exists():
        raise ActionRefused(
            "There are messages about this evidence, and messages are kept as part of the "
            "record, so the evidence stays too. Leave it unmapped if you no longer need it."
        )
    files = list(evidence.files.all())
    audit_record(
        actor=actor,
        action="evidence.delete",
        obj=evidence,
        portfolio=evidence.portfolio,
        changes={
            "before": {
                "title": evidence.title,
                "files": [f.original_name for f in files],
                "mappings": [
                    m.criterion.reference
                    for m in evidence.mappings.select_related("criterion__unit")
                ],
            }
        },
    )
    evidence.mappings.all().delete()
    evidence.delete()
    delete_stored_files_on_commit(files)
