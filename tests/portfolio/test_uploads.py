"""Upload checks: every file here is built in the test, including the hostile ones."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import (
    SimpleUploadedFile,
    TemporaryUploadedFile,
    UploadedFile,
)
from django.test import RequestFactory
from PIL import Image, ImageCms, ImageFile
from pytest_django.fixtures import Settings
from weasyprint import HTML

from portfolio.errors import UploadRefused
from portfolio.models import FileKind
from portfolio.uploads import (
    CheckedUpload,
    check_upload,
    clean_display_name,
    make_renditions,
    sniffing,
)
from portfolio.uploads.handler import LimitedTemporaryFileUploadHandler
from tests.files import pdf_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> UploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_bytes(checked: CheckedUpload) -> bytes:
    checked.content.seek(0)
    data = checked.content.read()
    checked.content.seek(0)
    return data


def refusal(name: str, data: bytes, **kwargs: int) -> str:
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload(name, data), **kwargs)
    assert str(caught.value) == f"{caught.value.filename}: {caught.value.message}"
    return caught.value.message


def image_bytes(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def rubbish(count: int, seed: int) -> bytes:
    """Repeatable random bytes: test data, not secrets, so a seeded generator is right."""
    return random.Random(seed).randbytes(count)


def noisy_jpeg(width: int = 240, height: int = 160) -> bytes:
    """Random pixels, so the scan data fills the file and cutting it leaves a real gap."""
    pixels = rubbish(width * height * 3, seed=7)
    return image_bytes(Image.frombytes("RGB", (width, height), pixels), "JPEG", quality=90)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def zipped(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def minimal_docx(compression: int = zipfile.ZIP_DEFLATED, *extra: tuple[str, bytes]) -> bytes:
    # filetype recognises OOXML by "[Content_Types].xml" as the first member and a "word/",
    # "xl/" or "ppt/" member among the next four.
    return zipped(
        [
            ("[Content_Types].xml", b'<Types xmlns="urn:content-types"/>'),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document>Customer feedback board, May</w:document>"),
            *extra,
        ],
        compression,
    )


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    box = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", len(box) + 8) + b"ftyp" + box + b"\x00\x00\x00\x08free" + bytes(64)


# --- photos and images -------------------------------------------------------------------


def test_a_phone_photo_loses_its_location_and_metadata_and_is_turned_upright() -> None:
    # Left half red, right half blue; Orientation 6 says "turn 90° clockwise to view".
    raw = Image.new("RGB", (60, 30), "red")
    raw.paste(Image.new("RGB", (30, 30), "blue"), (30, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (53.0, 28.0, 59.0)
    data = image_bytes(
        raw,
        "JPEG",
        exif=exif,
        comment=b"taken at 12 Acacia Avenue",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">PhoneMaker secret</x:xmpmeta>',
    )
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)[1] == "N"

    checked = check_upload(upload("IMG_0042.JPG", data, "image/jpeg"))

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.IMAGE,
        "image/jpeg",
        ".jpg",
    )
    assert (checked.width, checked.height) == (30, 60)
    kept = stored_bytes(checked)
    for secret in (b"Exif", b"PhoneMaker", b"Acacia", b"xmpmeta"):
        assert secret not in kept
    with Image.open(io.BytesIO(kept)) as stored:
        assert stored.size == (30, 60)
        assert len(stored.getexif()) == 0
        assert not {"exif", "xmp", "comment"} & set(stored.info)
        red, _, blue = stored.convert("RGB").getpixel((15, 5))
        assert red > 200 and blue < 60, "the left of the raw picture is now at the top"


def test_a_photo_keeps_its_colour_profile() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes(Image.new("RGB", (20, 20), "green"), "JPEG", icc_profile=srgb)

    checked = check_upload(upload("green.jpg", data))

    with Image.open(io.BytesIO(stored_bytes(checked))) as stored:
        assert stored.info.get("icc_profile") == srgb


def test_a_png_with_transparency_is_kept_as_a_png() -> None:
    picture = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    checked = check_upload(upload("sign.png", image_bytes(picture, "PNG")))

    assert (checked.content_type, checked.extension, checked.width, checked.height) == (
        "image/png",
        ".png",
        40,
        30,
    )
    with Image.open(io.BytesIO(stored_bytes(checked))) as stored:
        assert stored.format == "PNG"
        assert stored.mode == "RGBA"


def test_a_palette_png_keeps_its_palette_and_transparent_colour() -> None:
    picture = Image.new("P", (16, 16), 3)
    picture.putpalette([0, 0, 0, 90, 90, 90, 180, 180, 180, 200, 0, 0])
    data = image_bytes(picture, "PNG", transparency=3)

    checked = check_upload(upload("icon.png", data))

    with Image.open(io.BytesIO(stored_bytes(checked))) as stored:
        assert stored.mode == "P"
        assert stored.convert("RGBA").getpixel((0, 0)) == (200, 0, 0, 0)


def test_a_webp_is_kept_as_a_webp() -> None:
    data = image_bytes(Image.new("RGB", (50, 20), "yellow"), "WEBP")

    checked = check_upload(upload("board.webp", data))

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.IMAGE,
        "image/webp",
        ".webp",
    )
    with Image.open(io.BytesIO(stored_bytes(checked))) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (50, 20)


def test_an_iphone_heic_photo_becomes_a_jpeg() -> None:
    data = image_bytes(Image.new("RGB", (64, 48), "purple"), "HEIF")

    checked = check_upload(upload("IMG_0001.HEIC", data, "image/heic"))

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.IMAGE,
        "image/jpeg",
        ".jpg",
    )
    assert checked.content.name == "IMG_0001.jpg"
    with Image.open(io.BytesIO(stored_bytes(checked))) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (64, 48)


def test_a_heic_photo_with_a_brand_filetype_does_not_know_is_still_a_photo() -> None:
    data = bytearray(image_bytes(Image.new("RGB", (16, 16), "orange"), "HEIF"))
    assert data[8:12] == b"heic"
    data[8:12] = b"heix"

    checked = check_upload(upload("IMG_0002.HEIC", bytes(data)))

    assert (checked.content_type, checked.extension) == ("image/jpeg", ".jpg")


def test_see_through_areas_become_white_in_the_jpeg_renditions() -> None:
    data = image_bytes(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "WEBP", lossless=True)
    checked = check_upload(upload("clear.webp", data))
    with Image.open(io.BytesIO(stored_bytes(checked))) as stored:
        assert stored.mode == "RGBA", "WebP keeps its transparency"

    thumbnail, _ = make_renditions(checked.content)
    with Image.open(thumbnail) as rendition:
        assert rendition.mode == "RGB"
        assert rendition.getpixel((5, 5)) == (255, 255, 255)


def test_an_html_page_renamed_as_a_photo_is_refused() -> None:
    page = b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload("photo.jpg", page, "image/jpeg"))
    assert "web page or SVG image" in caught.value.message


def test_an_svg_with_a_script_is_refused() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>fetch('/steal')</script></svg>"
    )
    assert "HTML/XML markup" in refusal("logo.svg", svg)
    assert "HTML/XML markup" in refusal("logo.svg", b"<svg onload='alert(1)'/>")
    assert "HTML/XML markup" in refusal("notes.txt", b"<!-- hidden --><iframe src=x>")


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    # 20,000 × 20,000 one-bit pixels of zeros: 48 KB on disk, 400 million pixels in memory.
    width = height = 20_000
    compressor = zlib.compressobj(9)
    row = bytes(1 + width // 8)
    scanlines = b"".join(compressor.compress(row * 1000) for _ in range(height // 1000))
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + png_chunk(b"IDAT", scanlines + compressor.flush())
        + png_chunk(b"IEND", b"")
    )
    assert len(bomb) < 100_000

    assert "too large in pixels" in refusal("bomb.png", bomb)


def test_an_image_just_over_the_pixel_limit_is_refused(settings: Settings) -> None:
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1_000_000
    data = image_bytes(Image.new("1", (1100, 1000)), "PNG")

    assert "too large in pixels" in refusal("wide.png", data)


def test_the_pixel_limit_holds_even_if_pillows_own_guard_is_off(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1_000_000
    monkeypatch.setattr(Image, "_decompression_bomb_check", lambda size: None)
    data = image_bytes(Image.new("1", (3000, 1000)), "PNG")

    assert "too large in pixels (3000 × 1000)" in refusal("wide.png", data)


@pytest.mark.parametrize("tolerant", [False, True], ids=["pillow-default", "after-weasyprint"])
def test_a_truncated_jpeg_is_refused_as_damaged(
    monkeypatch: pytest.MonkeyPatch, tolerant: bool
) -> None:
    # WeasyPrint turns Pillow's process-wide LOAD_TRUNCATED_IMAGES on when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tolerant)
    whole = noisy_jpeg()
    assert "damaged or incomplete" in refusal("half.jpg", whole[: len(whole) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is tolerant


def test_a_jpeg_header_on_rubbish_is_refused_as_damaged() -> None:
    fake = b"\xff\xd8\xff\xe0" + rubbish(2000, seed=3)
    assert "damaged or incomplete" in refusal("photo.jpg", fake)


def test_a_gif_is_refused_with_what_it_is_and_what_we_accept() -> None:
    message = refusal("funny.gif", image_bytes(Image.new("P", (8, 8)), "GIF"))
    assert message.startswith("is a GIF image, which cannot be accepted.")
    assert "HEIC" in message and "MP3/M4A" in message


# --- PDFs and office documents -----------------------------------------------------------


def test_a_pdf_is_kept_byte_for_byte() -> None:
    data = pdf_bytes(pages=2)
    uploaded = upload("witness statement.pdf", data, "application/pdf")

    checked = check_upload(uploaded)

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.PDF,
        "application/pdf",
        ".pdf",
    )
    assert checked.content is uploaded
    assert checked.content.tell() == 0
    assert stored_bytes(checked) == data
    assert checked.width is None and checked.height is None


def test_a_password_protected_pdf_is_refused() -> None:
    assert "password" in refusal("payslip.pdf", pdf_bytes(password="secret"))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda pdf: b"%PDF-1.7\n" + rubbish(3000, seed=5), id="rubbish"),
        pytest.param(lambda pdf: pdf[: len(pdf) // 2], id="truncated"),
        pytest.param(lambda pdf: pdf_bytes(pages=0), id="no-pages"),
    ],
)
def test_a_damaged_pdf_is_refused(damage: Callable[[bytes], bytes]) -> None:
    assert "damaged" in refusal("report.pdf", damage(pdf_bytes(pages=3)))


def test_a_word_document_is_accepted() -> None:
    checked = check_upload(upload("reflective account.docx", minimal_docx()))

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.DOCUMENT,
        DOCX,
        ".docx",
    )


@pytest.mark.parametrize(
    ("folder", "content_type", "extension"),
    [
        ("xl/workbook.xml", sniffing._XLSX.content_type, ".xlsx"),
        ("ppt/presentation.xml", sniffing._PPTX.content_type, ".pptx"),
    ],
)
def test_excel_and_powerpoint_files_are_accepted(
    folder: str, content_type: str, extension: str
) -> None:
    data = zipped([("[Content_Types].xml", b"<Types/>"), (folder, b"<x/>")])

    checked = check_upload(upload("anything.bin", data))

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.DOCUMENT,
        content_type,
        extension,
    )


def test_an_opendocument_text_is_accepted() -> None:
    data = zipped(
        [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")],
        zipfile.ZIP_STORED,
    )

    checked = check_upload(upload("plan.odt", data))

    assert (checked.kind, checked.extension) == (FileKind.DOCUMENT, ".odt")


@pytest.mark.parametrize(
    "compression",
    [
        pytest.param(zipfile.ZIP_STORED, id="stored"),
        pytest.param(zipfile.ZIP_DEFLATED, id="deflated"),
    ],
)
def test_a_word_document_whose_parts_fail_their_crc_check_is_refused(compression: int) -> None:
    data = bytearray(minimal_docx(compression))
    body = data.rindex(b"PK\x03\x04")  # the last member, word/document.xml
    middle = body + 30 + len("word/document.xml") + 10
    data[middle] ^= 0xFF
    data[middle + 1] ^= 0xFF

    assert "damaged" in refusal("account.docx", bytes(data))


def test_a_word_document_with_macros_is_refused() -> None:
    data = minimal_docx(zipfile.ZIP_DEFLATED, ("word/vbaProject.bin", b"Attribute VB_Name"))
    assert "macros" in refusal("account.docx", data)


def test_a_word_document_with_encrypted_parts_is_refused() -> None:
    data = bytearray(minimal_docx())
    central = data.find(b"PK\x01\x02")
    while central != -1:
        data[central + 8] |= 0x01  # general-purpose flag: encrypted
        central = data.find(b"PK\x01\x02", central + 4)

    assert "password" in refusal("account.docx", bytes(data))


def test_an_older_word_document_is_refused_with_how_to_convert_it() -> None:
    # An OLE compound file header with Word's signature at 512.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"\xec\xa5\xc1\x00" + bytes(600)
    message = refusal("old.doc", data)
    assert message.startswith("is an older Word document (.doc)")
    assert "Save As to make a .docx copy" in message


def test_a_zip_archive_is_refused() -> None:
    message = refusal("evidence.docx", zipped([("notes.txt", b"hello")]))
    assert message.startswith("is a ZIP archive, which cannot be accepted.")


# --- video, audio and text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind", "content_type", "extension"),
    [
        pytest.param(
            ftyp(b"isom", b"isom", b"iso2", b"mp41"), "video", "video/mp4", ".mp4", id="mp4"
        ),
        pytest.param(ftyp(b"qt  ", b"qt  "), "video", "video/quicktime", ".mov", id="mov"),
        pytest.param(
            b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(400),
            "audio",
            "audio/mpeg",
            ".mp3",
            id="mp3-id3",
        ),
        pytest.param(b"\xff\xfb\x90\x64" + bytes(400), "audio", "audio/mpeg", ".mp3", id="mp3"),
        pytest.param(
            ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio", "audio/mp4", ".m4a", id="m4a"
        ),
        pytest.param(
            ftyp(b"M4B ", b"M4B ", b"mp42", b"isom"), "audio", "audio/mp4", ".m4a", id="m4b"
        ),
    ],
)
def test_video_and_audio_are_accepted_by_their_headers(
    data: bytes, kind: str, content_type: str, extension: str
) -> None:
    checked = check_upload(upload("recording.bin", data))

    assert (checked.kind, checked.content_type, checked.extension) == (
        kind,
        content_type,
        extension,
    )
    assert stored_bytes(checked) == data


def test_plain_text_with_emoji_is_accepted() -> None:
    data = "Customer feedback board 👍\nالتعليقات — משוב — 5 ⭐️\n".encode()

    checked = check_upload(upload("feedback.txt", data, "text/html"))

    assert (checked.kind, checked.content_type, checked.extension) == (
        FileKind.TEXT,
        "text/plain",
        ".txt",
    )


def test_text_with_a_byte_order_mark_is_accepted() -> None:
    checked = check_upload(upload("notes.txt", "\ufeffNotes from my shift\n".encode()))
    assert checked.kind == FileKind.TEXT


def test_text_that_happens_to_start_like_a_program_is_still_text() -> None:
    # "MZ" and "BM" are the whole signatures of Windows programs and BMP images.
    for note in ("MZ Khan observed me at the till.\n", "BM Jones signed the witness sheet.\n"):
        assert check_upload(upload("note.txt", note.encode())).kind == FileKind.TEXT


def test_long_text_is_judged_on_its_start_even_if_a_character_straddles_the_cut() -> None:
    data = b"a" * (sniffing.TEXT_SAMPLE_BYTES - 1) + "é and more".encode() * 10
    assert check_upload(upload("diary.txt", data)).kind == FileKind.TEXT


def test_a_windows_program_is_refused() -> None:
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    assert refusal("timesheet.pdf", program).startswith("is a Windows program")


def test_random_binary_is_refused() -> None:
    data = b"\x13\x37" + rubbish(5000, seed=11)
    assert refusal("mystery.dat", data).startswith("is not a file type we can accept.")


# --- sizes -------------------------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    assert refusal("blank.jpg", b"") == "is empty (0 bytes)."


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_is_refused() -> None:
    data = b"x" * 100

    assert check_upload(upload("notes.txt", data), max_bytes=100).size == 100
    assert "is larger than the 100 bytes limit" in refusal("notes.txt", data + b"x", max_bytes=100)


def test_the_size_limit_comes_from_settings_and_is_given_in_megabytes(
    settings: Settings,
) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 25 * 1024 * 1024
    uploaded = upload("video.mp4", b"x")
    uploaded.size = 30 * 1024 * 1024

    with pytest.raises(UploadRefused) as caught:
        check_upload(uploaded)

    assert caught.value.message.startswith("is larger than the 25 MB limit (it is 30 MB).")


# --- hashes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [pytest.param(noisy_jpeg(), id="image"), pytest.param(pdf_bytes(), id="pdf")],
)
def test_the_hash_and_size_are_of_exactly_what_is_stored(data: bytes) -> None:
    checked = check_upload(upload("evidence", data))

    kept = stored_bytes(checked)
    assert checked.sha256 == hashlib.sha256(kept).hexdigest()
    assert checked.size == len(kept)


# --- display names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\x.jpg", "x.jpg"),
        ("C:\\Users\\amy\\Pictures\\board.jpg", "board.jpg"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("\u2067report\u2069\u200e.pdf\u200f\u061c", "report.pdf"),
        ("tab\there\x00\x1b.txt", "tabhere.txt"),
        ("  ..hidden.jpg. ", "hidden.jpg"),
        ("feedback 👍👩‍🍳.jpg", "feedback 👍👩‍🍳.jpg"),
        ("تقييم العملاء.pdf", "تقييم العملاء.pdf"),
        ("משוב לקוחות.docx", "משוב לקוחות.docx"),
        ("Cafe\u0301.jpg", "Café.jpg"),
        ("", "file"),
        ("...", "file"),
        ("\u202e", "file"),
        ("folder/", "file"),
    ],
)
def test_display_names_are_made_safe_to_show(original: str, shown: str) -> None:
    assert clean_display_name(original) == shown


def test_a_very_long_display_name_is_capped_but_keeps_its_extension() -> None:
    shown = clean_display_name("a" * 500 + ".jpeg")
    assert len(shown) == 200
    assert shown.endswith("a.jpeg")

    assert clean_display_name("b" * 500) == "b" * 200


def test_a_refusal_names_the_file_safely() -> None:
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload("../x\u202egpj.exe", b""))
    assert caught.value.filename == "xgpj.exe"
    assert str(caught.value) == "xgpj.exe: is empty (0 bytes)."


# --- the upload handler ------------------------------------------------------------------


def feed(handler: LimitedTemporaryFileUploadHandler, name: str, data: bytes) -> UploadedFile:
    handler.new_file("files", name, "application/octet-stream", len(data))
    for start in range(0, len(data), 1000):
        handler.receive_data_chunk(data[start : start + 1000], start)
    uploaded = handler.file_complete(len(data))
    assert uploaded is not None
    return uploaded


def test_the_upload_handler_stops_keeping_a_file_once_it_passes_the_limit(
    settings: Settings,
) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 2500
    handler = LimitedTemporaryFileUploadHandler()

    uploaded = feed(handler, "holiday.mov", b"v" * 10_000)

    assert uploaded.exceeded_limit is True
    assert uploaded.size == 10_000
    assert os.path.getsize(uploaded.temporary_file_path()) <= 2500
    with pytest.raises(UploadRefused) as caught:
        check_upload(uploaded)
    assert "larger than" in caught.value.message
    uploaded.close()


def test_the_upload_handler_keeps_files_within_the_limit_and_starts_afresh_for_each(
    settings: Settings,
) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 5000
    handler = LimitedTemporaryFileUploadHandler()
    too_big = feed(handler, "big.txt", b"x" * 6000)
    photo = noisy_jpeg(40, 40)
    assert len(photo) <= 5000

    uploaded = feed(handler, "IMG_1.jpg", photo)

    assert too_big.exceeded_limit is True
    assert uploaded.exceeded_limit is False
    assert uploaded.size == len(photo)
    with open(uploaded.temporary_file_path(), "rb") as on_disk:
        assert on_disk.read() == photo
    assert check_upload(uploaded).content_type == "image/jpeg"
    too_big.close()
    uploaded.close()


def test_django_uses_the_limited_handler_for_uploads(settings: Settings) -> None:
    settings.EVIDENCE_MAX_FILE_BYTES = 100_000
    video = ftyp(b"isom", b"isom") + bytes(300_000)
    request = RequestFactory().post(
        "/evidence/files/",
        {
            "files": [
                SimpleUploadedFile("big.mp4", video),
                SimpleUploadedFile("note.txt", b"Observed at the till."),
            ]
        },
    )

    big, note = request.FILES.getlist("files")

    assert isinstance(big, TemporaryUploadedFile)
    assert (big.exceeded_limit, big.size) == (True, len(video))
    assert os.path.getsize(big.temporary_file_path()) <= 100_000
    assert (note.exceeded_limit, note.size) == (False, 21)
    assert check_upload(note).kind == FileKind.TEXT
    with pytest.raises(UploadRefused, match="larger than"):
        check_upload(big)


# --- renditions --------------------------------------------------------------------------


def test_renditions_fit_the_configured_sizes(settings: Settings) -> None:
    settings.EVIDENCE_THUMBNAIL_PX = 100
    settings.EVIDENCE_PRINT_PX = 300
    checked = check_upload(upload("wide.png", image_bytes(Image.new("RGB", (900, 450)), "PNG")))

    thumbnail, print_rendition = make_renditions(checked.content)

    assert (thumbnail.name, print_rendition.name) == ("thumb.jpg", "print.jpg")
    with Image.open(thumbnail) as small, Image.open(print_rendition) as large:
        assert (small.format, small.mode, small.size) == ("JPEG", "RGB", (100, 50))
        assert (large.format, large.mode, large.size) == ("JPEG", "RGB", (300, 150))


def test_renditions_of_a_small_image_are_never_enlarged() -> None:
    checked = check_upload(upload("tiny.jpg", noisy_jpeg(120, 80)))

    thumbnail, print_rendition = make_renditions(checked.content)

    for rendition in (thumbnail, print_rendition):
        with Image.open(rendition) as image:
            assert image.size == (120, 80)


def test_a_pdf_whose_cross_reference_table_is_broken_is_repaired_and_kept() -> None:
    whole = HTML(
        string="<p>One</p><p style='break-before: page'>Two</p><p style='break-before: page'>3</p>"
    ).write_pdf()
    # The table of where each object is, gone: readers rebuild it, and so does qpdf.
    damaged = whole[: whole.rindex(b"xref")] + b"%%EOF\n"
    checked = check_upload(upload("report.pdf", damaged))
    assert checked.kind == "pdf"
