"""A witness statement in the PDF portfolio: the witness's details and their declaration."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from assessment import services as assessment
from assessment.models import Outcome
from portfolio import services
from portfolio.models import Portfolio
from portfolio.services import witness
from qualifications.models import AssessmentCriterion
from tests.exports.test_exports import clear_section_cache, export_now, flat

pytestmark = pytest.mark.django_db


def test_the_pdf_shows_the_witness_their_statement_and_declaration(
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    clear_section_cache(amy_portfolio)
    with django_capture_on_commit_callbacks(execute=True):
        _, token = witness.witness_request_create(
            actor=amy,
            portfolio=amy_portfolio,
            witness=witness.Witness(
                name="Priya Patel",
                job_title="Store manager",
                relationship="Line manager for two years",
                email="priya@shop.example",
            ),
            activity="Tills on Saturday.",
        )
    evidence = witness.witness_statement_submit(
        token=token,
        observed="Amy calmed a queue of twenty and refunded a kettle correctly.",
        observed_on=timezone.localdate() - datetime.timedelta(days=2),
        activities="Tills; a refund",
        signed_name="Priya Patel",
        declared=True,
    ).evidence
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "Priya saw it."}, submit=True
    )
    assessment.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[
            assessment.DecisionRequest(
                mapping.pk, Outcome.ACCEPTED, "", None, assessment.Vacsr.confirmed()
            )
        ],
    )

    _, pdf = export_now(asha, amy_portfolio)

    for words in (
        "Priya Patel",
        "Store manager",
        "Line manager for two years",
        "priya@shop.example",
        "refunded a kettle correctly",
        flat(witness.WITNESS_DECLARATION),
        "Signed “Priya Patel”",
    ):
        assert words in pdf.text
    clear_section_cache(amy_portfolio)
