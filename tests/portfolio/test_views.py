"""The learner's pages, driven through the test client as Amy."""

from __future__ import annotations

import datetime
import html
import io
import random
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from portfolio import services
from portfolio.models import Evidence, EvidenceFile, EvidenceType, Mapping, MappingStatus, Portfolio
from qualifications.models import AssessmentCriterion
from tests.catalogue import criterion
from tests.files import (
    html_upload,
    jpeg_bytes,
    jpeg_upload,
    pdf_upload,
    stored_bytes,
    stored_names,
    text_upload,
)
from tests.pages import messages_of

pytestmark = pytest.mark.django_db

COMMENTARY = "I served customers at the till and checked they were happy."


def details(**overrides: object) -> dict[str, object]:
    return {
        "type": EvidenceType.PRODUCT,
        "title": "Customer feedback board",
        "activity_date": "2025-10-14",
        "description": "I designed and ran the feedback board in May.",
        **overrides,
    }


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A form body written by hand, so filenames reach the server exactly as a browser sent
    them (the test client would strip their paths first)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        header = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{header}\r\n\r\n{value}\r\n".encode())
    for filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def body(response: Any) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def map_to(
    actor: User, evidence: Evidence, *criteria: AssessmentCriterion, submit: bool = False
) -> list[Mapping]:
    return services.mappings_create(
        actor=actor,
        evidence=evidence,
        commentaries={c: COMMENTARY for c in criteria},
        submit=submit,
    )


# Creating evidence with files ----------------------------------------------------------------


def test_evidence_is_created_with_a_photo_in_one_post(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    response = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        details(files=[jpeg_upload("board.jpg")]),
    )

    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    stored = evidence.files.get()
    assert stored.original_name == "board.jpg"
    assert default_storage.exists(stored.file.name)
    assert messages_of(response) == [
        "Added 1 file: board.jpg.",
        "Saved “Customer feedback board”.",
    ]


def test_the_new_evidence_form_shows_its_fields(as_amy: Client, amy_portfolio: Portfolio) -> None:
    response = as_amy.get(reverse("portfolio:evidence_create", args=[amy_portfolio.pk]))

    assert response.status_code == 200
    assert 'name="activity_date"' in response.text
    assert 'name="files"' in response.text


def test_a_future_date_is_refused_and_the_files_are_not_kept(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = stored_names()

    response = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        details(activity_date=tomorrow.isoformat(), files=[jpeg_upload()]),
    )

    assert response.status_code == 200
    assert "cannot be in the future" in response.text
    assert "Your files were not kept" in response.text
    assert not Evidence.objects.exists()
    assert stored_names() == before


def test_a_batch_keeps_the_good_file_and_names_the_refused_one_with_its_reason(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    response = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        details(files=[jpeg_upload("good.jpg"), html_upload("bad.jpg")]),
    )

    evidence = Evidence.objects.get()
    assert list(evidence.files.values_list("original_name", flat=True)) == ["good.jpg"]
    shown = messages_of(response)
    assert "Added 1 file: good.jpg." in shown
    [refusal] = [m for m in shown if m.startswith("Not added")]
    assert refusal.startswith("Not added: bad.jpg: looks like a web page")


def test_an_empty_file_is_refused_with_its_name(as_amy: Client, amy_portfolio: Portfolio) -> None:
    empty = jpeg_upload("empty.jpg")
    empty.file.truncate(0)
    empty.size = 0

    response = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]), details(files=[empty])
    )

    assert not EvidenceFile.objects.exists()
    assert "Not added: empty.jpg: is empty (0 bytes)." in messages_of(response)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("📸 تقرير المتجر \u202egpj.jpg", "📸 تقرير المتجر gpj.jpg"),
    ],
    ids=["path", "emoji-arabic-rlo"],
)
def test_a_hostile_filename_is_cleaned_for_display_and_never_used_for_storage(
    as_amy: Client, amy_portfolio: Portfolio, sent: str, shown: str
) -> None:
    data, content_type = multipart(
        {k: str(v) for k, v in details().items()}, [(sent, jpeg_bytes())]
    )

    response = as_amy.generic(
        "POST",
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        data,
        content_type=content_type,
    )

    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.original_name == shown
    assert "\u202e" not in stored.original_name and "/" not in stored.original_name
    assert re.fullmatch(rf"evidence/{amy_portfolio.pk}/[0-9a-f]{{32}}\.jpg", stored.file.name)
    assert f"Added 1 file: {shown}." in messages_of(response)


