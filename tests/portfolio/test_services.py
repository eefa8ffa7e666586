"""The services: every allowed change and every refusal, which must leave everything as it was."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Notification, User
from assessment.models import Outcome
from assessment.progress import portfolio_progress
from portfolio import services
from portfolio.errors import ActionRefused, UploadRefused
from portfolio.models import (
    AuditEntry,
    Evidence,
    EvidenceFile,
    FileKind,
    Mapping,
    MappingStatus,
    Portfolio,
)
from portfolio.progress import CriterionStatus, criterion_status, criterion_statuses
from qualifications.models import AssessmentCriterion
from tests.catalogue import criterion
from tests.factories import DecisionFactory, EvidenceFileFactory, MappingFactory
from tests.files import (
    html_upload,
    jpeg_upload,
    stored_bytes,
    stored_names,
    text_upload,
)

pytestmark = pytest.mark.django_db

COMMENTARY = "I greeted each customer, asked what they needed and checked back later."


# Helpers -------------------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Everything a refused action must leave exactly as it was."""
    return {
        "evidence": list(
            Evidence.objects.order_by("pk").values(
                "pk", "type", "title", "activity_date", "description", "updated_at"
            )
        ),
        "files": list(
            EvidenceFile.objects.order_by("pk").values(
                "pk", "file", "original_name", "thumbnail", "print_rendition"
            )
        ),
        "mappings": list(
            Mapping.objects.order_by("pk").values(
                "pk", "criterion_id", "commentary", "status", "submitted_at", "updated_at"
            )
        ),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "stored": stored_names(),
    }


@contextmanager
def refused(match: str) -> Iterator[None]:
    """The action is refused with a message matching `match`, and nothing changes."""
    before = snapshot()
    with pytest.raises(ActionRefused, match=match) as caught:
        yield
    assert caught.value.message == str(caught.value)
    assert snapshot() == before


def map_to(
    actor: User,
    evidence: Evidence,
    *criteria: AssessmentCriterion,
    submit: bool = False,
) -> list[Mapping]:
    return services.mappings_create(
        actor=actor,
        evidence=evidence,
        commentaries={c: f"{COMMENTARY} ({c.number})" for c in criteria},
        submit=submit,
    )


def set_status(mapping: Mapping, status: str) -> Mapping:
    """The assessor's outcome, set directly: these tests are about the learner's side."""
    Mapping.objects.filter(pk=mapping.pk).update(status=status)
    mapping.refresh_from_db()
    return mapping


def last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-pk").first()


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# Evidence: create ----------------------------------------------------------------------------


def test_learner_creates_evidence_in_their_own_portfolio_with_an_audit_entry(
    amy: User, amy_portfolio: Portfolio
) -> None:
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type="observation",
        title="Observed at the till",
        activity_date=datetime.date(2025, 11, 3),
        description="My assessor watched me serve customers.",
    )

    evidence.refresh_from_db()
    assert evidence.portfolio == amy_portfolio
    assert evidence.created_by == amy
    entry = last_audit()
    assert entry.action == "evidence.create"
    assert entry.actor == amy
    assert entry.portfolio == amy_portfolio
    assert entry.object_type == "portfolio.Evidence"
    assert entry.object_id == str(evidence.pk)
    assert entry.changes == {
        "after": {
            "type": "observation",
            "title": "Observed at the till",
            "activity_date": "2025-11-03",
        }
    }


def test_evidence_dated_today_is_accepted(amy: User, amy_portfolio: Portfolio) -> None:
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type="product",
        title="Today's display",
        activity_date=timezone.localdate(),
        description="Built this morning.",
    )

    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_evidence_dated_in_the_future_is_refused_and_nothing_is_saved(
    amy: User, amy_portfolio: Portfolio
) -> None:
    with refused("cannot be in the future"):
        services.evidence_create(
            actor=amy,
            portfolio=amy_portfolio,
            type="product",
            title="Tomorrow's display",
            activity_date=timezone.localdate() + datetime.timedelta(days=1),
            description="Not done yet.",
        )


