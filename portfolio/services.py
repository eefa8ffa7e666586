"""Every change to evidence, its files and its mappings happens here.

Each function takes keyword-only arguments, runs in one transaction, checks the state it
starts from (raising ActionRefused with a message for the learner if the change is not
allowed), saves only the fields it changes and writes one audit entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Mapping as MappingType

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused, UploadRefused
from portfolio.models import (
    Evidence,
    EvidenceFile,
    Mapping,
    MappingStatus,
    Portfolio,
)
from portfolio.uploads import check_upload
from qualifications.models import AssessmentCriterion

# Mapping states in which the evidence is in an assessor's hands or already judged.
SUBMITTED_STATES = (MappingStatus.SUBMITTED, MappingStatus.REFERRED, MappingStatus.ACCEPTED)


def _require_learner(actor: User, portfolio: Portfolio) -> None:
    if actor.pk != portfolio.learner_id:
        raise ActionRefused("Only the learner can change the evidence in their portfolio.")


def _evidence_is_submitted(evidence: Evidence) -> bool:
    """Submitted now, or assessed at some point: either way it is part of the record."""
    return evidence.mappings.filter(
        Q(status__in=SUBMITTED_STATES) | Q(decisions__isnull=False)
    ).exists()


def _lock_evidence(evidence: Evidence) -> Evidence:
    """Re-read the evidence under a row lock so two requests cannot interleave their checks."""
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("portfolio")
        .get(pk=evidence.pk)
    )


def _lock_mapping(mapping: Mapping) -> Mapping:
    return (
        Mapping.objects.select_for_update(of=("self",))
        .select_related("evidence__portfolio", "criterion")
        .get(pk=mapping.pk)
    )


def _check_activity_date(activity_date: datetime.date) -> None:
    if activity_date > timezone.localdate():
        raise ActionRefused("The date of the activity cannot be in the future.")


# Evidence ------------------------------------------------------------------------------------


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
    _require_learner(actor, portfolio)
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


EDITABLE_EVIDENCE_FIELDS = ("type", "title", "activity_date", "description")


@transaction.atomic
def evidence_update(*, actor: User, evidence: Evidence, **values: object) -> Evidence:
    evidence = _lock_evidence(evidence)
    _require_learner(actor, evidence.portfolio)
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
    evidence = _lock_evidence(evidence)
    _require_learner(actor, evidence.portfolio)
    if _evidence_is_submitted(evidence):
        raise ActionRefused(
            "This evidence has been submitted for assessment, so it cannot be deleted: your "
            "assessor's record depends on it. Withdraw any mappings still waiting first."
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
                "mappings": list(evidence.mappings.values_list("criterion__number", flat=True)),
            }
        },
    )
    evidence.mappings.all().delete()
    evidence.delete()
    _delete_stored_files_on_commit(files)


# Files ---------------------------------------------------------------------------------------


def _delete_stored_files_on_commit(files: Iterable[EvidenceFile]) -> None:
    names = [
        (field.storage, field.name)
        for evidence_file in files
        for field in (evidence_file.file, evidence_file.thumbnail, evidence_file.print_rendition)
        if field
    ]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def evidence_file_add(*, actor: User, evidence: Evidence, uploaded: UploadedFile) -> EvidenceFile:
    """Check one upload by its content and keep it; raises UploadRefused or ActionRefused."""
    checked = check_upload(uploaded)
    with transaction.atomic():
        evidence = _lock_evidence(evidence)
        _require_learner(actor, evidence.portfolio)
        if evidence.files.count() >= settings.EVIDENCE_MAX_FILES:
            raise UploadRefused(
                checked.display_name,
                f"a piece of evidence holds at most {settings.EVIDENCE_MAX_FILES} files. "
                "Create another piece of evidence for the rest.",
            )
        evidence_file = EvidenceFile(
            evidence=evidence,
            original_name=checked.display_name,
            kind=checked.kind,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            width=checked.width,
            height=checked.height,
            uploaded_by=actor,
        )
        evidence_file.file.save(f"upload{checked.extension}", checked.content, save=False)
        # If anything below fails, the stored bytes must not outlive the rolled-back row.
        try:
            evidence_file.save()
            audit_record(
                actor=actor,
                action="evidence_file.add",
                obj=evidence_file,
                portfolio=evidence.portfolio,
                changes={
                    "after": {
                        "name": checked.display_name,
                        "size": checked.size,
                        "sha256": checked.sha256,
                    }
                },
            )
        except BaseException:
            evidence_file.file.storage.delete(evidence_file.file.name)
            raise
        if evidence_file.is_image:
            from portfolio.tasks import make_file_renditions

            transaction.on_commit(lambda: make_file_renditions.enqueue(evidence_file.pk))
    return evidence_file


@transaction.atomic
def evidence_file_delete(*, actor: User, evidence_file: EvidenceFile) -> None:
    evidence = _lock_evidence(evidence_file.evidence)
    # Re-read: renditions may have been made since the caller loaded the row.
    evidence_file = EvidenceFile.objects.get(pk=evidence_file.pk)
    _require_learner(actor, evidence.portfolio)
    if _evidence_is_submitted(evidence):
        raise ActionRefused(
            f"{evidence_file.original_name} cannot be deleted: this evidence has been submitted "
            "for assessment, and its files are part of the record. You can still add new files."
        )
    audit_record(
        actor=actor,
        action="evidence_file.delete",
        obj=evidence_file,
        portfolio=evidence.portfolio,
        changes={"before": {"name": evidence_file.original_name, "sha256": evidence_file.sha256}},
    )
    evidence_file.delete()
    _delete_stored_files_on_commit([evidence_file])


# Mappings ------------------------------------------------------------------------------------


def _check_commentary(commentary: str, criterion: AssessmentCriterion) -> str:
    commentary = commentary.strip()
    if not commentary:
        raise ActionRefused(
            f"Explain how this evidence meets criterion {criterion.number}: the commentary "
            "cannot be empty."
        )
    if len(commentary) > 10_000:
        raise ActionRefused(
            f"The commentary for criterion {criterion.number} is {len(commentary):,} characters; "
            "keep it under 10,000."
        )
    return commentary


def _submit(mapping: Mapping) -> str:
    """Move one mapping to submitted; returns the status it had. The caller audits."""
    if mapping.status not in (MappingStatus.DRAFT, MappingStatus.REFERRED):
        raise ActionRefused(
            f"The mapping to criterion {mapping.criterion.number} is "
            f"{mapping.get_status_display().lower()}, so it cannot be submitted again."
        )
    if not mapping.evidence.files.exists():
        raise ActionRefused(
            "Add at least one file to this evidence before submitting it for assessment."
        )
    before = mapping.status
    mapping.status = MappingStatus.SUBMITTED
    mapping.submitted_at = timezone.now()
    mapping.save(update_fields=["status", "submitted_at"])
    return before


def _tell_assessor(actor: User, evidence: Evidence, count: int) -> None:
    notify(
        recipient=evidence.portfolio.assessor,
        message=(
            f"{actor} submitted {count} mapping{'s' if count != 1 else ''} from "
            f"“{evidence.title}” for assessment."
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
    evidence = _lock_evidence(evidence)
    _require_learner(actor, evidence.portfolio)
    if not commentaries:
        raise ActionRefused("Choose at least one criterion this evidence meets.")
    allowed_units = set(
        evidence.portfolio.qualification.unit_links.values_list("unit_id", flat=True)
    )
    already = set(evidence.mappings.values_list("criterion_id", flat=True))
    mappings = []
    for criterion, commentary in commentaries.items():
        if criterion.unit_id not in allowed_units:
            raise ActionRefused(
                f"Criterion {criterion.number} is not part of "
                f"{evidence.portfolio.qualification.title}."
            )
        if criterion.pk in already:
            raise ActionRefused(
                f"This evidence is already mapped to criterion {criterion.number} of "
                f"{criterion.unit.title}; edit that mapping instead."
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
                    "criterion": f"{m.criterion.unit.reference} {m.criterion.number}",
                    "status": m.status,
                    "commentary": m.commentary,
                }
                for m in mappings
            ]
        },
    )
    if submit and mappings:
        _tell_assessor(actor, evidence, len(mappings))
    return mappings


@transaction.atomic
def mapping_update_commentary(*, actor: User, mapping: Mapping, commentary: str) -> Mapping:
    mapping = _lock_mapping(mapping)
    _require_learner(actor, mapping.evidence.portfolio)
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
def mapping_delete(*, actor: User, mapping: Mapping) -> None:
    mapping = _lock_mapping(mapping)
    _require_learner(actor, mapping.evidence.portfolio)
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
            "before": {"criterion": mapping.criterion.number, "commentary": mapping.commentary}
        },
    )
    mapping.delete()


@transaction.atomic
def mapping_submit(*, actor: User, mapping: Mapping) -> Mapping:
    mapping = _lock_mapping(mapping)
    _require_learner(actor, mapping.evidence.portfolio)
    before = _submit(mapping)
    audit_record(
        actor=actor,
        action="mapping.submit",
        obj=mapping,
        portfolio=mapping.evidence.portfolio,
        changes={"before": {"status": before}, "after": {"status": mapping.status}},
    )
    _tell_assessor(actor, mapping.evidence, 1)
    return mapping


@transaction.atomic
def mappings_submit_all(*, actor: User, evidence: Evidence) -> int:
    """Submit every draft or referred mapping of this evidence; returns how many."""
    evidence = _lock_evidence(evidence)
    _require_learner(actor, evidence.portfolio)
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
                "criterion": f"{mapping.criterion.unit.reference} {mapping.criterion.number}",
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
    _tell_assessor(actor, evidence, len(waiting))
    return len(waiting)


@transaction.atomic
def mapping_withdraw(*, actor: User, mapping: Mapping) -> Mapping:
    mapping = _lock_mapping(mapping)
    _require_learner(actor, mapping.evidence.portfolio)
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
