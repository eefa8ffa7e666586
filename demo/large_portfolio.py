"""One very large portfolio, for looking at a big PDF locally and for `bench/pdf_export.py`.

A qualification of 15 units and 300 criteria, 150 evidence items with 200 photos of
4000×3000 and 10 uploaded PDFs, mappings in every state, decisions (some referred first),
IQA reviews, declarations, sign-offs and the audit trail all of that leaves. Built with bulk
inserts from a fixed seed, so every run builds the same portfolio: `seed_demo
--large-portfolio` gives it to the demo learner Amy.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from assessment.models import (
    Decision,
    IqaAgreement,
    IqaReview,
    Outcome,
    UnitDeclaration,
    UnitSignOff,
)
from assessment.services import Vacsr
from demo.evidence_files import add_evidence_files
from demo.people import DEMO_CENTRE
from demo.prose import ENDINGS, OBJECTS, TOPICS, paragraphs
from portfolio.models import AuditEntry, Evidence, EvidenceType, Mapping, MappingStatus, Portfolio
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    Framework,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)

LARGE_QUALIFICATION = "DEMO-L3-ADULT-CARE"
# Every demo acceptance carries the assessor's VACSR confirmation, as a real one must.
CONFIRMED = Vacsr.confirmed().columns()
# Units are numbered DEMO-001…; they belong to the large qualification only.
UNIT_PREFIX = "DEMO-"


@dataclass(frozen=True)
class PortfolioSize:
    """How much the large portfolio holds."""

    label: str
    units: int
    outcomes_per_unit: int
    criteria_per_outcome: int
    evidence: int
    photos: int
    photo_px: tuple[int, int]
    pdfs: int
    pdf_pages: int

    @property
    def criteria(self) -> int:
        return self.units * self.outcomes_per_unit * self.criteria_per_outcome

    def describe(self) -> str:
        """The size in words, for command output and benchmark reports."""
        width, height = self.photo_px
        return (
            f"{self.units} units, {self.criteria} criteria, {self.evidence} evidence items, "
            f"{self.photos} photos of {width}×{height}, {self.pdfs} PDFs of {self.pdf_pages} pages"
        )


FULL = PortfolioSize("full", 15, 4, 5, 150, 200, (4000, 3000), 10, 5)
SMALL = PortfolioSize("small", 2, 2, 5, 10, 5, (1200, 900), 1, 5)
SIZES = {size.label: size for size in (FULL, SMALL)}


def build_large_portfolio(
    *,
    learner: User,
    assessor: User,
    iqa: User,
    size: PortfolioSize = FULL,
    seed: int = 2025,
) -> Portfolio:
    """Build the large qualification and the learner's portfolio on it; made once per database."""
    if Qualification.objects.filter(reference=LARGE_QUALIFICATION).exists():
        raise ValueError(f"{LARGE_QUALIFICATION} already exists; the large portfolio is made once.")
    chance = random.Random(seed)  # noqa: S311 - demo data, not secrets
    with transaction.atomic():
        qualification, criteria = _qualification(size, chance)
        portfolio = Portfolio.objects.create(
            learner=learner,
            centre=learner.centre,
            qualification=qualification,
            assessor=assessor,
            start_date=datetime.date(2025, 1, 6),
            planned_end_date=datetime.date(2026, 7, 31),
        )
        evidence = _evidence(portfolio, size, chance)
        mappings = _mappings(evidence, criteria, chance)
        decisions = _decisions(mappings, assessor=assessor, iqa=iqa, chance=chance)
        units = list(qualification.units.order_by("reference"))
        _unit_records(portfolio, units, assessor=assessor, chance=chance)
    files = add_evidence_files(
        evidence,
        uploader=learner,
        photo_total=size.photos,
        photo_px=size.photo_px,
        pdf_total=size.pdfs,
        pdf_pages=size.pdf_pages,
        chance=chance,
    )
    _audit(
        portfolio,
        [("evidence.create", item, learner) for item in evidence]
        + [("evidence_file.add", row, learner) for row in files]
        + [("mapping.create", mapping, learner) for mapping in mappings]
        + [("mapping.decide", decision, assessor) for decision in decisions],
    )
    return portfolio


def seed_large_portfolio(*, size: PortfolioSize = FULL) -> Portfolio:
    """The large portfolio for the demo learner Amy, assessed by Asha and sampled by Iris."""
    people = {
        user.email.split("@")[0]: user for user in User.objects.filter(centre__name=DEMO_CENTRE)
    }
    return build_large_portfolio(
        learner=people["amy"],
        assessor=people["asha"],
        iqa=people["iris"],
        size=size,
    )


def _qualification(
    size: PortfolioSize, chance: random.Random
) -> tuple[Qualification, list[AssessmentCriterion]]:
    body, _ = AwardingBody.objects.get_or_create(
        code="DEMO", defaults={"name": "Demo Awarding Body"}
    )
    qualification = Qualification.objects.create(
        reference=LARGE_QUALIFICATION,
        awarding_body=body,
        title="Level 3 Diploma in Adult Care (large demo)",
        level=3,
        framework=Framework.RQF,
        description=paragraphs(chance, 2),
    )
    units = Unit.objects.bulk_create(
        Unit(
            reference=f"{UNIT_PREFIX}{number:03d}",
            title=f"{chance.choice(TOPICS)} in adult care settings ({number})",
            level=3,
            guided_learning_hours=chance.randint(10, 40),
            overview=paragraphs(chance, 1),
        )
        for number in range(1, size.units + 1)
    )
    QualificationUnit.objects.bulk_create(
        QualificationUnit(qualification=qualification, unit=unit, position=position)
        for position, unit in enumerate(units, start=1)
    )
    outcomes = LearningOutcome.objects.bulk_create(
        LearningOutcome(unit=unit, number=number, text=f"Understand {chance.choice(OBJECTS)}")
        for unit in units
        for number in range(1, size.outcomes_per_unit + 1)
    )
    criteria = AssessmentCriterion.objects.bulk_create(
        AssessmentCriterion(
            unit=outcome.unit,
            outcome=outcome,
            number=f"{outcome.number}.{position}",
            position=position,
            text=f"{chance.choice(['Explain', 'Describe', 'Demonstrate', 'Analyse'])} "
            f"{chance.choice(OBJECTS)} {chance.choice(ENDINGS)}",
        )
        for outcome in outcomes
        for position in range(1, size.criteria_per_outcome + 1)
    )
    return qualification, criteria


