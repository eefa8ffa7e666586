"""Fixtures shared by every app's tests.

The cast, from STYLE.md: learners Amy and Ben, assessor Asha, tutor Tom, IQA Iris and
administrator Ada at one centre; Oscar, a learner at another centre. Amy's and Ben's
portfolios on the OCR certificate (units RS-WWO and RS-PDR), assessed by Asha and tutored by
Tom, and evidence in Amy's portfolio built through the services.
"""

from __future__ import annotations

import copy
import datetime
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model
from django.test import Client

from accounts.models import Centre, Role, User
from portfolio import services
from portfolio.models import Evidence, EvidenceFile, EvidenceType, Portfolio
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    BarredCombination,
    GuidanceItem,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    RuleGroup,
    Unit,
)
from tests.cast import person
from tests.catalogue import OCR, criterion
from tests.factories import CentreFactory, PortfolioFactory
from tests.files import jpeg_upload

# The cast ------------------------------------------------------------------------------------


@pytest.fixture
def centre(db: None) -> Centre:
    return CentreFactory(name="Northgate Training")


@pytest.fixture
def other_centre(db: None) -> Centre:
    return CentreFactory(name="Riverside College")


@pytest.fixture
def amy(centre: Centre) -> User:
    return person(centre, "Amy Archer", Role.LEARNER)


@pytest.fixture
def ben(centre: Centre) -> User:
    return person(centre, "Ben Brook", Role.LEARNER)


@pytest.fixture
def asha(centre: Centre) -> User:
    return person(centre, "Asha Patel", Role.ASSESSOR)


@pytest.fixture
def tom(centre: Centre) -> User:
    return person(centre, "Tom Reid", Role.TUTOR)


@pytest.fixture
def eve(centre: Centre) -> User:
    """An employer contact: the line manager of the apprentices whose portfolios name her."""
    return person(centre, "Eve Mercer", Role.EMPLOYER)


@pytest.fixture
def iris(centre: Centre) -> User:
    return person(centre, "Iris Okafor", Role.IQA)


@pytest.fixture
def ada(centre: Centre) -> User:
    return person(centre, "Ada Price", Role.CENTRE_ADMIN)


@pytest.fixture
def oscar(other_centre: Centre) -> User:
    return person(other_centre, "Oscar Olsen", Role.LEARNER, Role.CENTRE_ADMIN)


# The catalogue -------------------------------------------------------------------------------

CATALOGUE_MODELS = [
    AwardingBody,
    Unit,
    Qualification,
    RuleGroup,
    BarredCombination,
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
def pdr(ocr: Qualification) -> Unit:
    """RS-PDR: four criteria, 1.1, 1.2, 2.1 and 3.1."""
    return Unit.objects.get(reference="RS-PDR")


@pytest.fixture
def wwo(ocr: Qualification) -> Unit:
    """RS-WWO: eleven criteria."""
    return Unit.objects.get(reference="RS-WWO")


@pytest.fixture
def wwo_1_1(ocr: Qualification) -> AssessmentCriterion:
    return criterion("RS-WWO", "1.1")


@pytest.fixture
def wwo_1_2(ocr: Qualification) -> AssessmentCriterion:
    return criterion("RS-WWO", "1.2")


@pytest.fixture
def pdr_1_1(ocr: Qualification) -> AssessmentCriterion:
    return criterion("RS-PDR", "1.1")


# Portfolios and evidence ---------------------------------------------------------------------


@pytest.fixture
def amy_portfolio(amy: User, ocr: Qualification, asha: User, tom: User) -> Portfolio:
    return PortfolioFactory(learner=amy, qualification=ocr, assessor=asha, tutor=tom)


@pytest.fixture
def ben_portfolio(ben: User, ocr: Qualification, asha: User, tom: User) -> Portfolio:
    return PortfolioFactory(learner=ben, qualification=ocr, assessor=asha, tutor=tom)


@pytest.fixture
def make_evidence(amy: User, amy_portfolio: Portfolio) -> Callable[..., Evidence]:
    """Evidence in Amy's portfolio, made through the service, with a photo unless told not to."""

    def make(
        title: str = "Customer feedback board",
        *,
        with_file: bool = True,
        type: str = EvidenceType.PRODUCT,
        description: str = "I designed and ran the feedback board in May.",
    ) -> Evidence:
        evidence = services.evidence_create(
            actor=amy,
            portfolio=amy_portfolio,
            type=type,
            title=title,
            activity_date=datetime.date(2025, 10, 14),
            description=description,
        )
        if with_file:
            services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())
        return evidence

    return make


@pytest.fixture
def evidence(make_evidence: Callable[..., Evidence]) -> Evidence:
    """Amy's evidence with one photo, not mapped yet."""
    return make_evidence()


@pytest.fixture
def evidence_file(evidence: Evidence) -> EvidenceFile:
    return evidence.files.get()


# Signed-in clients ---------------------------------------------------------------------------


@pytest.fixture
def as_amy(client: Client, amy: User, amy_portfolio: Portfolio) -> Client:
    client.force_login(amy)
    return client


@pytest.fixture
def as_asha(client: Client, asha: User) -> Client:
    client.force_login(asha)
    return client
