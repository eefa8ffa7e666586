"""Messages about evidence in the PDF portfolio: printed in the evidence's own section, part of
its fingerprint, read in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from exports.models import ExportScope, PortfolioExport
from exports.pdf.content import gather
from portfolio import services
from portfolio.models import Evidence, Portfolio
from qualifications.models import AssessmentCriterion
from tests.exports.test_exports import clear_section_cache, export_now
from tests.files import jpeg_upload
from tests.journeys import refer, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def referred(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> Evidence:
    """Amy's till photo, referred by Asha."""
    clear_section_cache(amy_portfolio)
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type="product",
        title="Till photo",
        activity_date=amy_portfolio.start_date,
        description="The till after my count.",
    )
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())
    [mapping] = submit(evidence, wwo_1_1)
    refer(asha, mapping, "Say who checked the count.")
    return evidence


def test_the_evidence_section_prints_the_messages_about_it(
    amy: User, asha: User, amy_portfolio: Portfolio, referred: Evidence
) -> None:
    services.message_post(
        actor=asha, portfolio=amy_portfolio, evidence=referred, body="Who checked the count?"
    )
    services.message_post(
        actor=amy,
        portfolio=amy_portfolio,
        evidence=referred,
        body="My supervisor, Jo.\nShe signed the sheet.",
    )
    services.message_post(actor=amy, portfolio=amy_portfolio, body="Portfolio-wide question")

    _, pdf = export_now(asha, amy_portfolio)

    start = pdf.bookmarks()[f"E{referred.number}: Till photo"]
    section = pdf.between(start, start + 1)
    assert "Messages about this evidence" in section
    assert "Asha Patel" in section and "Who checked the count?" in section
    assert "Amy Archer" in section and "My supervisor, Jo. She signed the sheet." in section
    # The portfolio's own thread is printed nowhere, its audit entry included.
    assert "Portfolio-wide question" not in pdf.text
    clear_section_cache(amy_portfolio)


def test_a_new_message_changes_only_its_evidence_sections_fingerprint(
    amy: User,
    asha: User,
    amy_portfolio: Portfolio,
    referred: Evidence,
    wwo_1_2: AssessmentCriterion,
) -> None:
    other = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type="product",
        title="Rota",
        activity_date=amy_portfolio.start_date,
        description="My rota.",
    )
    services.evidence_file_add(actor=amy, evidence=other, uploaded=jpeg_upload())
    submit(other, wwo_1_2)
    export = PortfolioExport.objects.create(
        portfolio=amy_portfolio, requested_by=asha, scope=ExportScope.WHOLE
    )
    before = {s.evidence.pk: s.fingerprint for s in gather(export).evidence}

    services.message_post(actor=asha, portfolio=amy_portfolio, evidence=referred, body="Who?")
    services.message_post(actor=asha, portfolio=amy_portfolio, body="Not printed.")
    after = {s.evidence.pk: s.fingerprint for s in gather(export).evidence}

    assert after[referred.pk] != before[referred.pk]
    assert after[other.pk] == before[other.pk]


def test_gathering_the_messages_reads_a_fixed_number_of_queries(
    amy: User, asha: User, amy_portfolio: Portfolio, referred: Evidence
) -> None:
    export = PortfolioExport.objects.create(
        portfolio=amy_portfolio, requested_by=asha, scope=ExportScope.WHOLE
    )

    def queries_to_gather() -> int:
        with CaptureQueriesContext(connection) as captured:
            content = gather(export)
            [str(m.author) for s in content.evidence for m in s.messages]
        return len(captured)

    services.message_post(actor=asha, portfolio=amy_portfolio, evidence=referred, body="Who?")
    one = queries_to_gather()
    for number in range(10):
        services.message_post(
            actor=amy if number % 2 else asha,
            portfolio=amy_portfolio,
            evidence=referred,
            body=f"Reply {number}",
        )

    assert queries_to_gather() == one
    [section] = gather(export).evidence
    assert [m.body for m in section.messages][-2:] == ["Reply 8", "Reply 9"]
