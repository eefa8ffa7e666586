"""Uploads that would tie up the worker or the web process: long PDFs and zip bombs, each
built in the test."""

from __future__ import annotations

import io
import random
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings

from portfolio.errors import UploadRefused
from portfolio.uploads import check_upload
from tests.files import pdf_bytes


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(UploadRefused) as caught:
        check_upload(SimpleUploadedFile(name, data))
    return caught.value.message


def docx_with(*members: tuple[str, bytes]) -> bytes:
    """A Word document as filetype recognises it, with extra parts after the usual ones."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b'<Types xmlns="urn:content-types"/>')
        archive.writestr("_rels/.rels", b"<Relationships/>")
        archive.writestr("word/document.xml", b"<w:document>Stock count, June</w:document>")
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def declaring(data: bytes, member: str, inflated: int) -> bytes:
    """The archive with one member's declared inflated size rewritten in its central record."""
    patched = bytearray(data)
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(patched[central + 28 : central + 30], "little")
        if patched[central + 46 : central + 46 + name_length] == member.encode():
            patched[central + 24 : central + 28] = inflated.to_bytes(4, "little")
            return bytes(patched)
        central = patched.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{member} is not in the archive")


# --- PDF pages ---------------------------------------------------------------------------


def test_a_pdf_with_more_pages_than_the_limit_is_refused_saying_how_many(
    settings: Settings,
) -> None:
    settings.EVIDENCE_MAX_PDF_PAGES = 40

    message = refusal("scan.pdf", pdf_bytes(pages=41))

    assert "41 pages" in message
    assert "at most 40" in message
    assert "Split it" in message


def test_a_pdf_of_exactly_the_page_limit_is_accepted(settings: Settings) -> None:
    settings.EVIDENCE_MAX_PDF_PAGES = 40

    assert check_upload(SimpleUploadedFile("scan.pdf", pdf_bytes(pages=40))).kind == "pdf"


def test_ten_thousand_blank_pages_are_refused_by_default_and_quickly() -> None:
    data = pdf_bytes(pages=10_000)
    started = time.monotonic()

    message = refusal("blank.pdf", data)

    assert "10,000 pages" in message
    assert time.monotonic() - started < 10


# --- zip bombs ---------------------------------------------------------------------------


def test_a_word_document_declaring_a_gigabyte_unpacked_is_refused_before_it_is_read() -> None:
    # A small part that claims to inflate to nearly 1 GiB; testzip() would decompress that much.
    big = "word/media/big.xml"
    data = declaring(docx_with((big, b"<x/>" * 64)), big, 2**30 - 2**20)

    started = time.monotonic()
    message = refusal("bomb.docx", data)

    assert "too much to check safely" in message
    assert time.monotonic() - started < 1


def test_the_unpacked_limit_is_a_setting_in_megabytes(settings: Settings) -> None:
    photo = random.Random(5).randbytes(2 * 1024 * 1024)  # like a photo: does not pack at all
    data = docx_with(("word/media/photo.bin", photo))
    settings.EVIDENCE_MAX_UNPACKED_MB = 1

    assert "1 MB" in refusal("report.docx", data)

    settings.EVIDENCE_MAX_UNPACKED_MB = 3
    assert check_upload(SimpleUploadedFile("report.docx", data)).kind == "document"


def test_a_part_that_packs_absurdly_small_is_refused(settings: Settings) -> None:
    # 20 MB of zeros deflates about a thousandfold: nothing a real document holds.
    data = docx_with(("word/media/zeros.xml", bytes(20 * 1024 * 1024)))
    assert len(data) < 100_000

    message = refusal("bomb.docx", data)

    assert "too much to check safely" in message


def test_the_ratio_limit_is_a_setting(settings: Settings) -> None:
    data = docx_with(("word/media/zeros.xml", bytes(2 * 1024 * 1024)))  # packs ~1000 to 1

    settings.EVIDENCE_MAX_ZIP_RATIO = 500
    assert "too much to check safely" in refusal("report.docx", data)

    settings.EVIDENCE_MAX_ZIP_RATIO = 2000
    assert check_upload(SimpleUploadedFile("report.docx", data)).kind == "document"


def test_a_long_ordinary_document_is_accepted() -> None:
    words = [
        "the",
        "fire",
        "exits",
        "were",
        "checked",
        "and",
        "logged",
        "by",
        "the",
        "team",
        "leader",
        "before",
        "each",
        "shift",
    ]
    chooser = random.Random(3)  # repeatable test text, not a secret
    paragraphs = (
        "<w:p><w:r><w:t>"
        + " ".join(chooser.choice(words) for _ in range(12))
        + "</w:t></w:r></w:p>"
        for _ in range(20_000)
    )
    data = docx_with(("word/document2.xml", "".join(paragraphs).encode()))  # ~2 MB of XML

    assert check_upload(SimpleUploadedFile("log.docx", data)).kind == "document"