@pytest.mark.parametrize("who", ["asha", "ben", "ada"])
def test_nobody_but_the_learner_can_create_evidence_in_a_portfolio(
    request: pytest.FixtureRequest, amy_portfolio: Portfolio, who: str
) -> None:
    with refused("Only the learner"):
        services.evidence_create(
            actor=request.getfixturevalue(who),
            portfolio=amy_portfolio,
            type="product",
            title="Made for Amy",
            activity_date=datetime.date(2025, 10, 1),
            description="Someone else's work.",
        )


# Evidence: update ----------------------------------------------------------------------------


def test_draft_evidence_details_change_with_an_audit_entry_holding_before_and_after(
    amy: User, evidence: Evidence
) -> None:
    services.evidence_update(
        actor=amy, evidence=evidence, title="Feedback board, May", type="observation"
    )

    evidence.refresh_from_db()
    assert evidence.title == "Feedback board, May"
    assert evidence.type == "observation"
    entry = last_audit()
    assert entry.action == "evidence.update"
    assert entry.changes == {
        "before": {"title": "Customer feedback board", "type": "product"},
        "after": {"title": "Feedback board, May", "type": "observation"},
    }


def test_an_update_that_changes_nothing_writes_no_audit_entry(
    amy: User, evidence: Evidence
) -> None:
    before = snapshot()

    services.evidence_update(actor=amy, evidence=evidence, title=evidence.title)

    assert snapshot() == before


def test_evidence_update_is_refused_while_a_mapping_is_submitted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    with refused("Withdraw the submitted mappings first"):
        services.evidence_update(actor=amy, evidence=evidence, title="Changed after submitting")


def test_evidence_update_is_refused_once_a_mapping_is_accepted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, MappingStatus.ACCEPTED)

    with refused("has been accepted"):
        services.evidence_update(actor=amy, evidence=evidence, title="Changed after acceptance")


