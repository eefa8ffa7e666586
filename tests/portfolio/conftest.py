"""Shared portfolio fixtures: Amy's and Ben's portfolios on the OCR certificate, evidence built
through the services, and uploads made in the test."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from portfolio import services
from portfolio.models import Evidence, EvidenceFile, EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion, Qualification

OCR = "OCR-L3-RSSP-CERT"


def jpeg_bytes(width: int = 64, height: int = 48, colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def jpeg_upload(
    name: str = "photo.jpg", *, width: int = 64, height: int = 48
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(width, height), content_type="image/jpeg")


def text_upload(
    name: str = "notes.txt", text: str = "What I did on the shop floor.\n"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def html_upload(name: str = "payload.jpg") -> SimpleUploadedFile:
    """A web page dressed up as a photo."""
    return SimpleUploadedFile(
        name, b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )


def criterion(unit: str, number: str) -> AssessmentCriterion:
    return AssessmentCriterion.objects.select_related("unit").get(
        unit__reference=unit, number=number
    )


def stored_bytes(name: str) -> bytes:
    """In-memory storage hands out one shared handle per file, so read it from the start."""
    with default_storage.open(name, "rb") as handle:
        handle.seek(0)
        return handle.read()


def stored_names(directory: str = "") -> set[str]:
    """Every file name in the (in-memory) default storage, recursively."""
    directories, files = default_storage.listdir(directory)
    names = {f"{directory}/{name}" if directory else name for name in files}
    for child in directories:
        names |= stored_names(f"{directory}/{child}" if directory else child)
    return names


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


@pytest.fixture
def wwo_1_1(ocr: Qualification) -> AssessmentCriterion:
    return criterion("RS-WWO", "1.1")


@pytest.fixture
def wwo_1_2(ocr: Qualification) -> AssessmentCriterion:
    return criterion("RS-WWO", "1.2")


@pytest.fixture
def pdr_1_1(ocr: Qualification) -> AssessmentCriterion:
    return criterion("RS-PDR", "1.1")