def _evidence(portfolio: Portfolio, size: PortfolioSize, chance: random.Random) -> list[Evidence]:
    start = datetime.date(2025, 1, 13)
    return Evidence.objects.bulk_create(
        Evidence(
            portfolio=portfolio,
            type=chance.choice(EvidenceType.values),
            title=f"{chance.choice(TOPICS)} ({number})",
            activity_date=start + datetime.timedelta(days=2 * number),
            description=paragraphs(chance, chance.randint(1, 2)),
            created_by=portfolio.learner,
            number=number,  # bulk_create skips save(), which numbers evidence
        )
        for number in range(1, size.evidence + 1)
    )


def _mappings(
    evidence: list[Evidence], criteria: list[AssessmentCriterion], chance: random.Random
) -> list[Mapping]:
    """About three criteria per item, spread across units, every criterion covered once first."""
    order = criteria[:]
    chance.shuffle(order)
    statuses = [
        MappingStatus.ACCEPTED,
        MappingStatus.SUBMITTED,
        MappingStatus.REFERRED,
        MappingStatus.DRAFT,
    ]
    now = timezone.now()
    rows = []
    for number, item in enumerate(evidence):
        chosen = {order[(3 * number + k) % len(order)] for k in range(3)}
        for criterion in chosen:
            status = chance.choices(statuses, weights=[55, 15, 15, 15])[0]
            rows.append(
                Mapping(
                    evidence=item,
                    criterion=criterion,
                    commentary=paragraphs(chance, chance.randint(1, 2)),
                    status=status,
                    submitted_at=None if status == MappingStatus.DRAFT else now,
                )
            )
    return Mapping.objects.bulk_create(rows)


def _decisions(
    mappings: list[Mapping], *, assessor: User, iqa: User, chance: random.Random
) -> list[Decision]:
    """A decision for every decided mapping (one in five accepted only after a referral);
    the IQA samples every tenth acceptance and disagrees with a quarter of those."""
    decided_at = timezone.now() - datetime.timedelta(days=60)
    rows = []
    for mapping in mappings:
        outcomes = []
        if mapping.status == MappingStatus.REFERRED:
            outcomes = [Outcome.REFERRED]
        elif mapping.status == MappingStatus.ACCEPTED:
            outcomes = (
                [Outcome.REFERRED, Outcome.ACCEPTED]
                if chance.random() < 0.2
                else [Outcome.ACCEPTED]
            )
        for outcome in outcomes:
            decided_at += datetime.timedelta(minutes=37)
            feedback = (
                ""
                if outcome == Outcome.ACCEPTED and chance.random() < 0.5
                else paragraphs(chance, 1, (2, 4))
            )
            rows.append(
                Decision(
                    mapping=mapping,
                    outcome=outcome,
                    feedback=feedback,
                    decided_by=assessor,
                    decided_at=decided_at,
                    **(CONFIRMED if outcome == Outcome.ACCEPTED else {}),
                )
            )
    decisions = Decision.objects.bulk_create(rows)
    accepted = [d for d in decisions if d.outcome == Outcome.ACCEPTED]
    IqaReview.objects.bulk_create(
        IqaReview(
            decision=decision,
            reviewer=iqa,
            verdict=IqaAgreement.AGREE if index % 4 else IqaAgreement.DISAGREE,
            feedback=paragraphs(chance, 1, (1, 3)) if index % 2 == 0 else "",
        )
        for index, decision in enumerate(accepted[::10])
    )
    return decisions


def _unit_records(
    portfolio: Portfolio, units: list[Unit], *, assessor: User, chance: random.Random
) -> None:
    """The learner declares half the units their own work; the assessor signs off half of those."""
    declared = units[: max(1, len(units) // 2)]
    UnitDeclaration.objects.bulk_create(
        UnitDeclaration(
            portfolio=portfolio,
            unit=unit,
            declared_by=portfolio.learner,
            wording=paragraphs(chance, 1, (2, 3)),
        )
        for unit in declared
    )
    UnitSignOff.objects.bulk_create(
        UnitSignOff(
            portfolio=portfolio,
            unit=unit,
            signed_by=assessor,
            wording=paragraphs(chance, 1, (2, 3)),
        )
        for unit in declared[: max(1, len(declared) // 2)]
    )


def _audit(portfolio: Portfolio, records: list[tuple[str, models.Model, User]]) -> None:
    """The audit trail the services would have left, a minute and a half apart."""
    at = timezone.now() - datetime.timedelta(days=30)
    rows = []
    for action, obj, actor in records:
        at += datetime.timedelta(seconds=97)
        rows.append(
            AuditEntry(
                at=at,
                actor=actor,
                action=action,
                portfolio=portfolio,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                changes={"after": {"id": obj.pk}},
            )
        )
    AuditEntry.objects.bulk_create(rows)
