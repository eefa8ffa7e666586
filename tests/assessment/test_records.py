"""The assessor's observation and discussion records: who writes, who acknowledges, what is
refused, and how they reach the ordinary decision flow."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from assessment import services
from assessment.models import Outcome
from portfolio import services as portfolio_services
from portfolio.errors import ActionRefused
from portfolio.models import (
    AssessorRecord,
    AuditEntry,
    EvidenceType,
    FileKind,
    MappingStatus,
    Portfolio,
)
from portfolio.units import units_of
from qualifications.models import AssessmentCriterion
from tests.assessment.records import discussion_content, observation_content, observe
from tests.catalogue import criterion
from tests.files import jpeg_upload, mp3_upload


def test_assessor_writes_an_observation_with_draft_mappings(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    evidence = record.evidence
    assert evidence.type == EvidenceType.OBSERVATION
    assert evidence.created_by == asha and record.author == asha
    assert evidence.description == record.observed
    assert record.location == "Northgate store, tills"
    mapping = evidence.mappings.get()
    assert mapping.criterion == wwo_1_1 and mapping.status == MappingStatus.DRAFT
    assert "Asha" in mapping.commentary
    assert not record.is_acknowledged


def test_discussion_keeps_questions_in_order_and_the_audio(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = services.record_create(
        actor=asha,
        portfolio=amy_portfolio,
        type=EvidenceType.PROFESSIONAL_DISCUSSION,
        content=discussion_content(wwo_1_1),
        audio=mp3_upload(),
    )
    assert [item.question for item in record.items.all()] == [
        "Why does the store log complaints?",
        "Who do you escalate to?",
    ]
    audio = record.evidence.files.get()
    assert audio.kind == FileKind.AUDIO and len(audio.sha256) == 64


def test_audio_must_be_an_audio_file(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    with pytest.raises(ActionRefused, match="not an audio recording"):
        services.record_create(
            actor=asha,
            portfolio=amy_portfolio,
            type=EvidenceType.PROFESSIONAL_DISCUSSION,
            content=discussion_content(wwo_1_1),
            audio=jpeg_upload(),
        )
    assert not AssessorRecord.objects.exists()


@pytest.mark.parametrize("who", ["amy", "ben", "tom", "iris", "sam"])
def test_only_the_portfolios_assessor_writes_a_record(
    who: str, request: pytest.FixtureRequest, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    with pytest.raises(ActionRefused, match="assigned assessor"):
        observe(request.getfixturevalue(who), amy_portfolio, wwo_1_1)
    assert not amy_portfolio.evidence.exists()


def test_a_record_needs_at_least_one_criterion(asha: User, amy_portfolio: Portfolio) -> None:
    with pytest.raises(ActionRefused, match="at least one criterion"):
        observe(asha, amy_portfolio)
    assert not amy_portfolio.evidence.exists()


def test_criteria_must_be_in_the_portfolios_units(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    # An optional unit of the qualification that nobody chose for Amy, or another qualification's.
    outside = (
        AssessmentCriterion.objects.filter(
            unit__qualification_links__qualification=amy_portfolio.qualification
        )
        .exclude(unit__in=units_of(amy_portfolio))
        .first()
    )
    foreign = (
        outside
        or AssessmentCriterion.objects.exclude(
            unit__qualification_links__qualification=amy_portfolio.qualification
        ).first()
    )
    assert foreign is not None
    with pytest.raises(ActionRefused, match="not in a unit of this portfolio"):
        observe(asha, amy_portfolio, wwo_1_1, foreign)
    assert not amy_portfolio.evidence.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"location": " "}, "where the observation"),
        ({"observed": ""}, "what you observed"),
        ({"judgement": "  "}, "judgement"),
        ({"title": ""}, "title"),
        (
            {"occurred_at": timezone.now() + datetime.timedelta(hours=2)},
            "cannot be ahead",
        ),
    ],
)
def test_an_incomplete_observation_is_refused(
    change: dict, message: str, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    content = dataclasses.replace(observation_content(wwo_1_1), **change)
    with pytest.raises(ActionRefused, match=message):
        services.record_create(
            actor=asha, portfolio=amy_portfolio, type=EvidenceType.OBSERVATION, content=content
        )


def test_a_discussion_needs_answered_questions(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    for discussion, message in [((), "at least one question"), ((("Why?", " "),), "Question 1")]:
        content = dataclasses.replace(discussion_content(wwo_1_1), discussion=discussion)
        with pytest.raises(ActionRefused, match=message):
            services.record_create(
                actor=asha,
                portfolio=amy_portfolio,
                type=EvidenceType.PROFESSIONAL_DISCUSSION,
                content=content,
            )


def test_assessor_corrects_the_record_and_its_criteria_before_acknowledgement(
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
    wwo_1_2: AssessmentCriterion,
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    content = dataclasses.replace(
        observation_content(wwo_1_2), judgement="Competent, with one prompt."
    )
    services.record_update(actor=asha, record=record, content=content)
    record.refresh_from_db()
    assert record.judgement == "Competent, with one prompt."
    assert list(record.evidence.mappings.values_list("criterion", flat=True)) == [wwo_1_2.pk]
    entry = AuditEntry.objects.filter(action="record.update").get()
    assert entry.changes["after"]["judgement"] == "Competent, with one prompt."
    assert entry.changes["after"]["criteria"] == ["RS-WWO 1.2"]


def test_only_the_learner_acknowledges(
    asha: User, ben: User, tom: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    for person in (asha, ben, tom):
        with pytest.raises(ActionRefused, match="Only the learner"):
            services.record_acknowledge(actor=person, record=record)
    record.refresh_from_db()
    assert not record.is_acknowledged


def test_acknowledgement_stores_the_words_person_and_time_and_submits_the_mappings(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    shown = services.acknowledgement_wording(amy, record)
    services.record_acknowledge(actor=amy, record=record)
    record.refresh_from_db()
    assert record.acknowledgement_wording == shown
    assert "fair record" in shown and "Asha" in shown and "14 October 2025 at 10:30" in shown
    assert record.acknowledged_by == amy and record.acknowledged_at is not None
    mapping = record.evidence.mappings.get()
    assert mapping.status == MappingStatus.SUBMITTED
    assert mapping.submitted_at == record.acknowledged_at
    with pytest.raises(ActionRefused, match="already acknowledged"):
        services.record_acknowledge(actor=amy, record=record)


def test_editing_after_acknowledgement_is_refused(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    services.record_acknowledge(actor=amy, record=record)
    with pytest.raises(ActionRefused, match="can no longer change"):
        services.record_update(
            actor=asha,
            record=record,
            content=dataclasses.replace(observation_content(wwo_1_1), judgement="Changed."),
        )
    record.refresh_from_db()
    assert record.judgement.startswith("Competent")


def test_another_assessor_cannot_edit(
    asha: User, sam: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    with pytest.raises(ActionRefused):
        services.record_update(actor=sam, record=record, content=observation_content(wwo_1_1))


def test_the_learner_cannot_change_the_record_through_their_own_services(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    evidence, mapping = record.evidence, record.evidence.mappings.get()
    attempts = [
        lambda: portfolio_services.evidence_update(actor=amy, evidence=evidence, title="Mine"),
        lambda: portfolio_services.evidence_delete(actor=amy, evidence=evidence),
        lambda: portfolio_services.evidence_file_add(
            actor=amy, evidence=evidence, uploaded=jpeg_upload()
        ),
        lambda: portfolio_services.mapping_submit(actor=amy, mapping=mapping),
        lambda: portfolio_services.mapping_delete(actor=amy, mapping=mapping),
        lambda: portfolio_services.mapping_update_commentary(
            actor=amy, mapping=mapping, commentary="Mine"
        ),
        lambda: portfolio_services.mappings_create(
            actor=amy, evidence=evidence, commentaries={criterion("RS-WWO", "1.2"): "Also"}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ActionRefused, match="Your assessor wrote this record"):
            attempt()
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.DRAFT and "Asha" in mapping.commentary


def test_an_acknowledged_record_is_decided_in_the_ordinary_flow(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    services.record_acknowledge(actor=amy, record=record)
    mapping = record.evidence.mappings.get()
    services.mappings_decide(
        actor=asha,
        evidence=record.evidence,
        requests=[
            services.DecisionRequest(
                mapping_id=mapping.pk,
                outcome=Outcome.ACCEPTED,
                feedback="",
                seen_submitted_at=mapping.submitted_at,
                vacsr=services.Vacsr.confirmed(),
            )
        ],
    )
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.ACCEPTED


def test_an_unacknowledged_record_cannot_be_decided(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    mapping = record.evidence.mappings.get()
    with pytest.raises(ActionRefused, match="not been submitted"):
        services.mappings_decide(
            actor=asha,
            evidence=record.evidence,
            requests=[
                services.DecisionRequest(
                    mapping_id=mapping.pk,
                    outcome=Outcome.ACCEPTED,
                    feedback="",
                    seen_submitted_at=None,
                    vacsr=services.Vacsr.confirmed(),
                )
            ],
        )


def test_every_step_is_audited(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    services.record_acknowledge(actor=amy, record=record)
    entries = {e.action: e for e in AuditEntry.objects.filter(portfolio=amy_portfolio)}
    assert entries["record.create"].actor == asha
    assert entries["record.create"].changes["after"]["criteria"] == ["RS-WWO 1.1"]
    assert entries["record.acknowledge"].actor == amy
    assert entries["record.acknowledge"].changes["after"]["submitted"] == ["RS-WWO 1.1"]


def test_the_learner_is_asked_to_acknowledge_and_the_assessor_told_when_they_do(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = observe(asha, amy_portfolio, wwo_1_1)
    [asked] = Notification.objects.filter(recipient=amy)
    assert asked.message.startswith("Asha Patel wrote an observation record")
    assert asked.link == reverse("portfolio:evidence_detail", args=[record.evidence_id])
    services.record_acknowledge(actor=amy, record=record)
    [told] = Notification.objects.filter(recipient=asha)
    assert "acknowledged your record" in told.message
    assert told.link == reverse("assessment:evidence_review", args=[record.evidence_id])


def test_a_new_recording_replaces_the_earlier_one_and_is_audited(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    record = services.record_create(
        actor=asha,
        portfolio=amy_portfolio,
        type=EvidenceType.PROFESSIONAL_DISCUSSION,
        content=discussion_content(wwo_1_1),
        audio=mp3_upload("first.mp3"),
    )
    services.record_update(
        actor=asha,
        record=record,
        content=discussion_content(wwo_1_1),
        audio=mp3_upload("second.mp3"),
    )
    assert [f.original_name for f in record.evidence.files.all()] == ["second.mp3"]
    entry = AuditEntry.objects.get(action="record.update")
    assert entry.changes == {"before": {"audio": "first.mp3"}, "after": {"audio": "second.mp3"}}


def test_an_assessor_writes_only_observations_and_discussions(
    asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    with pytest.raises(ActionRefused, match="observation or professional discussion"):
        services.record_create(
            actor=asha,
            portfolio=amy_portfolio,
            type=EvidenceType.PRODUCT,
            content=observation_content(wwo_1_1),
        )
    assert not amy_portfolio.evidence.exists()
