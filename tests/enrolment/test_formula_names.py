"""A name a spreadsheet would run as a formula is refused wherever a name is typed: the CSV
intake, the enrol form and the new-cohort form, by the one rule in enrolment/validation.py."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Centre, User
from cohorts.models import Cohort
from enrolment import services as enrolment
from enrolment.services import EnrolmentRefused
from portfolio.models import AuditEntry, Portfolio
from qualifications.models import Qualification

pytestmark = pytest.mark.django_db

DATES = {"start_date": "2026-09-01", "planned_end_date": "2027-07-31"}
FORMULAS = ['=HYPERLINK("http://evil.example","Click me")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1"]


@pytest.fixture
def cohort(centre: Centre, ocr: Qualification, tom: User) -> Cohort:
    cohort = Cohort.objects.create(centre=centre, name="Retail 2026", qualification=ocr)
    cohort.tutors.add(tom)
    return cohort


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", FORMULAS)
def test_the_enrol_form_refuses_a_formula_looking_name(
    ada: User, asha: User, cohort: Cohort, ocr: Qualification, name: str
) -> None:
    response = _signed_in(ada).post(
        reverse("enrolment:learner_enrol"),
        {
            "full_name": name,
            "email": "cara@example.org",
            "qualification": ocr.pk,
            "cohort": cohort.pk,
            "assessor": asha.pk,
            **DATES,
        },
    )

    assert response.status_code == 200
    assert "formula" in response.context["form"].errors["full_name"][0]
    assert not Portfolio.objects.exists()
    assert not User.objects.filter(email="cara@example.org").exists()


@pytest.mark.parametrize("name", FORMULAS)
def test_the_cohort_form_refuses_a_formula_looking_name(
    ada: User, tom: User, ocr: Qualification, name: str
) -> None:
    response = _signed_in(ada).post(
        reverse("enrolment:cohort_create"),
        {"name": name, "qualification": ocr.pk, "tutors": [tom.pk], **DATES},
    )

    assert response.status_code == 200
    assert "formula" in response.context["form"].errors["name"][0]
    assert not Cohort.objects.exists()


def test_the_services_refuse_a_formula_looking_name_too(
    ada: User, asha: User, tom: User, cohort: Cohort, ocr: Qualification
) -> None:
    """What calls the services without a form meets the same rule."""
    with pytest.raises(EnrolmentRefused) as learner_refusal:
        enrolment.learner_enrol(
            actor=ada,
            full_name="=1+1",
            email="cara@example.org",
            qualification=ocr,
            cohort=cohort,
            assessor=asha,
            start_date=datetime.date(2026, 9, 1),
            planned_end_date=datetime.date(2027, 7, 31),
        )
    with pytest.raises(EnrolmentRefused) as cohort_refusal:
        enrolment.cohort_create(
            actor=ada,
            name="@cohort",
            qualification=ocr,
            start_date=None,
            planned_end_date=None,
            tutors=[tom],
        )

    assert learner_refusal.value.field == "full_name"
    assert cohort_refusal.value.field == "name"
    assert not Portfolio.objects.exists()
    assert Cohort.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_a_name_with_a_hyphen_or_plus_inside_is_accepted(
    ada: User, tom: User, ocr: Qualification
) -> None:
    response = _signed_in(ada).post(
        reverse("enrolment:cohort_create"),
        {
            "name": "Retail + Sales - Spring",
            "qualification": ocr.pk,
            "tutors": [tom.pk],
            **DATES,
        },
    )

    assert response.status_code == 302
    assert Cohort.objects.filter(name="Retail + Sales - Spring").exists()
