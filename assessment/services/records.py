"""Evidence the assessor writes: an observation or a professional discussion record, mapped to
criteria, and the learner's acknowledgement that it is a fair record.

The record's mappings stay drafts until the learner acknowledges it; the acknowledgement fixes
the record and submits them, so nothing is decided on a record the learner has not seen, and
nothing decided can change afterwards. The assessor then decides them in the ordinary flow.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from accounts.notifications import notify
from assessment.services.actors import refuse_unless_assessor
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import (
    ASSESSOR_RECORD_TYPES,
    AssessorRecord,
    DiscussionItem,
    Evidence,
    EvidenceType,
    FileKind,
    Mapping,
    MappingStatus,
    Portfolio,
)
from portfolio.services.files import delete_stored_files_on_commit, store_checked_file
from portfolio.units import portfolio_unit_ids
from portfolio.uploads import CheckedUpload, check_upload
from qualifications.models import AssessmentCriterion

ACKNOWLEDGEMENT = (
    "I, {learner}, have read the {kind} record “{title}” written by {assessor} about {when}, "
    "and I confirm that it is a fair record of what happened."
)


@dataclass(frozen=True)
class RecordContent:
    """What the assessor wrote, as the form collected it; the service checks it."""

    title: str
    location: str
    occurred_at: datetime.datetime
    judgement: str
    criteria: tuple[AssessmentCriterion, ...]
    observed: str = ""
    # (question, answer summarised) pairs, in the order they were asked.
    discussion: tuple[tuple[str, str], ...] = ()


def kind_label(record_type: str) -> str:
    """ "observation" or "professional discussion", for sentences."""
    return EvidenceType(record_type).label.lower()


def a_kind(record_type: str) -> str:
    """ "an observation" or "a professional discussion"."""
    label = kind_label(record_type)
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def acknowledgement_wording(learner: User, record: AssessorRecord) -> str:
    """The words the learner confirms, shown on the page and stored as they were shown."""
    when = timezone.localtime(record.occurred_at)
    return ACKNOWLEDGEMENT.format(
        learner=learner.full_name,
        kind=kind_label(record.evidence.type),
        title=record.evidence.title,
        assessor=record.author.full_name,
        when=f"{date_format(when, 'j F Y')} at {when:%H:%M}",
    )


def _check_content(record_type: str, content: RecordContent, portfolio: Portfolio) -> None:
    """Every refusal a record can meet, before anything is written."""
    if record_type not in ASSESSOR_RECORD_TYPES:
        raise ActionRefused("An assessor writes observation or professional discussion records.")
    if not content.title.strip():
        raise ActionRefused("Give the record a title.")
    if content.occurred_at > timezone.now():
        raise ActionRefused("The record is of something that happened: its time cannot be ahead.")
    if not content.judgement.strip():
        raise ActionRefused("Write your judgement: it is what the record is for.")
    if record_type == EvidenceType.OBSERVATION:
        if not content.location.strip():
            raise ActionRefused("Say where the observation took place.")
        if not content.observed.strip():
            raise ActionRefused("Describe what you observed.")
    else:
        if not content.discussion:
            raise ActionRefused("Record at least one question you asked and the answer given.")
        for number, (question, answer) in enumerate(content.discussion, start=1):
            if not question.strip() or not answer.strip():
                raise ActionRefused(
                    f"Question {number} needs both the question and a summary of the answer."
                )
    if not content.criteria:
        raise ActionRefused("Choose at least one criterion this record is evidence for.")
    allowed = set(portfolio_unit_ids(portfolio))
    for criterion in content.criteria:
        if criterion.unit_id not in allowed:
            raise ActionRefused(
                f"Criterion {criterion.reference} is not in a unit of this portfolio: its unit is "
                "neither mandatory nor one of the optional units chosen."
            )


def _check_audio(record_type: str, audio: UploadedFile | None) -> CheckedUpload | None:
    """The same checks as any upload, then: only an audio file, only for a discussion."""
    if audio is None:
        return None
    if record_type != EvidenceType.PROFESSIONAL_DISCUSSION:
        raise ActionRefused("Only a professional discussion takes an audio recording.")
    checked = check_upload(audio)
    if checked.kind != FileKind.AUDIO:
        raise ActionRefused(
            f"{checked.display_name} is not an audio recording; add an audio file, or none."
        )
    return checked


def _commentary(record_type: str, author: User, occurred_at: datetime.datetime) -> str:
    """The record is the commentary: each mapping points to it rather than repeating it."""
    day = date_format(timezone.localtime(occurred_at), "j F Y")
    return (
        f"Assessed by {author.full_name} in the {kind_label(record_type)} of {day}: see the "
        "record for what was seen or said and the assessor’s judgement."
    )


def _describe(record: AssessorRecord) -> dict[str, object]:
    """The record as the audit keeps it."""
    items = list(record.items.all())
    criteria = record.evidence.mappings.select_related("criterion__unit").order_by(
        "criterion__unit__reference", "criterion__position"
    )
    return {
        "title": record.evidence.title,
        "where": record.location,
        "when": timezone.localtime(record.occurred_at).isoformat(timespec="minutes"),
        "observed": record.observed,
        "questions": [f"{item.question} — {item.answer}" for item in items],
        "judgement": record.judgement,
        "criteria": [m.criterion.reference for m in criteria],
    }


def _evidence_fields(record_type: str, content: RecordContent) -> dict[str, object]:
    """The evidence row's own fields, read from the record so lists and searches find it."""
    return {
        "title": content.title.strip(),
        "activity_date": timezone.localtime(content.occurred_at).date(),
        "description": (
            content.observed.strip()
            if record_type == EvidenceType.OBSERVATION
            else "\n".join(question.strip() for question, _ in content.discussion)
        ),
    }


