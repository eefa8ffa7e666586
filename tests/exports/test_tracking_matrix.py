"""The tracking matrix in the PDF: criteria down, evidence across, each mapping's status letter."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from assessment import services as assessment
from assessment.models import Outcome
from exports.pdf.front import MATRIX_COLUMNS, tracking_matrix
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion
from tests.exports.test_exports import clear_section_cache, export_now
from tests.files import text_upload

pytestmark = pytest.mark.django_db


def _row(number: str, *refs: tuple[str, str]) -> dict[str, Any]:
    return {
        "criterion": number,
        "status": "Partly",
        "refs": [{"label": label, "status": status, "link": f"#{label}"} for label, status in refs],
    }


def test_cells_carry_each_mappings_status_under_its_evidence() -> None:
    [unit] = tracking_matrix(
        [
            {
                "unit": "U1",
                "rows": [
                    _row("1.1", ("E3", "Accepted"), ("E1", "Referred")),
                    _row("1.2", ("E2", "Submitted")),
                    _row("1.3"),
                ],
            }
        ]
    )
    [table] = unit["tables"]
    assert [column["label"] for column in table["columns"]] == ["E1", "E2", "E3"]
    assert [row["cells"] for row in table["rows"]] == [["R", "", "A"], ["", "S", ""], ["", "", ""]]


def test_a_unit_with_more_evidence_than_fits_across_is_split_into_tables() -> None:
    refs = [(f"E{n}", "Draft") for n in range(1, MATRIX_COLUMNS + 3)]
    [unit] = tracking_matrix([{"unit": "U1", "rows": [_row("1.1", *refs)]}])
    assert [len(table["columns"]) for table in unit["tables"]] == [MATRIX_COLUMNS, 2]
    # E10 sorts after E9, not after E1.
    assert unit["tables"][0]["columns"][9]["label"] == "E10"
    assert unit["tables"][1]["rows"][0]["cells"] == ["D", "D"]


def test_a_unit_with_no_evidence_has_no_table() -> None:
    [unit] = tracking_matrix([{"unit": "U1", "rows": [_row("1.1")]}])
    assert unit["tables"] == []


def test_the_exported_pdf_carries_the_matrix(
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    clear_section_cache(amy_portfolio)
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type=EvidenceType.REFLECTIVE_ACCOUNT,
        title="Saturday rota",
        activity_date=amy_portfolio.start_date,
        description="I planned the Saturday rota.",
    )
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload("rota.txt"))
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "The rota."}, submit=True
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

    [page] = [text for text in pdf.pages if text.startswith("Tracking matrix")]
    lines = page.splitlines()
    assert "Criterion E1" in lines
    assert f"{wwo_1_1.number} Met A" in lines
    assert "No evidence is mapped to this unit yet." in lines  # RS-PDR has none
    clear_section_cache(amy_portfolio)
