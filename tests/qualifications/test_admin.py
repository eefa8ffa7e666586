"""The catalogue changes through its fixtures and load_qualifications, never the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from qualifications.models import AssessmentCriterion, LearningOutcome, Unit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return UserFactory(email="operator@example.org", centre=None, is_staff=True, is_superuser=True)


def test_rewording_a_criterion_in_the_admin_changes_nothing(
    client: Client, operator: User, pdr_1_1: AssessmentCriterion
) -> None:
    client.force_login(operator)

    client.post(
        reverse("admin:qualifications_assessmentcriterion_change", args=[pdr_1_1.pk]),
        {
            "unit": pdr_1_1.unit_id,
            "outcome": pdr_1_1.outcome_id,
            "number": pdr_1_1.number,
            "position": pdr_1_1.position,
            "text": "Something else entirely",
            "_save": "Save",
        },
    )

    assert AssessmentCriterion.objects.get(pk=pdr_1_1.pk).text == pdr_1_1.text


def test_rewording_an_outcome_in_the_admin_changes_nothing(
    client: Client, operator: User, pdr_1_1: AssessmentCriterion
) -> None:
    outcome = pdr_1_1.outcome
    client.force_login(operator)

    client.post(
        reverse("admin:qualifications_learningoutcome_change", args=[outcome.pk]),
        {"unit": outcome.unit_id, "number": outcome.number, "text": "Reworded", "_save": "Save"},
    )

    assert LearningOutcome.objects.get(pk=outcome.pk).text == outcome.text


def test_retitling_a_unit_in_the_admin_changes_nothing(
    client: Client, operator: User, pdr: Unit
) -> None:
    client.force_login(operator)

    client.post(
        reverse("admin:qualifications_unit_change", args=[pdr.pk]),
        {
            "reference": pdr.reference,
            "title": "Retitled",
            "level": pdr.level,
            "guided_learning_hours": pdr.guided_learning_hours or "",
            "overview": pdr.overview,
            **{
                f"{prefix}-{key}": value
                for prefix in ("outcomes", "guidance")
                for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
            "_save": "Save",
        },
    )

    assert Unit.objects.get(pk=pdr.pk).title == pdr.title


@pytest.mark.parametrize(
    "url",
    [
        "admin:qualifications_assessmentcriterion_changelist",
        "admin:qualifications_unit_changelist",
        "admin:qualifications_qualification_changelist",
    ],
)
def test_the_catalogue_admin_says_where_the_catalogue_changes(
    client: Client, operator: User, pdr: Unit, url: str
) -> None:
    client.force_login(operator)

    page = client.get(reverse(url))

    assert page.status_code == 200
    assert "load_qualifications" in page.content.decode()
