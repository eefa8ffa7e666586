"""The one entry point for an upload: size limits, then what the bytes are, then the check
for that kind, and finally exactly what to store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile

from portfolio.errors import UploadRefused
from portfolio.models import FileKind
from portfolio.uploads.images import clean_image
from portfolio.uploads.names import clean_display_name
from portfolio.uploads.office import check_office_document
from portfolio.uploads.pdf import check_pdf
from portfolio.uploads.sizes import describe_bytes
from portfolio.uploads.sniffing import SNIFF_BYTES, identify


@dataclass(frozen=True)
class CheckedUpload:
    """What to store for an accepted upload, described from its content."""

    display_name: str
    kind: str
    content_type: str
    extension: str
    content: File
    size: int
    sha256: str
    width: int | None
    height: int | None


def check_upload(uploaded: UploadedFile, *, max_bytes: int | None = None) -> CheckedUpload:
    """Decide from its bytes whether we keep a file, and exactly what to keep."""
    name = clean_display_name(uploaded.name or "")
    limit = settings.EVIDENCE_MAX_FILE_BYTES if max_bytes is None else max_bytes
    declared_size = uploaded.size or 0
    if declared_size == 0:
        raise UploadRefused(name, "is empty (0 bytes).")
    if getattr(uploaded, "exceeded_limit", False) or declared_size > limit:
        raise UploadRefused(
            name,
            f"is larger than the {describe_bytes(limit)} limit (it is "
            f"{describe_bytes(declared_size)}). Make it smaller – trim or compress a video, or "
            "split it into parts – and upload it again.",
        )

    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    if not head:
        raise UploadRefused(name, "is empty (0 bytes).")
    kept = identify(uploaded, head, name)

    content: File
    width = height = None
    if kept.kind == FileKind.IMAGE:
        content, width, height = clean_image(uploaded, name, kept)
    else:
        if kept.kind == FileKind.PDF:
            check_pdf(uploaded, name)
        elif kept.kind == FileKind.DOCUMENT:
            check_office_document(uploaded, name, kept)
        uploaded.seek(0)
        content = uploaded
    size, sha256 = _measure(content)
    return CheckedUpload(
        display_name=name,
        kind=str(kept.kind),
        content_type=kept.content_type,
        extension=kept.extension,
        content=content,
        size=size,
        sha256=sha256,
        width=width,
        height=height,
    )


def _measure(content: File) -> tuple[int, str]:
    """Size and SHA-256 read in chunks, so a large video is never wholly in memory."""
    digest = hashlib.sha256()
    size = 0
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    return size, digest.hexdigest()
