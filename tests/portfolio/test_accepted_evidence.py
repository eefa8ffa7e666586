"""Accepted evidence is part of the record: no file joins it afterwards, and the PDF dates every
file, so nothing added later can pass for what the assessor saw."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import User
from assessment import services as assessment_services
from assessment.models import Outcome
from assessment.services import DecisionRequest, Vacsr
from exports.pdf.content import EvidenceSection
from portfolio import services
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Evidence, EvidenceFile, Mapping
from qualifications.models import AssessmentCriterion
from tests.files import jpeg_upload, pdf_upload, stored_names, text_upload
from tests.pages import messages_of

pytestmark = pytest.mark.django_db

COMMENTARY = "I greeted each customer and checked back later."


def accepted(amy: User, asha: User, evidence: Evidence, crit: AssessmentCriterion) -> Mapping:
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={crit: COMMENTARY}, submit=True
    )
    assessment_services.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[DecisionRequest(mapping.pk, Outcome.ACCEPTED, "", None, Vacsr.confirmed())],
    )
    mapping.refresh_from_db()
    return mapping


def test_no_file_can_be_added_to_accepted_evidence_and_nothing_is_kept(
    amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    accepted(amy, asha, evidence, wwo_1_1)
    files_before, audit_before, stored_before = (
        evidence.files.count(),
        AuditEntry.objects.count(),
        stored_names(),
    )

    with pytest.raises(ActionRefused, match="has been accepted") as caught:
        services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload("late.jpg"))

    assert "Add a new piece of evidence instead" in caught.value.message
    assert evidence.files.count() == files_before
    assert AuditEntry.objects.count() == audit_before
    assert stored_names() == stored_before


def test_once_the_acceptance_is_reopened_files_can_be_added_again(
    amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    mapping = accepted(amy, asha, evidence, wwo_1_1)
    assessment_services.mapping_reopen(actor=asha, mapping=mapping, reason="Photo is unclear.")

    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload("clearer.jpg"))

    assert evidence.files.filter(original_name="clearer.jpg").exists()


def test_the_evidence_page_offers_no_upload_once_accepted_and_says_what_to_do(
    as_amy: Client, amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    page = reverse("portfolio:evidence_detail", args=[evidence.pk])
    upload_url = reverse("portfolio:file_upload", args=[evidence.pk])
    assert upload_url in as_amy.get(page).content.decode()

    accepted(amy, asha, evidence, wwo_1_1)
    html = as_amy.get(page).content.decode()

    assert upload_url not in html
    assert "Add a new piece of evidence instead" in html


def test_posting_a_file_to_accepted_evidence_anyway_is_refused_with_the_reason(
    as_amy: Client, amy: User, asha: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    accepted(amy, asha, evidence, wwo_1_1)

    response = as_amy.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        {"files": [text_upload("late.txt")]},
        follow=True,
    )

    assert any("has been accepted" in message for message in messages_of(response))
    assert not evidence.files.filter(original_name="late.txt").exists()


def test_the_pdfs_evidence_section_gives_every_files_upload_date_and_time(
    amy: User, evidence: Evidence
) -> None:
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=pdf_upload())
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload())
    EvidenceFile.objects.filter(original_name="notes.txt").update(
        uploaded_at=timezone.now() - timezone.timedelta(days=40)
    )
    files = list(evidence.files.order_by("uploaded_at", "pk"))
    section = EvidenceSection(evidence=evidence, mappings=[], files=files)

    html = render_to_string(
        "exports/pdf/evidence.html", {"section": section, "number": 1, "header": "Amy"}
    )

    assert len(files) == 3
    for evidence_file in files:
        shown = dateformat.format(timezone.localtime(evidence_file.uploaded_at), "j M Y, H:i")
        assert shown in html
