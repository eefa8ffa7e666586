"""Evidence files: adding one after its upload is checked, deleting one, and freeing storage."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused, UploadRefused
from portfolio.models import Evidence, EvidenceFile
from portfolio.services.guards import (
    evidence_is_accepted,
    evidence_is_submitted,
    lock_evidence,
    require_learners_own,
    require_not_witness_statement,
)
from portfolio.tasks import make_file_renditions
from portfolio.uploads import CheckedUpload, check_upload

ACCEPTED_EVIDENCE_TAKES_NO_FILES = (
    "This evidence has been accepted, so its files are part of the record. "
    "Add a new piece of evidence instead."
)


def delete_stored_files_on_commit(files: Iterable[EvidenceFile]) -> None:
    """Free the stored bytes only once the rows are gone for good."""
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
        evidence = lock_evidence(evidence)
        require_learners_own(actor, evidence)
        require_not_witness_statement(evidence)
        if evidence_is_accepted(evidence):
            # A file added now would print beside the assessor's acceptance as if judged with it.
            raise ActionRefused(ACCEPTED_EVIDENCE_TAKES_NO_FILES)
        return store_checked_file(actor=actor, evidence=evidence, checked=checked)


def store_checked_file(*, actor: User, evidence: Evidence, checked: CheckedUpload) -> EvidenceFile:
    """Keep an upload already checked by its content, for evidence the caller has locked and
    whose rules the caller has applied; one audit entry. Shared with the assessor's records."""
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
        transaction.on_commit(lambda: make_file_renditions.enqueue(evidence_file.pk))
    return evidence_file


@transaction.atomic
def evidence_file_delete(*, actor: User, evidence_file: EvidenceFile) -> None:
    """Remove one file, unless the evidence is part of the assessment record."""
    evidence = lock_evidence(evidence_file.evidence)
    # Re-read: renditions may have been made since the caller loaded the row.
    evidence_file = EvidenceFile.objects.get(pk=evidence_file.pk)
    require_learners_own(actor, evidence)
    if evidence_is_submitted(evidence):
        raise ActionRefused(
            f"{evidence_file.original_name} cannot be deleted: this evidence has been submitted "
            "for assessment, and its files are part of the record."
            + ("" if evidence_is_accepted(evidence) else " You can still add new files.")
        )
    audit_record(
        actor=actor,
        action="evidence_file.delete",
        obj=evidence_file,
        portfolio=evidence.portfolio,
        changes={"before": {"name": evidence_file.original_name, "sha256": evidence_file.sha256}},
    )
    evidence_file.delete()
    delete_stored_files_on_commit([evidence_file])
