"""PDFs: opened with pypdf to prove an assessor could read every page."""

from __future__ import annotations

import logging

import pypdf
from django.core.files.uploadedfile import UploadedFile

from portfolio.errors import UploadRefused

logger = logging.getLogger(__name__)


def check_pdf(uploaded: UploadedFile, name: str) -> None:
    """A PDF is kept only if an assessor could open it and see every page."""
    uploaded.seek(0)
    try:
        reader = pypdf.PdfReader(uploaded)
        encrypted = reader.is_encrypted
        page_count = 0
        if not encrypted:
            for page in reader.pages:
                _ = page.mediabox
                page_count += 1
    except Exception as exc:
        logger.info("PDF %r did not open", name, exc_info=True)
        raise _damaged_pdf(name) from exc
    if encrypted:
        raise UploadRefused(
            name,
            "is password-protected or encrypted; save a copy without a password and upload that.",
        )
    if page_count == 0:
        raise _damaged_pdf(name)


def _damaged_pdf(name: str) -> UploadRefused:
    """Refusal for a PDF whose structure cannot be read."""
    return UploadRefused(
        name,
        "is damaged and cannot be opened as a PDF; try saving or exporting it again and "
        "upload the new copy.",
    )
