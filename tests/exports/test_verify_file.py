"""/verify/ by file: genuine, altered, added-to, superseded, changed since, and unknown."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter

from accounts.models import User
from exports.verification import Verdict, check_file, check_fingerprint
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from tests.exports.test_exports import export_now, flat, one_byte_changed
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def send(client: Client, data: bytes, name: str = "portfolio.pdf") -> str:
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    response = client.post(reverse("exports:verify"), {"file": upload})
    assert response.status_code == 200
    return flat(text_of(response))


def fingerprint(client: Client, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    response = client.post(reverse("exports:verify"), {"sha256": digest})
    assert response.status_code == 200
    return flat(text_of(response))


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(output := io.BytesIO())
    return output.getvalue()


def test_the_issued_file_is_genuine_by_its_fingerprint_and_by_the_file(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    export, pdf = export_now(asha, amy_portfolio)

    by_hash = fingerprint(client, pdf.data)
    assert "Genuine: this is a PDF portfolio issued here, unchanged." in by_hash
    assert export.verification_code in by_hash
    assert f"{export.pages} pages" in by_hash

    by_file = send(client, pdf.data)
    assert "Genuine" in by_file
    assert "Signature: valid, made with this site’s signing certificate" in by_file
    assert f"{export.pages} pages" in by_file


def test_one_changed_byte_is_altered_and_names_the_file_it_claims_to_be(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    export, pdf = export_now(asha, amy_portfolio)
    altered = one_byte_changed(pdf.data)

    check = check_file(io.BytesIO(altered))
    assert check.verdict == Verdict.ALTERED
    assert check.export == export
    assert not check.signature.intact

    page = send(client, altered)
    assert "Altered: this file is not the PDF portfolio it claims to be." in page
    assert "its signature no longer matches its content" in page
    # By fingerprint alone it is simply not recognised.
    assert "Not recognised" in fingerprint(client, altered)


def test_a_copy_too_damaged_to_read_is_still_known_as_altered_not_a_crash(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    export, pdf = export_now(asha, amy_portfolio)
    # Its cross-reference data wrecked: no reader can open it, but our signature's words remain.
    middle = len(pdf.data) // 2
    wrecked = pdf.data[:middle] + bytes(4096) + pdf.data[middle + 4096 :]
    check = check_file(io.BytesIO(wrecked))
    assert check.verdict == Verdict.ALTERED and check.export == export
    assert "Altered" in send(client, wrecked)


def test_something_added_after_signing_is_told_apart_from_the_signed_part(
    client: Client, asha: User, amy_portfolio: Portfolio
) -> None:
    export, pdf = export_now(asha, amy_portfolio)
    # An incremental update, as an editor saving a change would add: one more page.
    writer = PdfWriter(io.BytesIO(pdf.data), incremental=True)
    writer.add_blank_page()
    writer.write(output := io.BytesIO())
    appended = output.getvalue()
    assert appended.startswith(pdf.data) and appended != pdf.data

    check = check_file(io.BytesIO(appended))
    assert check.verdict == Verdict.APPENDED
    assert check.export == export
    assert not check.signature.whole_file
    assert "something was added to it afterwards" in send(client, appended)


def test_an_older_export_says_a_newer_one_exists_and_the_portfolio_changed(
    client: Client, amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    first, first_pdf = export_now(asha, amy_portfolio)
    assert check_fingerprint(first.sha256).newer is None
    assert not check_fingerprint(first.sha256).changed_since

    services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type=EvidenceType.REFLECTIVE_ACCOUNT,
        title="Till training",
        activity_date=amy_portfolio.start_date,
        description="Trained a new starter.",
    )
    changed = check_fingerprint(first.sha256)
    assert changed.changed_since and changed.newer is None
    assert "The portfolio has changed since this PDF was made" in fingerprint(
        client, first_pdf.data
    )

    second, _ = export_now(asha, amy_portfolio)
    later = check_fingerprint(first.sha256)
    assert later.verdict == Verdict.GENUINE
    assert later.newer == second
    assert "A newer PDF of this portfolio was issued" in fingerprint(client, first_pdf.data)


@pytest.mark.parametrize(
    "data",
    [blank_pdf(), b"not a pdf at all", b"%PDF-1.7\n%broken"],
    ids=["other", "text", "broken"],
)
def test_a_file_not_issued_here_is_unknown_and_reveals_nothing(
    client: Client, asha: User, amy_portfolio: Portfolio, data: bytes
) -> None:
    export_now(asha, amy_portfolio)
    page = send(client, data)
    assert "Unknown: this file is not a PDF portfolio issued here" in page
    assert amy_portfolio.learner.full_name not in page
    assert "Signature:" not in page


def test_a_fingerprint_that_is_not_one_is_not_recognised(client: Client) -> None:
    for value in ("", "zz" * 32, "a" * 63, "<script>"):
        response = client.post(reverse("exports:verify"), {"sha256": value})
        assert response.status_code == 200
    assert "Choose the PDF file to check." in text_of(
        client.post(reverse("exports:verify"), {"sha256": ""})
    )
    assert "Not recognised" in text_of(client.post(reverse("exports:verify"), {"sha256": "a" * 64}))


def test_a_file_larger_than_any_portfolio_is_refused_plainly(client: Client, settings: Any) -> None:
    settings.VERIFY_MAX_FILE_MB = 1
    page = send(client, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    assert "The file is larger than 1 MB" in page


def test_checks_by_file_count_towards_the_same_limit_as_codes(client: Client) -> None:
    for attempt in range(10):
        assert (
            client.get(reverse("exports:verify"), {"code": f"AAAA-BBBB-{attempt:04d}"}).status_code
            == 200
        )
    response = client.post(reverse("exports:verify"), {"sha256": "a" * 64})
    assert response.status_code == 429
