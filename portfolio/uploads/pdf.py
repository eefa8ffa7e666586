"""PDFs: opened with pypdf to prove an assessor could read every page, and short enough to
print without tying up the worker."""

from __future__ import annotations

import logging

import pypdf
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from portfolio.errors import UploadRefused

logger = logging.getLogger(__name__)


def check_pdf(uploaded: UploadedFile, name: str) -> None:
    """Keep a PDF only if an assessor could open it and see every page, and it is not too long."""
    uploaded.seek(0)
    max_pages = settings.EVIDENCE_MAX_PDF_PAGES
    try:
        reader = pypdf.PdfReader(uploaded)
        encrypted = reader.is_encrypted
        page_count = 0
        if not encrypted:
            # Counting walks the page tree (never trusting /Count); opening each page is the
            # slow part, so a PDF too long to keep is refused before that.
            page_count = len(reader.pages)
            if page_count <= max_pages:
                for page in reader.pages:
                    _ = page.mediabox
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
    if page_count > max_pages:
        raise UploadRefused(
            name,
            f"has {page_count:,} pages; a PDF may have at most {max_pages:,}. Split it into "
            "shorter PDFs, or keep only the pages that show your work, and upload those.",
        )


def _damaged_pdf(name: str) -> UploadRefused:
    """Refusal for a PDF whose structure cannot be read."""
    return UploadRefused(
        name,
        "is damaged and cannot be opened as a PDF; try saving or exporting it again and "
        "upload the new copy.",
    )
