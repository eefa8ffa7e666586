"""The test cast, from STYLE.md: learners Amy and Ben, assessor Asha, tutor Tom, IQA Iris and
administrator Ada at one centre; Oscar, a learner at another centre."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model

from accounts.models import Centre, Role, User
from portfolio.models import Portfolio
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    GuidanceItem,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)
from tests.factories import CentreFactory, PortfolioFactory, UserFactory

OCR = "OCR-L3-RSSP-CERT"


@pytest.fixture
def centre(db: None) -> Centre:
    return CentreFactory(name="Northgate Training")


@pytest.fixture
def other_centre(db: None) -> Centre:
    return CentreFactory(name="Riverside College")


def _person(centre: Centre, name: str, *roles: str) -> User:
    email = f"{name.split()[0].lower()}@{centre.name.split()[0].lower()}.test"
    return UserFactory(email=email, full_name=name, centre=centre, roles=list(roles))


@pytest.fixture
def amy(centre: Centre) -> User:
    return _person(centre, "Amy Archer", Role.LEARNER)


@pytest.fixture
def ben(centre: Centre) -> User:
    return _person(centre, "Ben Brook", Role.LEARNER)


@pytest.fixture
def asha(centre: Centre) -> User:
    return _person(centre, "Asha Patel", Role.ASSESSOR)


@pytest.fixture
def tom(centre: Centre) -> User:
    return _person(centre, "Tom Reid", Role.TUTOR)


@pytest.fixture
def iris(centre: Centre) -> User:
    return _person(centre, "Iris Okafor", Role.IQA)


@pytest.fixture
def ada(centre: Centre) -> User:
    return _person(centre, "Ada Price", Role.CENTRE_ADMIN)


@pytest.fixture
def oscar(other_centre: Centre) -> User:
    return _person(other_centre, "Oscar Olsen", Role.LEARNER, Role.CENTRE_ADMIN)


CATALOGUE_MODELS = [
    AwardingBody,
    Unit,
    Qualification,
    QualificationUnit,
    LearningOutcome,
    AssessmentCriterion,
    GuidanceItem,
]
_catalogue_rows: list[tuple[type[Model], list[Model]]] = []


@pytest.fixture
def catalogue(db: None) -> None:
    """The real qualification fixtures, loaded as `make run` loads them.

    The loader runs once per session; later tests get the same rows copied back in bulk,
    which is many times faster than validating and upserting the YAML again.
    """
    if not _catalogue_rows:
        call_command("load_qualifications", stdout=io.StringIO())
        _catalogue_rows.extend((model, list(model.objects.all())) for model in CATALOGUE_MODELS)
        return
    for model, rows in _catalogue_rows:
        model.objects.bulk_create([copy.copy(row) for row in rows])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), CATALOGUE_MODELS):
            cursor.execute(statement)


@pytest.fixture
def ocr(catalogue: None) -> Qualification:
    """The OCR Level 3 Certificate in Retail Skills: units RS-WWO and RS-PDR."""
    return Qualification.objects.get(reference=OCR)


@pytest.fixture
def amy_portfolio(amy: User, ocr: Qualification, asha: User, tom: User) -> Portfolio:
    return PortfolioFactory(learner=amy, qualification=ocr, assessor=asha, tutor=tom)


@pytest.fixture
def ben_portfolio(ben: User, ocr: Qualification, asha: User, tom: User) -> Portfolio:
    return PortfolioFactory(learner=ben, qualification=ocr, assessor=asha, tutor=tom)
