from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> Unit:
    return Unit.objects.create(reference="U1", title="A unit", level=3)


@pytest.fixture
def outcome(unit: Unit) -> LearningOutcome:
    return LearningOutcome.objects.create(unit=unit, number=1, text="Do a thing.")


def criterion(outcome: LearningOutcome, number: str) -> AssessmentCriterion:
    return AssessmentCriterion.objects.create(
        unit=outcome.unit, outcome=outcome, number=number, position=1, text="Shows it."
    )


def test_criterion_number_is_unique_within_its_unit(outcome: LearningOutcome) -> None:
    criterion(outcome, "1.1")
    with pytest.raises(IntegrityError):
        criterion(outcome, "1.1")


def test_the_same_criterion_number_may_appear_in_another_unit(outcome: LearningOutcome) -> None:
    other_unit = Unit.objects.create(reference="U2", title="Another", level=3)
    other_outcome = LearningOutcome.objects.create(unit=other_unit, number=1, text="x")
    criterion(outcome, "1.1")
    criterion(other_outcome, "1.1")
    assert AssessmentCriterion.objects.filter(number="1.1").count() == 2


@pytest.mark.parametrize("bad", ["1", "1.", "a.b", "0.1", "1.0", "1.1.1", " 1.1"])
def test_the_database_refuses_a_criterion_number_that_is_not_dotted(
    outcome: LearningOutcome, bad: str
) -> None:
    with pytest.raises(IntegrityError):
        criterion(outcome, bad)


def test_outcome_number_is_unique_within_its_unit(outcome: LearningOutcome) -> None:
    with pytest.raises(IntegrityError):
        LearningOutcome.objects.create(unit=outcome.unit, number=1, text="Again")


@pytest.mark.parametrize("level", [0, 9])
def test_the_database_refuses_a_level_outside_1_to_8(level: int) -> None:
    with pytest.raises(IntegrityError):
        Unit.objects.create(reference="U9", title="Bad level", level=level)


def test_a_unit_is_listed_once_per_qualification_but_may_serve_several(unit: Unit) -> None:
    body = AwardingBody.objects.create(code="AB", name="Body")
    first = Qualification.objects.create(
        reference="Q1", awarding_body=body, title="First", level=3, framework="RQF"
    )
    second = Qualification.objects.create(
        reference="Q2", awarding_body=body, title="Second", level=3, framework="RQF"
    )
    QualificationUnit.objects.create(qualification=first, unit=unit, position=1)
    QualificationUnit.objects.create(qualification=second, unit=unit, position=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        QualificationUnit.objects.create(qualification=first, unit=unit, position=2)
    assert set(unit.qualifications.all()) == {first, second}


def test_a_unit_in_a_qualification_cannot_be_deleted(unit: Unit) -> None:
    from django.db.models import ProtectedError

    body = AwardingBody.objects.create(code="AB", name="Body")
    qualification = Qualification.objects.create(
        reference="Q1", awarding_body=body, title="First", level=3, framework="RQF"
    )
    QualificationUnit.objects.create(qualification=qualification, unit=unit, position=1)
    with pytest.raises(ProtectedError):
        unit.delete()