def test_the_upload_flow_creates_evidence_then_takes_files_as_json(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    created = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        details(),
        headers={"X-Upload-Flow": "1"},
    )

    evidence = Evidence.objects.get()
    assert created.status_code == 200
    assert created.json() == {
        "upload_url": reverse("portfolio:file_upload", args=[evidence.pk]),
        "next_url": reverse("portfolio:evidence_detail", args=[evidence.pk]),
    }

    uploaded = as_amy.post(
        created.json()["upload_url"],
        {"files": [jpeg_upload("good.jpg"), html_upload("bad.jpg")]},
        headers={"X-Upload-Flow": "1"},
    )

    assert uploaded.status_code == 200
    result = uploaded.json()
    assert result["added"] == ["good.jpg"]
    [refusal] = result["refused"]
    assert refusal["name"] == "bad.jpg"
    assert refusal["message"].startswith("looks like a web page")
    assert list(evidence.files.values_list("original_name", flat=True)) == ["good.jpg"]


def test_the_upload_flow_answers_422_with_the_errors_for_a_future_date(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        details(activity_date=tomorrow.isoformat()),
        headers={"X-Upload-Flow": "1"},
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]["activity_date"]
    assert "cannot be in the future" in error["message"]
    assert not Evidence.objects.exists()


def test_the_upload_flow_answers_422_when_every_file_is_refused(
    as_amy: Client, evidence: Evidence
) -> None:
    response = as_amy.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        {"files": [html_upload("bad.jpg")]},
        headers={"X-Upload-Flow": "1"},
    )

    assert response.status_code == 422
    assert response.json()["added"] == []
    assert evidence.files.count() == 1


def test_uploading_files_to_existing_evidence_reports_each_one(
    as_amy: Client, evidence: Evidence
) -> None:
    response = as_amy.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        {"files": [jpeg_upload("a.jpg")], "camera": [jpeg_upload("camera.jpg")]},
    )

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    assert messages_of(response) == ["Added 2 files: a.jpg, camera.jpg."]
    assert evidence.files.count() == 3


def test_uploading_with_no_file_chosen_says_so(as_amy: Client, evidence: Evidence) -> None:
    response = as_amy.post(reverse("portfolio:file_upload", args=[evidence.pk]))

    assert messages_of(response) == ["Choose at least one file to add."]


# Serving files -------------------------------------------------------------------------------


def test_a_photo_is_served_inline_under_a_locked_down_policy(
    as_amy: Client, evidence_file: EvidenceFile
) -> None:
    response = as_amy.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="photo.jpg"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert body(response) == stored_bytes(evidence_file.file.name)


def test_an_inline_pdf_is_sandboxed_so_it_runs_nothing_in_our_origin(
    as_amy: Client, amy: User, evidence: Evidence
) -> None:
    statement = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=pdf_upload())

    response = as_amy.get(reverse("portfolio:file_download", args=[statement.pk]))

    assert response["Content-Disposition"].startswith("inline")
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    body(response)


def test_a_text_file_is_served_as_an_attachment(
    as_amy: Client, amy: User, evidence: Evidence
) -> None:
    notes = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload())

    response = as_amy.get(reverse("portfolio:file_download", args=[notes.pk]))

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == b"What I did on the shop floor.\n"


def test_download_1_forces_an_attachment(as_amy: Client, evidence_file: EvidenceFile) -> None:
    response = as_amy.get(
        reverse("portfolio:file_download", args=[evidence_file.pk]), {"download": "1"}
    )

    assert response["Content-Disposition"].startswith("attachment")
    body(response)


def test_before_its_renditions_exist_the_thumbnail_view_serves_the_photo(
    as_amy: Client,
    amy: User,
    make_evidence: Callable[..., Evidence],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    evidence = make_evidence(with_file=False)
    with django_capture_on_commit_callbacks(execute=False):
        photo = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())

    response = as_amy.get(reverse("portfolio:file_thumbnail", args=[photo.pk]))

    assert response["Content-Type"] == "image/jpeg"
    assert body(response) == stored_bytes(photo.file.name)


