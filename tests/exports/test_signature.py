"""Every export is signed (PAdES): a reader sees the signature valid on the file as issued and
broken once a byte of the document changes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter

from accounts.models import User
from exports import signing
from portfolio.models import Portfolio
from tests.exports.test_exports import export_now, one_byte_changed

pytestmark = pytest.mark.django_db


def signature_status(data: bytes) -> Any:
    certificate = load_cert_from_pemder(str(signing.signing_files().certificate))
    [signature] = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[certificate]))


def test_a_fresh_export_carries_a_valid_signature_over_the_whole_file(
    asha: User, amy_portfolio: Portfolio
) -> None:
    export, pdf = export_now(asha, amy_portfolio)

    status = signature_status(pdf.data)
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.modification_level.name == "NONE"
    [field] = PdfFileReader(io.BytesIO(pdf.data), strict=False).embedded_signatures
    assert export.verification_code in str(field.sig_object["/Reason"])
    assert field.sig_object["/Location"] == amy_portfolio.centre.name


def test_one_changed_byte_in_the_document_breaks_the_signature(
    asha: User, amy_portfolio: Portfolio
) -> None:
    _, pdf = export_now(asha, amy_portfolio)
    altered = one_byte_changed(pdf.data)
    assert altered != pdf.data

    status = signature_status(altered)
    assert not status.intact
    assert not status.bottom_line


def test_the_development_certificate_is_made_once_and_named_as_such(tmp_path: Path) -> None:
    first = signing.development_files(tmp_path)
    pem = first.certificate.read_bytes()
    again = signing.development_files(tmp_path)
    assert again.certificate.read_bytes() == pem
    certificate = load_cert_from_pemder(str(first.certificate))
    assert "not for production" in certificate.subject.human_friendly
    assert oct(first.key.stat().st_mode & 0o777) == "0o600"


def test_a_key_without_its_certificate_is_refused_with_a_clear_message(settings: Any) -> None:
    settings.PDF_SIGNING_KEY = "/etc/portfolio/key.pem"
    settings.PDF_SIGNING_CERTIFICATE = None
    with pytest.raises(ImproperlyConfigured, match="PDF_SIGNING_CERTIFICATE"):
        signing.signing_files()


def test_configured_files_are_used(settings: Any, tmp_path: Path) -> None:
    made = signing.development_files(tmp_path / "provider")
    settings.PDF_SIGNING_KEY = str(made.key)
    settings.PDF_SIGNING_CERTIFICATE = str(made.certificate)
    signed = signing.sign(_blank_pdf(), reason="Test", location="Northgate")
    certificate = load_cert_from_pemder(str(made.certificate))
    [signature] = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[certificate]))
    assert status.bottom_line


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(output := io.BytesIO())
    return output.getvalue()


def test_every_page_footer_carries_the_verification_code_and_page_of_pages(
    asha: User, amy_portfolio: Portfolio
) -> None:
    export, pdf = export_now(asha, amy_portfolio)
    total = len(pdf.pages)
    for number, text in enumerate(pdf.pages, start=1):
        assert f"Verification code {export.verification_code}" in text
        assert f"Page {number} of {total}" in text


def test_the_document_says_its_language_and_shows_its_title_and_is_tagged_but_not_pdfa(
    asha: User, amy_portfolio: Portfolio
) -> None:
    _, pdf = export_now(asha, amy_portfolio)
    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        assert str(document.Root.Lang) == "en-GB"
        assert bool(document.Root.ViewerPreferences.DisplayDocTitle)
        metadata = document.open_metadata()
        assert metadata["dc:title"].startswith(f"Portfolio: {amy_portfolio.learner.full_name}")
        # Tagged, and says so; not PDF/A, and does not say it is.
        assert bool(document.Root.MarkInfo.Marked)
        assert "/StructTreeRoot" in document.Root
        assert "pdfaid:part" not in str(metadata)
    # The signature still covers the finished file.
    assert signature_status(pdf.data).bottom_line
