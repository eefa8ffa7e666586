"""What the people in the cast do, through the services as the pages would: the learner adds
evidence and submits it, the assessor accepts or refers it, the learner declares a unit and the
assessor signs it off. Use these where the services' side effects (audit entries, notifications,
renditions) belong in the picture; build rows with tests.factories where they do not."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from assessment import services as assessment
from assessment.models import Decision, Outcome, UnitDeclaration, UnitSignOff
from portfolio import services as learner_services
from portfolio.models import Evidence, EvidenceType, Mapping, Portfolio
from qualifications.models import AssessmentCriterion, Unit
from tests.catalogue import criteria_of
from tests.files import jpeg_upload

COMMENTARY = "I greeted each customer, asked what they needed and checked back later."


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


def vacsr_columns(outcome: str) -> dict[str, bool | str]:
    """The VACSR columns for a Decision built directly: all confirmed on an acceptance."""
    return assessment.Vacsr.confirmed().columns() if outcome == Outcome.ACCEPTED else {}


def request_for(mapping: Mapping, outcome: str, feedback: str = "") -> assessment.DecisionRequest:
    """A decision as the assessor's page would send it, seeing the mapping as it is now; an
    acceptance with the evidence confirmed valid, authentic, current, sufficient and reliable."""
    mapping.refresh_from_db()
    return assessment.DecisionRequest(
        mapping_id=mapping.pk,
        outcome=outcome,
        feedback=feedback,
        seen_submitted_at=mapping.submitted_at,
        vacsr=assessment.Vacsr.confirmed() if outcome == Outcome.ACCEPTED else None,
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
