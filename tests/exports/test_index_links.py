"""The criterion index opens each criterion's own commentary, not only its evidence's first page."""

from __future__ import annotations

from typing import Any

import pytest
from weasyprint import HTML

from accounts.models import User
from exports.pdf.assemble import Part
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion
from tests.exports.test_exports import clear_section_cache, export_now, flat
from tests.files import text_upload

pytestmark = pytest.mark.django_db


def test_an_evidence_sections_ids_are_anchors_with_their_page() -> None:
    pdf = HTML(
        string="<p>one</p><div id='mapping-7' style='break-before: page'>two</div>"
    ).write_pdf()
    assert Part("evidence-1", pdf).anchors == {"mapping-7": 1}
    assert Part("unit-1", pdf).anchors == {}  # only evidence sections are landed in


def test_the_index_links_to_the_page_the_commentary_is_on(
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    wwo_1_1: AssessmentCriterion,
    wwo_1_2: AssessmentCriterion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    clear_section_cache(amy_portfolio)
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type=EvidenceType.REFLECTIVE_ACCOUNT,
        title="A long account",
        activity_date=amy_portfolio.start_date,
        # Long enough that the criteria and commentary begin on a later page.
        description="\n\n".join(
            f"Paragraph {n} of what I did at the tills." * 12 for n in range(40)
        ),
    )
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload("notes.txt"))
    services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={wwo_1_1: "COMMENTARY ONE", wwo_1_2: "COMMENTARY TWO"},
    )

    _, pdf = export_now(asha, amy_portfolio)

    start = pdf.bookmarks()["E1: A long account"]
    commentary_page = next(
        number for number, text in enumerate(pdf.pages, 1) if "COMMENTARY ONE" in text
    )
    assert commentary_page > start
    index_page = next(
        number
        for number in range(3, pdf.front_pages + 1)
        if "E1 A long account" in flat(pdf.pages[number - 1])
    )
    assert commentary_page in pdf.link_targets(index_page)
    assert pdf.index_entries()["E1 A long account"][0] == commentary_page
    clear_section_cache(amy_portfolio)
