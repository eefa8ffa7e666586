"""Files built in the test, as a learner's browser would upload them, and reading back what the
in-memory storage holds."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


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


def mp3_upload(name: str = "discussion.mp3") -> SimpleUploadedFile:
    """A recording as an MP3 frame header begins one; enough for the content checks."""
    return SimpleUploadedFile(name, b"\xff\xfb\x90\x64" + bytes(400), content_type="audio/mpeg")


def html_upload(name: str = "payload.jpg") -> SimpleUploadedFile:
    """A web page dressed up as a photo."""
    return SimpleUploadedFile(
        name, b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    """Blank A4 pages, optionally locked with a password."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "witness statement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


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
