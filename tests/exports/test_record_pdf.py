"""The assessor's observation and discussion records as the PDF portfolio prints them."""

from __future__ import annotations

from accounts.models import User
from assessment import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion
from tests.assessment.records import discussion_content, observe
from tests.exports.test_exports import export_now
from tests.files import mp3_upload


def test_the_pdf_prints_the_structured_records_and_their_acknowledgement(
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
    wwo_1_2: AssessmentCriterion,
) -> None:
    observation = observe(asha, amy_portfolio, wwo_1_1)
    services.record_acknowledge(actor=amy, record=observation)
    discussion = services.record_create(
        actor=asha,
        portfolio=amy_portfolio,
        type=EvidenceType.PROFESSIONAL_DISCUSSION,
        content=discussion_content(wwo_1_2),
        audio=mp3_upload(),
    )
    audio = discussion.evidence.files.get()

    _, pdf = export_now(amy, amy_portfolio)
    text = pdf.text

    assert "Observation record written by Asha" in text
    assert "Northgate store, tills" in text
    assert "14 October 2025, 10:30" in text
    assert "Amy greeted each customer and resolved a refund calmly." in text
    assert "Competent: every step followed the store procedure." in text
    observation.refresh_from_db()
    assert " ".join(observation.acknowledgement_wording.split()) in text
    assert "Assessor’s commentary" in text
    assert "Q1. Why does the store log complaints?" in text
    assert "A. The duty manager, then head office." in text
    assert "Not yet acknowledged by Amy" in text
    assert "discussion.mp3" in text and audio.sha256 in text.replace(" ", "")
