"""The learner's journey: photograph, upload, map to two criteria in two units, submit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from portfolio import services
from portfolio.models import EvidenceType, Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion, Qualification
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "feedback-board.jpg"
    image = Image.new("RGB", (1600, 1200), "#1f5f8b")
    ImageDraw.Draw(image).text((80, 80), "Customer feedback", fill="white", font_size=90)
    image.save(path, format="JPEG", quality=85)
    return path


@pytest.fixture
def portfolio(ocr: Qualification, amy: User, asha: User) -> Portfolio:
    return PortfolioFactory(
        learner=amy,
        qualification=ocr,
        assessor=asha,
        start_date=datetime.date(2026, 9, 1),
        planned_end_date=datetime.date(2027, 7, 31),
    )


@pytest.mark.parametrize("device", VIEWPORTS)
def test_learner_uploads_a_photo_maps_it_to_two_units_and_submits(
    browser: Browser,
    live_server,
    portfolio: Portfolio,
    amy: User,
    photo: Path,
    device: str,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(**VIEWPORTS[device]), amy)
    expect(page.get_by_role("heading", name="Your portfolios")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"Add evidence to {portfolio.qualification.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    page.get_by_label("Type of evidence").select_option(label="Photo, video or audio record")
    page.get_by_label("Title").fill("Customer feedback board")
    page.get_by_label("Description").fill("The board by the tills after our team huddle.")
    page.get_by_label("Choose files").set_input_files(photo)
    expect(page.get_by_text("feedback-board.jpg (")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save evidence").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("E1 Customer feedback board")
    expect(page.get_by_role("img", name="Photo: feedback-board.jpg")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Map to criteria").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Which criteria")
    assert_accessible(page)
    page.get_by_label("Find a criterion").fill("collaborative methods")
    expect(page.get_by_text("1 of 15 criteria shown.")).to_be_visible()
    page.get_by_label("Award credit for clearly identifying specific collaborative methods").check()
    page.get_by_label("Find a criterion").fill("recording system")
    page.get_by_label("Demonstrate the effective use of a recording system").check()
    page.get_by_label("Find a criterion").fill("")
    page.get_by_role("button", name="Next: write commentary").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Explain how")
    assert_accessible(page)
    boxes = page.get_by_role("textbox")
    expect(boxes).to_have_count(2)
    boxes.nth(0).fill(
        "Situation: queues. Action: I ran the huddle using the board. Result: fewer complaints."
    )
    boxes.nth(1).fill("I log every comment from the board in our feedback sheet each week.")
    page.get_by_role("button", name="Save and submit for assessment").click()

    expect(page.get_by_role("status").or_(page.locator(".alert-success"))).to_contain_text(
        "Submitted for assessment: criteria"
    )
    expect(page.locator(".status-badge", has_text="Submitted")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("link", name="Progress").click()
    wwo = page.locator("#criterion-RS-WWO-1\\.1")
    pdr = page.locator("#criterion-RS-PDR-3\\.1")
    expect(wwo.locator(".status-badge")).to_have_text("Submitted")
    expect(pdr.locator(".status-badge")).to_have_text("Submitted")
    assert_accessible(page)
    page.context.close()

    statuses = set(
        Mapping.objects.filter(evidence__portfolio=portfolio).values_list("status", flat=True)
    )
    assert statuses == {MappingStatus.SUBMITTED}


@pytest.fixture
def mapped_evidence(portfolio: Portfolio, amy: User, photo: Path) -> Mapping:
    with transaction.atomic():
        evidence = services.evidence_create(
            actor=amy,
            portfolio=portfolio,
            type=EvidenceType.MEDIA,
            title="Feedback board",
            activity_date=datetime.date(2026, 10, 5),
            description="Board by the tills.",
        )
    services.evidence_file_add(
        actor=amy, evidence=evidence, uploaded=SimpleUploadedFile(photo.name, photo.read_bytes())
    )
    [mapping] = services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={
            AssessmentCriterion.objects.get(unit__reference="RS-WWO", number="2.1"): "I did."
        },
    )
    return mapping


@pytest.mark.parametrize("device", VIEWPORTS)
def test_library_matrix_and_edit_pages_are_accessible(
    browser: Browser,
    live_server,
    mapped_evidence: Mapping,
    amy: User,
    device: str,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(**VIEWPORTS[device]), amy)
    portfolio_id = mapped_evidence.evidence.portfolio_id

    page.goto(f"{live_server.url}/portfolios/{portfolio_id}/evidence/")
    page.get_by_label("Status").select_option(label="Draft")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Feedback board")).to_be_visible()
    expect(page.locator("img.evidence-thumb")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("link", name="Tracking matrix").click()
    expect(page.get_by_role("row", name="RS-WWO 2.1 Draft D")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/mappings/{mapped_evidence.pk}/edit/")
    page.get_by_label("Your commentary").fill("")
    page.get_by_role("button", name="Save as draft").click()
    # At the top of the page, linked to the box, and beside the box.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Write your commentary")).to_be_visible()
    expect(page.locator("#commentary-error")).to_contain_text("Write your commentary")
    assert_accessible(page)

    page.goto(f"{live_server.url}/evidence/{mapped_evidence.evidence_id}/edit/")
    page.get_by_label("Date of the activity").fill("2099-01-01")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("cannot be in the future")
    expect(
        page.locator("#id_activity_date ~ .invalid-feedback, .invalid-feedback")
    ).to_contain_text("cannot be in the future")
    assert_accessible(page)

    page.goto(f"{live_server.url}/evidence/{mapped_evidence.evidence_id}/delete/")
    assert_accessible(page)
    page.context.close()