def test_evidence_update_is_allowed_again_after_the_submitted_mapping_is_withdrawn(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    services.mapping_withdraw(actor=amy, mapping=mapping)

    services.evidence_update(actor=amy, evidence=evidence, title="Corrected title")

    evidence.refresh_from_db()
    assert evidence.title == "Corrected title"


def test_referred_evidence_can_be_corrected(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, MappingStatus.REFERRED)

    services.evidence_update(actor=amy, evidence=evidence, description="More detail, as asked.")

    evidence.refresh_from_db()
    assert evidence.description == "More detail, as asked."


def test_evidence_cannot_be_moved_to_a_future_date(amy: User, evidence: Evidence) -> None:
    with refused("cannot be in the future"):
        services.evidence_update(
            actor=amy,
            evidence=evidence,
            activity_date=timezone.localdate() + datetime.timedelta(days=3),
        )


def test_an_assessor_cannot_update_a_learners_evidence(asha: User, evidence: Evidence) -> None:
    with refused("Only the learner"):
        services.evidence_update(actor=asha, evidence=evidence, title="Asha's title")


def test_evidence_update_rejects_fields_that_are_not_editable(
    amy: User, evidence: Evidence, ben_portfolio: Portfolio
) -> None:
    with pytest.raises(TypeError, match="portfolio"):
        services.evidence_update(actor=amy, evidence=evidence, portfolio=ben_portfolio)


# Evidence: delete ----------------------------------------------------------------------------


def test_deleting_draft_evidence_removes_mappings_files_and_stored_files_after_commit(
    amy: User,
    make_evidence: Callable[..., Evidence],
    wwo_1_1: AssessmentCriterion,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        evidence = make_evidence()
    map_to(amy, evidence, wwo_1_1)
    stored = evidence.files.get()
    names = {stored.file.name, stored.thumbnail.name, stored.print_rendition.name}
    assert all(names) and names <= stored_names()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_delete(actor=amy, evidence=evidence)
    assert names <= stored_names(), "stored files go only once the deletion commits"
    for callback in callbacks:
        callback()

    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not Mapping.objects.filter(evidence_id=evidence.pk).exists()
    assert not EvidenceFile.objects.filter(evidence_id=evidence.pk).exists()
    assert names.isdisjoint(stored_names())
    entry = last_audit()
    assert entry.action == "evidence.delete"
    assert entry.changes == {
        "before": {
            "title": "Customer feedback board",
            "files": ["photo.jpg"],
            "mappings": ["RS-WWO 1.1"],
        }
    }


def test_submitted_evidence_cannot_be_deleted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    with refused("cannot be deleted"):
        services.evidence_delete(actor=amy, evidence=evidence)


def test_referred_evidence_cannot_be_deleted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, MappingStatus.REFERRED)

    with refused("cannot be deleted"):
        services.evidence_delete(actor=amy, evidence=evidence)


def test_an_assessor_cannot_delete_a_learners_evidence(asha: User, evidence: Evidence) -> None:
    with refused("Only the learner"):
        services.evidence_delete(actor=asha, evidence=evidence)


# Files: add ----------------------------------------------------------------------------------


def test_adding_a_photo_records_its_hash_size_and_kind(
    amy: User, make_evidence: Callable[..., Evidence]
) -> None:
    evidence = make_evidence(with_file=False)

    added = services.evidence_file_add(
        actor=amy, evidence=evidence, uploaded=jpeg_upload("till.jpg", width=80, height=60)
    )

    added.refresh_from_db()
    kept = stored_bytes(added.file.name)
    assert added.kind == FileKind.IMAGE
    assert added.content_type == "image/jpeg"
    assert added.original_name == "till.jpg"
    assert added.size == len(kept)
    assert added.sha256 == hashlib.sha256(kept).hexdigest()
    assert (added.width, added.height) == (80, 60)
    assert added.uploaded_by == amy
    entry = last_audit()
    assert entry.action == "evidence_file.add"
    assert entry.changes == {
        "after": {"name": "till.jpg", "size": added.size, "sha256": added.sha256}
    }


def test_a_text_file_is_kept_byte_for_byte(
    amy: User, make_evidence: Callable[..., Evidence]
) -> None:
    evidence = make_evidence(with_file=False)
    text = "Notes from my review meeting.\n"

    added = services.evidence_file_add(
        actor=amy, evidence=evidence, uploaded=text_upload("review.txt", text)
    )

    assert added.kind == FileKind.TEXT
    assert added.size == len(text.encode())
    assert added.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert stored_bytes(added.file.name) == text.encode()


def test_the_stored_name_is_generated_and_the_display_name_is_cleaned(
    amy: User, make_evidence: Callable[..., Evidence]
) -> None:
    evidence = make_evidence(with_file=False)

    added = services.evidence_file_add(
        actor=amy,
        evidence=evidence,
        uploaded=jpeg_upload("../../etc/📸 صورة\u202egpj.jpg"),
    )

    assert added.original_name == "📸 صورةgpj.jpg"
    assert added.file.name.startswith(f"evidence/{evidence.portfolio_id}/")
    assert added.file.name.endswith(".jpg")
    assert "صورة" not in added.file.name
    assert ".." not in added.file.name


def test_renditions_are_made_for_a_photo_when_the_upload_commits(
    amy: User,
    make_evidence: Callable[..., Evidence],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    evidence = make_evidence(with_file=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        added = services.evidence_file_add(
            actor=amy, evidence=evidence, uploaded=jpeg_upload(width=900, height=600)
        )
        assert not EvidenceFile.objects.get(pk=added.pk).thumbnail, "not before the commit"

    assert len(callbacks) == 1
    added.refresh_from_db()
    assert added.thumbnail and added.print_rendition
    assert default_storage.exists(added.thumbnail.name)
    assert default_storage.exists(added.print_rendition.name)
    assert added.thumbnail.name.startswith(f"renditions/{evidence.portfolio_id}/")


def test_no_renditions_are_made_for_a_text_file(
    amy: User,
    make_evidence: Callable[..., Evidence],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    evidence = make_evidence(with_file=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        added = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload())

    assert callbacks == []
    added.refresh_from_db()
    assert not added.thumbnail and not added.print_rendition


def test_the_twenty_first_file_is_refused(
    amy: User, make_evidence: Callable[..., Evidence], settings: Any
) -> None:
    evidence = make_evidence(with_file=False)
    EvidenceFileFactory.create_batch(settings.EVIDENCE_MAX_FILES, evidence=evidence)
    before = snapshot()

    with pytest.raises(UploadRefused, match="at most 20 files") as caught:
        services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload("21st.jpg"))

    assert caught.value.filename == "21st.jpg"
    assert snapshot() == before


def test_a_refused_upload_leaves_no_row_no_audit_entry_and_nothing_in_storage(
    amy: User, make_evidence: Callable[..., Evidence]
) -> None:
    evidence = make_evidence(with_file=False)
    before = snapshot()

    with pytest.raises(UploadRefused, match="web page"):
        services.evidence_file_add(actor=amy, evidence=evidence, uploaded=html_upload())

    assert snapshot() == before


def test_an_assessor_cannot_add_files_and_nothing_is_stored(
    asha: User, make_evidence: Callable[..., Evidence]
) -> None:
    evidence = make_evidence(with_file=False)

    with refused("Only the learner"):
        services.evidence_file_add(actor=asha, evidence=evidence, uploaded=jpeg_upload())


def test_a_file_can_still_be_added_once_the_evidence_is_submitted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload("extra.jpg"))

    assert sorted(evidence.files.values_list("original_name", flat=True)) == [
        "extra.jpg",
        "photo.jpg",
    ]


# Files: delete -------------------------------------------------------------------------------


def test_a_file_of_draft_evidence_is_deleted_with_its_stored_bytes_after_commit(
    amy: User,
    evidence_file: EvidenceFile,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    name = evidence_file.file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_delete(actor=amy, evidence_file=evidence_file)

    assert not EvidenceFile.objects.filter(pk=evidence_file.pk).exists()
    assert not default_storage.exists(name)
    entry = last_audit()
    assert entry.action == "evidence_file.delete"
    assert entry.changes == {
        "before": {"name": "photo.jpg", "sha256": evidence_file.sha256},
    }


def test_a_file_cannot_be_deleted_once_any_mapping_of_its_evidence_is_submitted(
    amy: User,
    evidence: Evidence,
    evidence_file: EvidenceFile,
    wwo_1_1: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
) -> None:
    map_to(amy, evidence, wwo_1_1)
    [submitted] = map_to(amy, evidence, pdr_1_1, submit=True)
    assert submitted.status == MappingStatus.SUBMITTED

    with refused("photo.jpg cannot be deleted"):
        services.evidence_file_delete(actor=amy, evidence_file=evidence_file)


def test_an_assessor_cannot_delete_a_learners_file(asha: User, evidence_file: EvidenceFile) -> None:
    with refused("Only the learner"):
        services.evidence_file_delete(actor=asha, evidence_file=evidence_file)


def test_deleting_a_file_also_removes_renditions_made_after_it_was_loaded(
    amy: User,
    make_evidence: Callable[..., Evidence],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    evidence = make_evidence(with_file=False)
    with django_capture_on_commit_callbacks(execute=True):
        added = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())
    renditions = EvidenceFile.objects.values_list("thumbnail", "print_rendition").get(pk=added.pk)
    assert all(renditions)

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_file_delete(actor=amy, evidence_file=added)

    assert set(renditions).isdisjoint(stored_names())


# Mappings: create ----------------------------------------------------------------------------


def test_mapping_evidence_creates_a_draft_with_an_audit_entry(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: f"  {COMMENTARY}\n"}
    )

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.DRAFT
    assert mapping.submitted_at is None
    assert mapping.commentary == COMMENTARY, "surrounding whitespace is trimmed"
    entry = last_audit()
    assert entry.action == "mapping.create"
    assert entry.object_type == "portfolio.Evidence"
    assert entry.object_id == str(evidence.pk)
    assert entry.changes == {
        "after": [{"criterion": "RS-WWO 1.1", "status": "draft", "commentary": COMMENTARY}]
    }
    assert not Notification.objects.exists(), "drafts are not the assessor's business"


def test_mapping_with_submit_creates_submitted_mappings_with_the_time(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    started = timezone.now()

    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.SUBMITTED
    assert mapping.submitted_at >= started
    assert actions()[-1] == "mapping.create"
    assert [m["status"] for m in last_audit().changes["after"]] == ["submitted"]


def test_mapping_with_submit_tells_the_assessor(
    amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    [notification] = Notification.objects.all()
    assert notification.recipient == asha
    assert notification.message == (
        "Amy Archer submitted RS-WWO 1.1 from E1 “Customer feedback board” for assessment."
    )


def test_a_mapping_batch_writes_one_audit_entry(
    amy: User, evidence: Evidence, wwo_1_2: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    before = AuditEntry.objects.count()

    map_to(amy, evidence, wwo_1_2, pdr_1_1, submit=True)

    assert AuditEntry.objects.count() == before + 1
    assert {m["criterion"] for m in last_audit().changes["after"]} == {
        "RS-WWO 1.2",
        "RS-PDR 1.1",
    }


def test_submitting_in_a_portfolio_without_an_assessor_tells_nobody(
    amy: User, evidence: Evidence, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(assessor=None)

    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    assert Mapping.objects.get(pk=mapping.pk).status == MappingStatus.SUBMITTED
    assert not Notification.objects.exists()


def test_evidence_maps_to_two_criteria_in_two_units_at_once(
    amy: User, evidence: Evidence, wwo_1_2: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    mappings = map_to(amy, evidence, wwo_1_2, pdr_1_1)

    assert {(m.criterion.unit.reference, m.criterion.number) for m in mappings} == {
        ("RS-WWO", "1.2"),
        ("RS-PDR", "1.1"),
    }
    assert evidence.mappings.count() == 2


@pytest.mark.parametrize("commentary", ["", "   \n\t "], ids=["empty", "whitespace"])
def test_an_empty_commentary_refuses_the_whole_batch(
    amy: User,
    evidence: Evidence,
    wwo_1_1: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
    commentary: str,
) -> None:
    with refused("criterion RS-PDR 1.1: the commentary cannot be empty"):
        services.mappings_create(
            actor=amy,
            evidence=evidence,
            commentaries={wwo_1_1: COMMENTARY, pdr_1_1: commentary},
        )


def test_a_commentary_over_ten_thousand_characters_is_refused(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    with refused("10,001 characters; keep it under 10,000"):
        services.mappings_create(actor=amy, evidence=evidence, commentaries={wwo_1_1: "x" * 10_001})


def test_mapping_the_same_criterion_twice_is_refused(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1)

    with refused("already mapped to criterion RS-WWO 1.1"):
        map_to(amy, evidence, pdr_1_1, wwo_1_1)


def test_a_criterion_outside_the_qualification_is_refused(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    outside = criterion("RS-ICR", "1.1")

    with refused(
        r"^Criterion RS-ICR 1\.1 is not in a unit of this portfolio: its unit is neither "
        r"mandatory nor one of the optional units chosen\.$"
    ):
        map_to(amy, evidence, wwo_1_1, outside)


def test_mapping_and_submitting_evidence_without_files_creates_nothing(
    amy: User, make_evidence: Callable[..., Evidence], wwo_1_1: AssessmentCriterion
) -> None:
    evidence = make_evidence(with_file=False)

    with refused("Add at least one file"):
        map_to(amy, evidence, wwo_1_1, submit=True)


def test_an_assessor_cannot_map_a_learners_evidence(
    asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    with refused("Only the learner"):
        map_to(asha, evidence, wwo_1_1)


def test_the_database_forbids_two_mappings_of_one_evidence_to_one_criterion(
    evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    MappingFactory(evidence=evidence, criterion=wwo_1_1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Mapping.objects.create(evidence=evidence, criterion=wwo_1_1, commentary="Again.")


def test_the_database_forbids_a_submitted_mapping_without_a_submission_time(
    evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Mapping.objects.create(
            evidence=evidence, criterion=wwo_1_1, commentary=COMMENTARY, status="submitted"
        )


# Mappings: commentary ------------------------------------------------------------------------


def test_a_draft_commentary_can_be_changed_with_before_and_after_audited(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)
    old = mapping.commentary

    services.mapping_update_commentary(actor=amy, mapping=mapping, commentary="Better words.")

    mapping.refresh_from_db()
    assert mapping.commentary == "Better words."
    entry = last_audit()
    assert entry.action == "mapping.update"
    assert entry.changes == {
        "before": {"commentary": old},
        "after": {"commentary": "Better words."},
    }


def test_a_submitted_commentary_cannot_change_until_withdrawn(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    with refused("Withdraw it first"):
        services.mapping_update_commentary(actor=amy, mapping=mapping, commentary="Too late.")


def test_an_accepted_commentary_cannot_change(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, MappingStatus.ACCEPTED)

    with refused("accepted this mapping"):
        services.mapping_update_commentary(actor=amy, mapping=mapping, commentary="Too late.")


def test_a_referred_commentary_can_be_improved(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, MappingStatus.REFERRED)

    services.mapping_update_commentary(actor=amy, mapping=mapping, commentary="As asked.")

    mapping.refresh_from_db()
    assert mapping.commentary == "As asked."
    assert mapping.status == MappingStatus.REFERRED


def test_a_commentary_cannot_be_emptied(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    with refused("cannot be empty"):
        services.mapping_update_commentary(actor=amy, mapping=mapping, commentary="  ")


# Mappings: delete ----------------------------------------------------------------------------


def test_a_draft_mapping_can_be_deleted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    services.mapping_delete(actor=amy, mapping=mapping)

    assert not Mapping.objects.filter(pk=mapping.pk).exists()
    entry = last_audit()
    assert entry.action == "mapping.delete"
    assert entry.object_id == str(mapping.pk)
    assert entry.changes["before"]["criterion"] == "RS-WWO 1.1"


@pytest.mark.parametrize("status", [MappingStatus.SUBMITTED, MappingStatus.ACCEPTED])
def test_a_mapping_beyond_draft_cannot_be_deleted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion, status: str
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, status)

    with refused("Only draft mappings can be deleted"):
        services.mapping_delete(actor=amy, mapping=mapping)


def referred_then_withdrawn(
    amy: User, asha: User, evidence: Evidence, item: AssessmentCriterion
) -> Mapping:
    """A mapping the assessor referred, which Amy resubmitted and then withdrew: a draft again,
    with the assessor's decision on record."""
    [mapping] = map_to(amy, evidence, item, submit=True)
    set_status(mapping, MappingStatus.REFERRED)
    DecisionFactory(
        mapping=mapping, outcome=Outcome.REFERRED, feedback="Say what you did.", decided_by=asha
    )
    services.mapping_submit(actor=amy, mapping=mapping)
    return services.mapping_withdraw(actor=amy, mapping=mapping)


def test_a_draft_mapping_with_an_assessors_decision_is_refused_not_crashed(
    amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    mapping = referred_then_withdrawn(amy, asha, evidence, wwo_1_1)
    assert mapping.status == MappingStatus.DRAFT

    with refused("assessed before"):
        services.mapping_delete(actor=amy, mapping=mapping)


def test_evidence_with_an_assessors_decision_is_refused_not_crashed(
    amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    referred_then_withdrawn(amy, asha, evidence, wwo_1_1)

    with refused("cannot be deleted"):
        services.evidence_delete(actor=amy, evidence=evidence)


# Mappings: submit ----------------------------------------------------------------------------


def test_a_draft_mapping_is_submitted(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    services.mapping_submit(actor=amy, mapping=mapping)

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.SUBMITTED
    assert mapping.submitted_at is not None
    entry = last_audit()
    assert entry.action == "mapping.submit"
    assert entry.changes == {"before": {"status": "draft"}, "after": {"status": "submitted"}}
    assert Notification.objects.get().recipient == mapping.evidence.portfolio.assessor


def test_a_referred_mapping_can_be_submitted_again(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, MappingStatus.REFERRED)

    services.mapping_submit(actor=amy, mapping=mapping)

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.SUBMITTED


def test_a_mapping_of_evidence_without_files_cannot_be_submitted(
    amy: User, make_evidence: Callable[..., Evidence], wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, make_evidence(with_file=False), wwo_1_1)

    with refused("Add at least one file"):
        services.mapping_submit(actor=amy, mapping=mapping)


@pytest.mark.parametrize("status", [MappingStatus.SUBMITTED, MappingStatus.ACCEPTED])
def test_a_submitted_or_accepted_mapping_cannot_be_submitted_again(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion, status: str
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    set_status(mapping, status)

    with refused("cannot be submitted again"):
        services.mapping_submit(actor=amy, mapping=mapping)


def test_an_assessor_cannot_submit_a_learners_mapping(
    amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    with refused("Only the learner"):
        services.mapping_submit(actor=asha, mapping=mapping)


def test_submit_all_submits_every_draft_and_leaves_the_rest(
    amy: User,
    evidence: Evidence,
    wwo_1_1: AssessmentCriterion,
    wwo_1_2: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
) -> None:
    [already] = map_to(amy, evidence, wwo_1_1, submit=True)
    drafts = map_to(amy, evidence, wwo_1_2, pdr_1_1)
    first_submitted_at = Mapping.objects.get(pk=already.pk).submitted_at

    count = services.mappings_submit_all(actor=amy, evidence=evidence)

    assert count == 2
    statuses = dict(evidence.mappings.values_list("pk", "status"))
    assert statuses == {m.pk: MappingStatus.SUBMITTED for m in [already, *drafts]}
    assert Mapping.objects.get(pk=already.pk).submitted_at == first_submitted_at
    entry = last_audit()
    assert entry.action == "mapping.submit"
    assert entry.changes == {
        "mappings": [
            {"criterion": "RS-PDR 1.1", "before": "draft", "after": "submitted"},
            {"criterion": "RS-WWO 1.2", "before": "draft", "after": "submitted"},
        ]
    }
    assert (
        "submitted RS-PDR 1.1 and RS-WWO 1.2 from E1"
        in Notification.objects.order_by("-pk").first().message
    )


def test_submit_all_with_nothing_to_submit_is_refused(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    with refused("nothing to submit"):
        services.mappings_submit_all(actor=amy, evidence=evidence)


def test_submit_all_on_unmapped_evidence_is_refused(amy: User, evidence: Evidence) -> None:
    with refused("nothing to submit"):
        services.mappings_submit_all(actor=amy, evidence=evidence)


# Mappings: withdraw --------------------------------------------------------------------------


def test_a_submitted_mapping_is_withdrawn_to_draft(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    services.mapping_withdraw(actor=amy, mapping=mapping)

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.DRAFT
    assert mapping.submitted_at is None
    entry = last_audit()
    assert entry.action == "mapping.withdraw"
    assert entry.changes == {"before": {"status": "submitted"}, "after": {"status": "draft"}}


@pytest.mark.parametrize(
    "status", [MappingStatus.DRAFT, MappingStatus.REFERRED, MappingStatus.ACCEPTED]
)
def test_only_a_submitted_mapping_can_be_withdrawn(
    amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion, status: str
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=status != MappingStatus.DRAFT)
    set_status(mapping, status)

    with refused("Only a mapping waiting for assessment can be withdrawn"):
        services.mapping_withdraw(actor=amy, mapping=mapping)


# Audit trail ---------------------------------------------------------------------------------


def test_a_learners_journey_leaves_one_audit_entry_per_change(
    amy: User,
    make_evidence: Callable[..., Evidence],
    wwo_1_1: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
) -> None:
    evidence = make_evidence(with_file=False)
    added = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload())
    services.evidence_file_delete(actor=amy, evidence_file=added)
    services.evidence_update(actor=amy, evidence=evidence, title="Renamed")
    first, second = map_to(amy, evidence, wwo_1_1, pdr_1_1)
    services.mapping_update_commentary(actor=amy, mapping=first, commentary="Sharper.")
    services.mapping_delete(actor=amy, mapping=second)
    services.mapping_submit(actor=amy, mapping=first)
    services.mapping_withdraw(actor=amy, mapping=first)

    assert actions() == [
        "evidence.create",
        "evidence_file.add",
        "evidence_file.add",
        "evidence_file.delete",
        "evidence.update",
        "mapping.create",
        "mapping.update",
        "mapping.delete",
        "mapping.submit",
        "mapping.withdraw",
    ]
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {amy.pk}
    assert set(AuditEntry.objects.values_list("portfolio", flat=True)) == {evidence.portfolio_id}


def test_an_audit_entry_cannot_be_saved_again(evidence: Evidence) -> None:
    entry = last_audit()
    entry.action = "evidence.tampered"

    with pytest.raises(TypeError, match="append-only"):
        entry.save()

    assert last_audit().action == "evidence_file.add"


def test_an_audit_entry_cannot_be_deleted(evidence: Evidence) -> None:
    count = AuditEntry.objects.count()

    with pytest.raises(TypeError, match="append-only"):
        last_audit().delete()

    assert AuditEntry.objects.count() == count


def test_audit_entries_cannot_be_deleted_in_bulk(evidence: Evidence) -> None:
    count = AuditEntry.objects.count()

    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == count


def test_audit_entries_cannot_be_updated_in_bulk(evidence: Evidence) -> None:
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().update(action="rewritten")
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        AuditEntry.objects.bulk_update(list(AuditEntry.objects.all()), ["action"])

    assert "rewritten" not in actions()


# Progress ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], CriterionStatus.NOT_STARTED),
        (["draft"], CriterionStatus.DRAFT),
        (["draft", "referred"], CriterionStatus.REFERRED),
        (["referred", "submitted", "draft"], CriterionStatus.SUBMITTED),
        (["submitted", "accepted", "referred"], CriterionStatus.MET),
        (["referred", "accepted", "submitted"], CriterionStatus.MET),
        (["accepted", "draft"], CriterionStatus.MET),
    ],
)
def test_a_criterion_takes_the_most_advanced_status_of_its_mappings(
    statuses: list[str], expected: CriterionStatus
) -> None:
    assert criterion_status(statuses) == expected


def test_portfolio_progress_counts_each_unit_in_the_qualifications_order(
    amy: User,
    make_evidence: Callable[..., Evidence],
    wwo_1_1: AssessmentCriterion,
    wwo_1_2: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
    amy_portfolio: Portfolio,
) -> None:
    photo, notes = make_evidence("Photo"), make_evidence("Notes")
    [accepted] = map_to(amy, photo, wwo_1_1, submit=True)
    set_status(accepted, MappingStatus.ACCEPTED)
    map_to(amy, notes, wwo_1_1)  # a later draft does not undo "met"
    map_to(amy, notes, wwo_1_2, submit=True)
    [referred] = map_to(amy, photo, pdr_1_1, submit=True)
    set_status(referred, MappingStatus.REFERRED)

    wwo, pdr = portfolio_progress(amy_portfolio)

    assert (wwo.unit.reference, pdr.unit.reference) == ("RS-WWO", "RS-PDR")
    wwo_total = AssessmentCriterion.objects.filter(unit__reference="RS-WWO").count()
    pdr_total = AssessmentCriterion.objects.filter(unit__reference="RS-PDR").count()
    assert (wwo.total, wwo.met, wwo.submitted) == (wwo_total, 1, 1)
    assert wwo.percent_met == round(100 / wwo_total)
    assert len(wwo.gaps) == wwo_total - 2
    assert (pdr.total, pdr.met, pdr.submitted) == (pdr_total, 0, 0)
    assert pdr.count(CriterionStatus.REFERRED) == 1
    assert len(pdr.gaps) == pdr_total - 1, "a referred criterion is not a gap"
    by_number = {item.criterion.number: item for item in wwo.criteria}
    assert by_number["1.1"].status == CriterionStatus.MET
    assert [m.evidence.title for m in by_number["1.1"].mappings] == ["Photo", "Notes"]
    assert by_number["1.2"].status == CriterionStatus.SUBMITTED
    assert by_number["2.1"].status == CriterionStatus.NOT_STARTED


def test_criterion_statuses_lists_only_mapped_criteria(
    amy: User,
    evidence: Evidence,
    wwo_1_1: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
    amy_portfolio: Portfolio,
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)
    map_to(amy, evidence, pdr_1_1)

    assert criterion_statuses(amy_portfolio) == {
        wwo_1_1.pk: CriterionStatus.SUBMITTED,
        pdr_1_1.pk: CriterionStatus.DRAFT,
    }


def test_progress_ignores_other_learners_evidence(
    amy: User,
    ben: User,
    evidence: Evidence,
    ben_portfolio: Portfolio,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
) -> None:
    bens = services.evidence_create(
        actor=ben,
        portfolio=ben_portfolio,
        type="product",
        title="Ben's board",
        activity_date=datetime.date(2025, 10, 1),
        description="Mine.",
    )
    services.evidence_file_add(actor=ben, evidence=bens, uploaded=jpeg_upload())
    map_to(ben, bens, wwo_1_1, submit=True)

    assert criterion_statuses(amy_portfolio) == {}
    assert all(
        item.mappings == [] for unit in portfolio_progress(amy_portfolio) for item in unit.criteria
    )