def _write(record: AssessorRecord, content: RecordContent) -> None:
    """Store the content on the record, its evidence, its questions and its draft mappings."""
    evidence = record.evidence
    for name, value in _evidence_fields(evidence.type, content).items():
        setattr(evidence, name, value)
    evidence.updated_at = timezone.now()
    evidence.save(update_fields=["title", "activity_date", "description", "updated_at"])
    record.location = content.location.strip()
    record.occurred_at = content.occurred_at
    record.observed = content.observed.strip() if evidence.type == EvidenceType.OBSERVATION else ""
    record.judgement = content.judgement.strip()
    record.save()
    record.items.all().delete()
    DiscussionItem.objects.bulk_create(
        DiscussionItem(record=record, position=n, question=q.strip(), answer=a.strip())
        for n, (q, a) in enumerate(content.discussion, start=1)
    )
    chosen = {criterion.pk: criterion for criterion in content.criteria}
    # Drafts only: nothing of an unacknowledged record has been submitted or decided.
    evidence.mappings.exclude(criterion_id__in=chosen).delete()
    have = set(evidence.mappings.values_list("criterion_id", flat=True))
    commentary = _commentary(evidence.type, record.author, record.occurred_at)
    Mapping.objects.bulk_create(
        Mapping(evidence=evidence, criterion=criterion, commentary=commentary)
        for pk, criterion in chosen.items()
        if pk not in have
    )


def _replace_audio(
    *, actor: User, record: AssessorRecord, checked: CheckedUpload | None
) -> str | None:
    """Keep the new recording in place of any earlier one; returns its name."""
    if checked is None:
        return None
    old = list(record.evidence.files.all())
    for evidence_file in old:
        evidence_file.delete()
    delete_stored_files_on_commit(old)
    return store_checked_file(actor=actor, evidence=record.evidence, checked=checked).original_name


def _lock_record(record: AssessorRecord) -> AssessorRecord:
    return (
        AssessorRecord.objects.select_for_update(of=("self",))
        .select_related("evidence__portfolio__learner", "author")
        .get(pk=record.pk)
    )


