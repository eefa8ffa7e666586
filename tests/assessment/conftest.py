"""Shared fixtures for the assessor and IQA half: Amy's and Ben's portfolios on the OCR
certificate assessed by Asha, evidence built through the services, and helpers that accept,
refer, declare and sign off the way the people in the cast would."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from accounts.models import Centre, Notification, Role, User
from assessment import services as assessment
from assessment.models import (
    Decision,
    IqaReview,
    Outcome,
    SamplingRate,
    UnitDeclaration,
    UnitSignOff,
)
from portfolio import services as learner_services
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Evidence, EvidenceType, Mapping, Portfolio
from qualifications.models import AssessmentCriterion, Qualification, Unit
from tests.factories import UserFactory
from tests.portfolio.conftest import OCR, criterion, jpeg_upload

__all__ = ["OCR", "criterion", "jpeg_upload"]

COMMENTARY = "I greeted each customer, asked what they needed and checked back later."


# Files -----------------------------------------------------------------------------------------


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "witness statement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


# People and portfolios -----------------------------------------------------------------------


def person(centre: Centre, name: str, *roles: str) -> User:
    email = f"{name.split()[0].lower()}@{centre.name.split()[0].lower()}.test"
    return UserFactory(email=email, full_name=name, centre=centre, roles=list(roles))


@pytest.fixture
def sam(centre: Centre) -> User:
    """Another assessor at Amy's centre, not assigned to her."""
    return person(centre, "Sam Shah", Role.ASSESSOR)


@pytest.fixture
def olu(other_centre: Centre) -> User:
    """An IQA at another centre."""
    return person(other_centre, "Olu Adeyemi", Role.IQA)


@pytest.fixture
def pdr(ocr: Qualification) -> Unit:
    """RS-PDR: four criteria, 1.1, 1.2, 2.1 and 3.1."""
    return Unit.objects.get(reference="RS-PDR")


@pytest.fixture
def wwo(ocr: Qualification) -> Unit:
    """RS-WWO: eleven criteria."""
    return Unit.objects.get(reference="RS-WWO")


def criteria_of(unit: Unit) -> list[AssessmentCriterion]:
    return list(
        AssessmentCriterion.objects.filter(unit=unit)
        .select_related("unit")
        .order_by("outcome__number", "position")
    )


# Evidence and decisions, through the services -----------------------------------------------


def add_evidence(
    item: Portfolio,
    title: str = "Customer feedback board",
    *,
    uploads: list[SimpleUploadedFile] | None = None,
) -> Evidence:
    """Evidence made by the portfolio's learner, with a photo unless other uploads are given."""
    evidence = learner_services.evidence_create(
        actor=item.learner,
        portfolio=item,
        type=EvidenceType.PRODUCT,
        title=title,
        activity_date=datetime.date(2025, 10, 14),
        description="I designed and ran the feedback board in May.",
    )
    for uploaded in [jpeg_upload()] if uploads is None else uploads:
        learner_services.evidence_file_add(actor=item.learner, evidence=evidence, uploaded=uploaded)
    return evidence


def submit(evidence: Evidence, *criteria: AssessmentCriterion) -> list[Mapping]:
    """The learner maps the evidence to the criteria and submits every mapping at once."""
    return learner_services.mappings_create(
        actor=evidence.portfolio.learner,
        evidence=evidence,
        commentaries={c: f"{COMMENTARY} ({c.number})" for c in criteria},
        submit=True,
    )


def request_for(mapping: Mapping, outcome: str, feedback: str = "") -> assessment.DecisionRequest:
    """A decision as the assessor's page would send it, seeing the mapping as it is now."""
    mapping.refresh_from_db()
    return assessment.DecisionRequest(
        mapping_id=mapping.pk,
        outcome=outcome,
        feedback=feedback,
        seen_submitted_at=mapping.submitted_at,
    )


def accept(actor: User, *mappings: Mapping) -> list[Decision]:
    """Accept mappings of one evidence item in one go."""
    return assessment.mappings_decide(
        actor=actor,
        evidence=mappings[0].evidence,
        requests=[request_for(m, Outcome.ACCEPTED) for m in mappings],
    )


def refer(actor: User, mapping: Mapping, feedback: str = "Say who you spoke to.") -> Decision:
    [decision] = assessment.mappings_decide(
        actor=actor,
        evidence=mapping.evidence,
        requests=[request_for(mapping, Outcome.REFERRED, feedback)],
    )
    return decision


def meet_unit(item: Portfolio, unit: Unit, title: str | None = None) -> list[Mapping]:
    """One evidence item mapped to every criterion of the unit, submitted and accepted by the
    portfolio's assessor. Returns the mappings, refreshed."""
    evidence = add_evidence(item, title or f"Everything for {unit.reference}")
    mappings = submit(evidence, *criteria_of(unit))
    accept(item.assessor, *mappings)
    for mapping in mappings:
        mapping.refresh_from_db()
    return mappings


def declare(item: Portfolio, unit: Unit) -> UnitDeclaration:
    return assessment.unit_declare(actor=item.learner, portfolio=item, unit=unit)


def sign_off(item: Portfolio, unit: Unit) -> UnitSignOff:
    """Meet every criterion of the unit, have the learner declare it and the assessor sign it
    off."""
    meet_unit(item, unit)
    declare(item, unit)
    return assessment.unit_sign_off(actor=item.assessor, portfolio=item, unit=unit)


# Refusals ------------------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Everything a refused assessment action must leave exactly as it was."""
    return {
        "mappings": list(
            Mapping.objects.order_by("pk").values("pk", "status", "submitted_at", "commentary")
        ),
        "decisions": list(Decision.objects.order_by("pk").values_list("pk", "outcome")),
        "declarations": list(UnitDeclaration.objects.order_by("pk").values_list("pk", flat=True)),
        "sign_offs": list(
            UnitSignOff.objects.order_by("pk").values(
                "pk", "revoked_at", "revoked_by", "revoke_reason"
            )
        ),
        "reviews": list(IqaReview.objects.order_by("pk").values_list("pk", flat=True)),
        "rates": list(
            SamplingRate.objects.order_by("pk").values("centre", "assessor", "unit", "percent")
        ),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


@contextmanager
def refused(
    message: str, exception: type[ActionRefused] = ActionRefused
) -> Iterator[pytest.ExceptionInfo[ActionRefused]]:
    """The action is refused with exactly this message, and nothing at all changes."""
    before = snapshot()
    with pytest.raises(exception) as caught:
        yield caught
    assert caught.value.message == message
    assert str(caught.value) == message
    assert snapshot() == before