def test_the_thumbnail_view_serves_the_rendition(
    as_amy: Client,
    amy: User,
    make_evidence: Callable[..., Evidence],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    evidence = make_evidence(with_file=False)
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.evidence_file_add(
            actor=amy, evidence=evidence, uploaded=jpeg_upload(width=1200, height=800)
        )
    photo.refresh_from_db()

    response = as_amy.get(reverse("portfolio:file_thumbnail", args=[photo.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == stored_bytes(photo.thumbnail.name)


def test_a_text_file_has_no_thumbnail(as_amy: Client, amy: User, evidence: Evidence) -> None:
    notes = services.evidence_file_add(actor=amy, evidence=evidence, uploaded=text_upload())

    response = as_amy.get(reverse("portfolio:file_thumbnail", args=[notes.pk]))

    assert response.status_code == 404


def test_another_learner_cannot_open_amys_file(
    client: Client, ben: User, ben_portfolio: Portfolio, evidence_file: EvidenceFile
) -> None:
    client.force_login(ben)

    response = client.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response.status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_500(
    as_amy: Client, evidence_file: EvidenceFile
) -> None:
    default_storage.delete(evidence_file.file.name)

    response = as_amy.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response.status_code == 404


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(
    as_amy: Client, evidence: Evidence, settings: Any
) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 2048
    noise = Image.frombytes("RGB", (120, 120), random.Random(3).randbytes(120 * 120 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=95)
    big = SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert big.size > 2048

    response = as_amy.post(reverse("portfolio:file_upload", args=[evidence.pk]), {"files": [big]})

    [message] = messages_of(response)
    assert message.startswith("Not added: big.jpg: is larger than the 2 KB limit")
    assert evidence.files.count() == 1


def test_the_twenty_first_file_is_refused_through_the_page(
    as_amy: Client, amy: User, evidence: Evidence, settings: Any
) -> None:
    settings.EVIDENCE_MAX_FILES = 2

    response = as_amy.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        {"files": [jpeg_upload("second.jpg"), jpeg_upload("third.jpg")]},
    )

    assert messages_of(response) == [
        "Added 1 file: second.jpg.",
        "Not added: third.jpg: a piece of evidence holds at most 2 files. "
        "Create another piece of evidence for the rest.",
    ]
    assert evidence.files.count() == 2


# Mapping -------------------------------------------------------------------------------------


def test_the_pick_page_lists_both_units_criteria_with_their_statuses(
    as_amy: Client,
    amy: User,
    make_evidence: Callable[..., Evidence],
    wwo_1_1: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
) -> None:
    earlier, evidence = make_evidence("Earlier"), make_evidence("Later")
    map_to(amy, earlier, wwo_1_1, submit=True)
    map_to(amy, evidence, pdr_1_1)

    response = as_amy.get(reverse("portfolio:mapping_pick", args=[evidence.pk]))

    assert response.status_code == 200
    every = AssessmentCriterion.objects.filter(unit__reference__in=["RS-WWO", "RS-PDR"])
    for each in every:
        assert f'id="criterion-{each.pk}"' in response.text
    assert not re.search(rf'id="criterion-{criterion("RS-ICR", "1.1").pk}"', response.text)

    def badges(item: AssessmentCriterion) -> list[str]:
        block = re.search(rf'id="criterion-{item.pk}".*?</label>', response.text, re.DOTALL).group()
        return re.findall(r'status-badge">([^<]+)<', block)

    assert badges(wwo_1_1) == ["Submitted"]
    assert badges(pdr_1_1) == ["Draft"]
    assert badges(criterion("RS-WWO", "2.1")) == ["Not started"]
    assert (
        "Already mapped from this evidence"
        in re.search(rf'id="criterion-{pdr_1_1.pk}".*?</label>', response.text, re.DOTALL).group()
    )


def test_commentary_for_two_criteria_in_two_units_is_submitted_in_one_post(
    as_amy: Client, evidence: Evidence, wwo_1_2: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    url = reverse("portfolio:mapping_commentary", args=[evidence.pk])
    page = as_amy.get(url, {"criteria": [wwo_1_2.pk, pdr_1_1.pk]})
    assert page.status_code == 200
    for chosen in (wwo_1_2, pdr_1_1):
        assert f'name="commentary-{chosen.pk}"' in page.text
        assert chosen.unit.title in page.text

    response = as_amy.post(
        url,
        {
            "criteria": [wwo_1_2.pk, pdr_1_1.pk],
            f"commentary-{wwo_1_2.pk}": "I asked my team for ideas.",
            f"commentary-{pdr_1_1.pk}": "I planned the rota.",
            "action": "submit",
        },
    )

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    mappings = {m.criterion_id: m for m in evidence.mappings.all()}
    assert set(mappings) == {wwo_1_2.pk, pdr_1_1.pk}
    assert {m.status for m in mappings.values()} == {MappingStatus.SUBMITTED}
    assert all(m.submitted_at for m in mappings.values())
    assert mappings[pdr_1_1.pk].commentary == "I planned the rota."
    assert messages_of(response) == ["Submitted for assessment: criteria RS-WWO 1.2, RS-PDR 1.1."]


def test_submitting_mappings_of_evidence_without_files_explains_why_and_keeps_nothing(
    as_amy: Client, make_evidence: Callable[..., Evidence], wwo_1_1: AssessmentCriterion
) -> None:
    evidence = make_evidence(with_file=False)

    response = as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {"criteria": [wwo_1_1.pk], f"commentary-{wwo_1_1.pk}": COMMENTARY, "action": "submit"},
    )

    assert response.status_code == 200
    assert "Add at least one file to this evidence" in response.text
    assert COMMENTARY in response.text
    assert not Mapping.objects.exists()


def test_commentary_saved_as_drafts(
    as_amy: Client, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    response = as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {"criteria": [wwo_1_1.pk], f"commentary-{wwo_1_1.pk}": COMMENTARY, "action": "draft"},
    )

    assert response.status_code == 302
    assert evidence.mappings.get().status == MappingStatus.DRAFT
    assert messages_of(response) == ["Saved as drafts: criteria RS-WWO 1.1."]


def test_an_empty_commentary_re_renders_with_the_field_error_and_creates_nothing(
    as_amy: Client, evidence: Evidence, wwo_1_2: AssessmentCriterion, pdr_1_1: AssessmentCriterion
) -> None:
    response = as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {
            "criteria": [wwo_1_2.pk, pdr_1_1.pk],
            f"commentary-{wwo_1_2.pk}": "I asked my team for ideas.",
            f"commentary-{pdr_1_1.pk}": "   ",
            "action": "submit",
        },
    )

    assert response.status_code == 200
    assert "Write your commentary for criterion RS-PDR 1.1" in response.text
    assert "I asked my team for ideas." in response.text, "what she wrote is kept"
    assert not Mapping.objects.exists()


def test_commentary_with_markup_is_stored_verbatim_and_shown_escaped(
    as_amy: Client, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    script = "<script>alert(1)</script>"
    as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {"criteria": [wwo_1_1.pk], f"commentary-{wwo_1_1.pk}": script, "action": "draft"},
    )

    assert evidence.mappings.get().commentary == script
    page = as_amy.get(reverse("portfolio:evidence_detail", args=[evidence.pk]))
    assert script not in page.text
    assert html.escape(script) in page.text


def test_a_commentary_of_a_hundred_thousand_characters_is_refused_clearly(
    as_amy: Client, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    response = as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {"criteria": [wwo_1_1.pk], f"commentary-{wwo_1_1.pk}": "x" * 100_000, "action": "submit"},
    )

    assert response.status_code == 200
    assert "Keep the commentary under 10,000 characters" in response.text
    assert not Mapping.objects.exists()


def test_the_commentary_page_with_no_criteria_sends_back_to_the_pick_page(
    as_amy: Client, evidence: Evidence
) -> None:
    response = as_amy.get(reverse("portfolio:mapping_commentary", args=[evidence.pk]))

    assert response["Location"] == reverse("portfolio:mapping_pick", args=[evidence.pk])
    assert messages_of(response) == ["Choose at least one criterion this evidence meets."]


def test_editing_a_draft_commentary(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    response = as_amy.post(
        reverse("portfolio:mapping_edit", args=[mapping.pk]), {"commentary": "Clearer now."}
    )

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    mapping.refresh_from_db()
    assert mapping.commentary == "Clearer now."


def test_editing_a_submitted_commentary_shows_why_not(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    response = as_amy.post(
        reverse("portfolio:mapping_edit", args=[mapping.pk]), {"commentary": "Too late."}
    )

    assert response.status_code == 200
    assert "Withdraw it first" in response.text
    mapping.refresh_from_db()
    assert mapping.commentary == COMMENTARY


# Buttons -------------------------------------------------------------------------------------


def test_the_withdraw_button_makes_the_mapping_a_draft_again(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    response = as_amy.post(reverse("portfolio:mapping_withdraw", args=[mapping.pk]))

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.DRAFT
    assert messages_of(response) == [
        "The mapping to criterion RS-WWO 1.1 was withdrawn; it is a draft again."
    ]


def test_the_submit_button_submits_the_mapping(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    response = as_amy.post(reverse("portfolio:mapping_submit", args=[mapping.pk]))

    mapping.refresh_from_db()
    assert mapping.status == MappingStatus.SUBMITTED
    assert messages_of(response) == [
        "The mapping to criterion RS-WWO 1.1 was submitted for assessment."
    ]


def test_the_delete_button_deletes_a_draft_mapping(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)

    response = as_amy.post(reverse("portfolio:mapping_delete", args=[mapping.pk]))

    assert not Mapping.objects.filter(pk=mapping.pk).exists()
    assert messages_of(response) == ["The mapping to criterion RS-WWO 1.1 was deleted."]


def test_the_submit_all_button_submits_every_draft(
    as_amy: Client,
    amy: User,
    evidence: Evidence,
    wwo_1_1: AssessmentCriterion,
    pdr_1_1: AssessmentCriterion,
) -> None:
    map_to(amy, evidence, wwo_1_1, pdr_1_1)
    page = as_amy.get(reverse("portfolio:evidence_detail", args=[evidence.pk]))
    assert "Submit all 2 for assessment" in page.text

    response = as_amy.post(reverse("portfolio:evidence_submit", args=[evidence.pk]))

    assert set(evidence.mappings.values_list("status", flat=True)) == {MappingStatus.SUBMITTED}
    assert messages_of(response) == ["Submitted 2 mappings for assessment."]


def test_the_delete_file_button_deletes_a_file_of_draft_evidence(
    as_amy: Client, evidence_file: EvidenceFile
) -> None:
    response = as_amy.post(reverse("portfolio:file_delete", args=[evidence_file.pk]))

    assert not EvidenceFile.objects.filter(pk=evidence_file.pk).exists()
    assert messages_of(response) == ["Deleted photo.jpg."]


def test_draft_evidence_is_deleted_after_confirmation(
    as_amy: Client, evidence: Evidence, amy_portfolio: Portfolio
) -> None:
    url = reverse("portfolio:evidence_delete", args=[evidence.pk])
    assert "It cannot be undone" in as_amy.get(url).text

    response = as_amy.post(url)

    assert response["Location"] == reverse("portfolio:evidence_library", args=[amy_portfolio.pk])
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "mapping_submit",
        "mapping_withdraw",
        "mapping_delete",
        "evidence_submit",
        "file_delete",
        "file_upload",
    ],
)
def test_the_button_endpoints_refuse_get(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion, name: str
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=name == "mapping_withdraw")
    target = {
        "mapping_submit": mapping,
        "mapping_withdraw": mapping,
        "mapping_delete": mapping,
        "evidence_submit": evidence,
        "file_delete": evidence.files.get(),
        "file_upload": evidence,
    }[name]
    before = (
        list(Mapping.objects.values_list("status", flat=True)),
        EvidenceFile.objects.count(),
    )

    response = as_amy.get(reverse(f"portfolio:{name}", args=[target.pk]))

    assert response.status_code == 405
    after = (
        list(Mapping.objects.values_list("status", flat=True)),
        EvidenceFile.objects.count(),
    )
    assert after == before


def test_deleting_a_file_of_submitted_evidence_explains_why_not(
    as_amy: Client,
    amy: User,
    evidence: Evidence,
    evidence_file: EvidenceFile,
    wwo_1_1: AssessmentCriterion,
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    response = as_amy.post(reverse("portfolio:file_delete", args=[evidence_file.pk]))

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    assert EvidenceFile.objects.filter(pk=evidence_file.pk).exists()
    [message] = messages_of(response)
    assert message.startswith("photo.jpg cannot be deleted: this evidence has been submitted")


def test_deleting_submitted_evidence_explains_why_not(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    response = as_amy.post(reverse("portfolio:evidence_delete", args=[evidence.pk]))

    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    [message] = messages_of(response)
    assert "cannot be deleted" in message


def test_deleting_a_submitted_mapping_explains_why_not(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    response = as_amy.post(reverse("portfolio:mapping_delete", args=[mapping.pk]))

    assert Mapping.objects.filter(pk=mapping.pk).exists()
    assert messages_of(response) == [
        "Only draft mappings can be deleted; this one is submitted and is part of the "
        "assessment record."
    ]


def test_editing_submitted_evidence_explains_why_not(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    response = as_amy.post(
        reverse("portfolio:evidence_edit", args=[evidence.pk]), details(title="Changed")
    )

    assert response.status_code == 200
    assert "Withdraw the submitted mappings first" in response.text
    evidence.refresh_from_db()
    assert evidence.title == "Customer feedback board"


def test_the_evidence_page_hides_the_buttons_that_would_be_refused(
    as_amy: Client,
    amy: User,
    evidence: Evidence,
    evidence_file: EvidenceFile,
    wwo_1_1: AssessmentCriterion,
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)

    page = as_amy.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).text

    assert reverse("portfolio:mapping_withdraw", args=[mapping.pk]) in page
    assert reverse("portfolio:mapping_delete", args=[mapping.pk]) not in page
    assert reverse("portfolio:file_delete", args=[evidence_file.pk]) not in page
    assert reverse("portfolio:evidence_delete", args=[evidence.pk]) not in page
    assert reverse("portfolio:evidence_edit", args=[evidence.pk]) not in page


def test_an_assessor_sees_the_evidence_page_without_any_buttons(
    client: Client, asha: User, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1)
    client.force_login(asha)

    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk]))
    refused = client.post(reverse("portfolio:mapping_submit", args=[mapping.pk]))

    assert page.status_code == 200
    assert reverse("portfolio:mapping_submit", args=[mapping.pk]) not in page.text
    assert refused.status_code == 403


# Portfolio page and evidence library ---------------------------------------------------------


def test_after_the_whole_journey_the_portfolio_page_shows_statuses_and_gaps(
    as_amy: Client, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    created = as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        details(files=[jpeg_upload("board.jpg")]),
    )
    evidence = Evidence.objects.get()
    assert as_amy.get(created["Location"]).status_code == 200
    assert as_amy.get(reverse("portfolio:mapping_pick", args=[evidence.pk])).status_code == 200
    as_amy.post(
        reverse("portfolio:mapping_commentary", args=[evidence.pk]),
        {"criteria": [wwo_1_1.pk], f"commentary-{wwo_1_1.pk}": COMMENTARY, "action": "submit"},
    )

    page = as_amy.get(reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])).text

    def badge(reference: str) -> str:
        return re.search(
            rf'id="criterion-{reference}">.*?status-badge">([^<]+)<', page, re.DOTALL
        ).group(1)

    assert badge("RS-WWO-1.1") == "Submitted"
    assert badge("RS-WWO-1.2") == "Not started"
    assert badge("RS-PDR-1.1") == "Not started"
    gaps = re.search(r'id="gaps-heading".*?</section>', page, re.DOTALL).group()
    assert 'href="#criterion-RS-WWO-1.1"' not in gaps
    assert 'href="#criterion-RS-WWO-1.2"' in gaps
    assert 'href="#criterion-RS-PDR-3.1"' in gaps
    assert "0 of 15 criteria met" in page
    assert "0 of 11 criteria met · 1 waiting for the assessor" in page
    assert "Customer feedback board" in page


@pytest.mark.parametrize("page_name", ["assessment:portfolio_detail", "portfolio:evidence_detail"])
def test_a_page_showing_a_referred_mapping_still_renders(
    as_amy: Client,
    amy: User,
    amy_portfolio: Portfolio,
    evidence: Evidence,
    wwo_1_1: AssessmentCriterion,
    page_name: str,
) -> None:
    [mapping] = map_to(amy, evidence, wwo_1_1, submit=True)
    Mapping.objects.filter(pk=mapping.pk).update(status=MappingStatus.REFERRED)
    target = amy_portfolio if page_name == "assessment:portfolio_detail" else evidence

    response = as_amy.get(reverse(page_name, args=[target.pk]))

    assert response.status_code == 200


def test_the_tracking_matrix_shows_each_mapping(
    as_amy: Client,
    amy: User,
    amy_portfolio: Portfolio,
    evidence: Evidence,
    wwo_1_1: AssessmentCriterion,
) -> None:
    map_to(amy, evidence, wwo_1_1, submit=True)

    page = as_amy.get(reverse("assessment:portfolio_matrix", args=[amy_portfolio.pk])).text

    assert "Customer feedback board" in page
    assert '<abbr title="Submitted">S</abbr>' in page


@pytest.fixture
def library(amy: User, make_evidence: Callable[..., Evidence], ocr: Any) -> dict[str, Evidence]:
    """Four pieces of evidence in different states, types and units."""
    board = make_evidence("Feedback board", type=EvidenceType.PRODUCT)
    map_to(amy, board, criterion("RS-WWO", "1.1"), submit=True)
    watched = make_evidence("Observed at the till", type=EvidenceType.OBSERVATION)
    map_to(amy, watched, criterion("RS-PDR", "1.1"))
    witness = make_evidence(
        "Manager's statement",
        type=EvidenceType.WITNESS_TESTIMONY,
        description="My manager saw me handle a refund at the returns desk.",
    )
    rota = make_evidence("Rota plan", type=EvidenceType.PRODUCT)
    [referred] = map_to(amy, rota, criterion("RS-PDR", "2.1"), submit=True)
    Mapping.objects.filter(pk=referred.pk).update(status=MappingStatus.REFERRED)
    return {"board": board, "watched": watched, "witness": witness, "rota": rota}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"board", "watched", "witness", "rota"}),
        ({"type": "product"}, {"board", "rota"}),
        ({"type": "observation"}, {"watched"}),
        ({"unit": "RS-WWO"}, {"board"}),
        ({"unit": "RS-PDR"}, {"watched", "rota"}),
        ({"status": "submitted"}, {"board"}),
        ({"status": "draft"}, {"watched"}),
        ({"status": "referred"}, {"rota"}),
        ({"status": "unmapped"}, {"witness"}),
        ({"q": "till"}, {"watched"}),
        ({"q": "RETURNS DESK"}, {"witness"}),
        ({"type": "product", "unit": "RS-PDR"}, {"rota"}),
        ({"q": "nothing like this"}, set()),
    ],
    ids=lambda value: str(value) if isinstance(value, dict) else None,
)
def test_the_evidence_library_filters(
    as_amy: Client,
    amy_portfolio: Portfolio,
    library: dict[str, Evidence],
    query: dict[str, str],
    expected: set[str],
) -> None:
    if "unit" in query:
        query = {**query, "unit": str(criterion(query["unit"], "1.1").unit_id)}

    response = as_amy.get(reverse("portfolio:evidence_library", args=[amy_portfolio.pk]), query)

    assert response.status_code == 200
    shown = {
        key
        for key, item in library.items()
        if reverse("portfolio:evidence_detail", args=[item.pk]) in response.text
    }
    assert shown == expected
    if not expected:
        assert "Nothing matches this filter." in response.text


def test_the_evidence_library_shows_each_mapping_with_its_status(
    as_amy: Client, amy_portfolio: Portfolio, library: dict[str, Evidence]
) -> None:
    page = as_amy.get(reverse("portfolio:evidence_library", args=[amy_portfolio.pk])).text

    assert re.search(r'RS-WWO 1\.1 <span class="badge [^"]+ status-badge">Submitted</span>', page)
    assert re.search(r'RS-PDR 2\.1 <span class="badge [^"]+ status-badge">Referred</span>', page)
    assert "Not mapped to any criterion yet." in page
    assert "4 pieces of evidence" in page
