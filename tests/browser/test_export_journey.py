"""The assessor makes a PDF of a learner's portfolio, downloads it, and anyone holding it checks
it is genuine on the public verification page."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from accounts.models import User
from assessment import services as assessment_services
from assessment.services import DecisionRequest, Vacsr
from exports import services as exports
from exports.models import ExportState, PortfolioExport
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion, Qualification
from tests.exports.test_exports import one_byte_changed
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portfolio(ocr: Qualification, amy: User, asha: User) -> Portfolio:
    """Amy's portfolio with one service plan, accepted by Asha for RS-PDR 1.1."""
    portfolio = PortfolioFactory(
        learner=amy,
        qualification=ocr,
        assessor=asha,
        start_date=datetime.date(2026, 9, 1),
        planned_end_date=datetime.date(2027, 7, 31),
    )
    evidence = services.evidence_create(
        actor=amy,
        portfolio=portfolio,
        type=EvidenceType.PRODUCT,
        title="Service plan",
        activity_date=datetime.date(2026, 10, 1),
        description="The service plan I wrote for the spring quarter.",
    )
    services.evidence_file_add(
        actor=amy, evidence=evidence, uploaded=SimpleUploadedFile("plan.txt", b"Roles, KPIs.\n")
    )
    (mapping,) = services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={
            AssessmentCriterion.objects.get(unit__reference="RS-PDR", number="1.1"): (
                "My plan names who does what and the resources each shift needs."
            )
        },
        submit=True,
    )
    assessment_services.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[
            DecisionRequest(mapping.pk, "accepted", "A clear plan.", None, Vacsr.confirmed())
        ],
    )
    return portfolio


def test_assessor_makes_downloads_and_a_stranger_verifies_a_pdf_portfolio(
    browser: Browser,
    live_server,
    portfolio: Portfolio,
    asha: User,
    tmp_path: Path,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(viewport=DESKTOP), asha)

    # A PDF being made: the page shows its progress and keeps asking for more.
    making = PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=asha,
        state=ExportState.RUNNING,
        progress=40,
        stage="Evidence 1 of 1",
        verification_code=exports.new_verification_code(),
    )
    making_url = f"/exports/{making.pk}/"
    page.goto(f"{live_server.url}{making_url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("PDF portfolio")
    bar = page.get_by_role("progressbar", name="Evidence 1 of 1: 40%")
    expect(bar).to_have_attribute("value", "40")
    progress = page.locator("#export-progress")
    expect(progress).to_have_attribute("hx-get", making_url)
    expect(progress).to_have_attribute("hx-trigger", "every 1s")
    assert_accessible(page)
    # The poll picks up progress, then the finished PDF, with no reload.
    PortfolioExport.objects.filter(pk=making.pk).update(progress=80, stage="Assembling")
    expect(page.get_by_role("progressbar", name="Assembling: 80%")).to_have_attribute("value", "80")
    PortfolioExport.objects.filter(pk=making.pk).update(
        state=ExportState.DONE, progress=100, pages=12, size=40_000
    )
    expect(page.get_by_text("Your PDF is ready: 12 pages")).to_be_visible()
    expect(page.locator("#export-progress")).not_to_have_attribute("hx-get", making_url)
    making.delete()

    # Now a real one, from the portfolio's PDF tab.
    page.goto(f"{live_server.url}/portfolios/{portfolio.pk}/")
    page.get_by_role("navigation", name="Portfolio sections").get_by_role(
        "link", name="PDF"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PDF portfolio")
    expect(page.get_by_text("No PDFs yet.")).to_be_visible()
    expect(page.get_by_label("The whole portfolio")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Make PDF").click()
    expect(page.get_by_role("status")).to_contain_text("Your PDF is ready")
    assert_accessible(page)
    export = PortfolioExport.objects.get()
    assert export.state == ExportState.DONE
    expect(page.locator("code", has_text=export.verification_code)).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"portfolio-Amy-Archer-OCR-L3-RSSP-CERT-whole-{export.finished_at.date().isoformat()}-"
        f"{export.verification_code}.pdf"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert hashlib.sha256(data).hexdigest() == export.sha256
    reader = PdfReader(saved)
    assert len(reader.pages) == export.pages
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Learner Amy Archer" in cover
    assert "A clear plan." in " ".join(p.extract_text() for p in reader.pages)
    code = re.search(r"Verification code (\w{4}-\w{4}-\w{4})", cover)[1]
    assert code == export.verification_code

    page.get_by_role("link", name="All PDFs of this portfolio").click()
    expect(page.get_by_role("row", name=re.compile("Ready"))).to_have_count(1)
    assert_accessible(page)
    page.context.close()

    # Someone holding the printout, signed out, checks the code from its cover.
    stranger_context = browser.new_context()
    stranger = stranger_context.new_page()
    stranger.goto(f"{live_server.url}/verify/")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Check a PDF portfolio")
    assert_accessible(stranger)
    stranger.get_by_label("Verification code").fill("2345-6789-2345")
    stranger.get_by_role("button", name="Check the code").click()
    expect(stranger.get_by_role("alert")).to_have_text(
        "No PDF portfolio matches that code. Check the code on the cover and try again."
    )
    assert_accessible(stranger)
    stranger.get_by_label("Verification code").fill(code.lower())
    stranger.get_by_role("button", name="Check the code").click()
    result = stranger.get_by_role("status")
    expect(result).to_contain_text("This code belongs to a genuine PDF portfolio.")
    expect(result).to_contain_text("Amy Archer")
    expect(result).to_contain_text(export.sha256)

    # Then the file itself: the browser hashes it, and only the fingerprint is sent.
    stranger.get_by_label("Choose the PDF, or drop it here").set_input_files(saved)
    stranger.get_by_role("button", name="Check the file").click()
    expect(stranger.get_by_role("status").first).to_contain_text(
        "Genuine: this is a PDF portfolio issued here, unchanged."
    )
    assert_accessible(stranger)

    # A copy with one byte changed is not recognised by its fingerprint; sent whole, it is
    # found altered.
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(one_byte_changed(data))
    stranger.get_by_label("Choose the PDF, or drop it here").set_input_files(altered)
    stranger.get_by_role("button", name="Check the file").click()
    expect(stranger.get_by_role("status").first).to_contain_text("Not recognised")
    assert_accessible(stranger)
    stranger.get_by_label("The PDF portfolio").set_input_files(altered)
    stranger.get_by_role("button", name="Send the file to check").click()
    expect(stranger.get_by_role("alert").first).to_contain_text(
        "Altered: this file is not the PDF portfolio it claims to be."
    )
    assert_accessible(stranger)
    stranger_context.close()


def test_the_genuine_result_on_the_verification_page_is_accessible(
    browser: Browser,
    live_server,
    portfolio: Portfolio,
    asha: User,
    assert_accessible: Callable[[Page], None],
) -> None:
    export = PortfolioExport.objects.create(
        portfolio=portfolio,
        requested_by=asha,
        state=ExportState.DONE,
        progress=100,
        verification_code=exports.new_verification_code(),
        sha256=hashlib.sha256(b"issued").hexdigest(),
        size=6,
        pages=1,
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/verify/?code={export.verification_code}")
    expect(page.get_by_role("status")).to_contain_text("genuine PDF portfolio")
    try:
        assert_accessible(page)
    finally:
        context.close()