def record_create(
    *,
    actor: User,
    portfolio: Portfolio,
    type: str,
    content: RecordContent,
    audio: UploadedFile | None = None,
) -> AssessorRecord:
    """The assessor writes an observation or discussion record about the learner."""
    checked = _check_audio(type, audio)
    with transaction.atomic():
        portfolio = (
            Portfolio.objects.select_for_update(of=("self",))
            .select_related("learner")
            .get(pk=portfolio.pk)
        )
        refuse_unless_assessor(actor, portfolio)
        _check_content(type, content, portfolio)
        evidence = Evidence.objects.create(
            portfolio=portfolio, type=type, created_by=actor, **_evidence_fields(type, content)
        )
        record = AssessorRecord(evidence=evidence, author=actor, occurred_at=content.occurred_at)
        _write(record, content)
        audio_name = _replace_audio(actor=actor, record=record, checked=checked)
        audit_record(
            actor=actor,
            action="record.create",
            obj=evidence,
            portfolio=portfolio,
            changes={"after": {"type": type, **_describe(record), "audio": audio_name}},
        )
        notify(
            recipient=portfolio.learner,
            message=(
                f"{actor} wrote {a_kind(type)} record, “{evidence.title}”: read it and "
                "acknowledge it if it is fair."
            ),
            link=reverse("portfolio:evidence_detail", args=[evidence.pk]),
        )
    return record


def record_update(
    *,
    actor: User,
    record: AssessorRecord,
    content: RecordContent,
    audio: UploadedFile | None = None,
) -> AssessorRecord:
    """Correct the record until the learner acknowledges it; after that it is fixed."""
    checked = _check_audio(record.evidence.type, audio)
    with transaction.atomic():
        record = _lock_record(record)
        portfolio = record.evidence.portfolio
        refuse_unless_assessor(actor, portfolio)
        if record.author_id != actor.pk:
            raise ActionRefused("Only the assessor who wrote this record can change it.")
        if record.is_acknowledged:
            raise ActionRefused(
                f"{portfolio.learner} acknowledged this record as fair, so it can no longer "
                "change. Write a new record if something needs adding."
            )
        _check_content(record.evidence.type, content, portfolio)
        before = _describe(record)
        if checked is not None:
            before["audio"] = ", ".join(f.original_name for f in record.evidence.files.all())
        _write(record, content)
        audio_name = _replace_audio(actor=actor, record=record, checked=checked)
        after = _describe(record) | ({"audio": audio_name} if audio_name else {})
        changed = [key for key in after if after[key] != before.get(key)]
        if not changed:
            return record
        audit_record(
            actor=actor,
            action="record.update",
            obj=record.evidence,
            portfolio=portfolio,
            changes={
                "before": {key: before.get(key) for key in changed},
                "after": {key: after[key] for key in changed},
            },
        )
    return record


@transaction.atomic
def record_acknowledge(*, actor: User, record: AssessorRecord) -> AssessorRecord:
    """The learner confirms the record is fair, in the exact words shown; its mappings go to
    the assessor to decide."""
    record = _lock_record(record)
    evidence = record.evidence
    portfolio = evidence.portfolio
    if actor.pk != portfolio.learner_id:
        raise ActionRefused("Only the learner the record is about can acknowledge it.")
    if record.is_acknowledged:
        raise ActionRefused(
            "You have already acknowledged this record; there is nothing more to do."
        )
    wording = acknowledgement_wording(actor, record)
    record.acknowledged_by = actor
    record.acknowledged_at = timezone.now()
    record.acknowledgement_wording = wording
    record.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_wording"])
    drafts = list(
        evidence.mappings.select_for_update(of=("self",))
        .select_related("criterion__unit")
        .filter(status=MappingStatus.DRAFT)
    )
    for mapping in drafts:
        mapping.status = MappingStatus.SUBMITTED
        mapping.submitted_at = record.acknowledged_at
        mapping.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action="record.acknowledge",
        obj=evidence,
        portfolio=portfolio,
        changes={
            "after": {
                "wording": wording,
                "submitted": [m.criterion.reference for m in drafts],
            }
        },
    )
    notify(
        recipient=portfolio.assessor,
        message=f"{actor} acknowledged your record “{evidence.title}”; it is ready to decide.",
        link=reverse("assessment:evidence_review", args=[evidence.pk]),
    )
    return record
