"""PDFs: opened with qpdf (pikepdf) to prove an assessor could read every page, and short enough
to print without tying up the worker. qpdf repairs what a reader would repair (a cut-off or
broken cross-reference table), so such a file is kept; the portfolio's PDF repairs it again
when it appends it."""

from __future__ import annotations

import logging

import pikepdf
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from portfolio.errors import UploadRefused

logger = logging.getLogger(__name__)


def check_pdf(uploaded: UploadedFile, name: str) -> None:
    """Keep a PDF only if an assessor could open it and see every page, and it is not too long."""
    uploaded.seek(0)
    max_pages = settings.EVIDENCE_MAX_PDF_PAGES
    try:
        with pikepdf.open(uploaded) as pdf:
            encrypted = pdf.is_encrypted
            page_count = 0
            if not encrypted:
                # Counting walks the page tree (never trusting /Count); opening each page is
                # the slow part, so a PDF too long to keep is refused before that.
                page_count = len(pdf.pages)
                if page_count <= max_pages:
                    # A repaired file is kept only if every page's content came through whole:
                    # a file cut short keeps its first page's frame but not what was on it.
                    repaired = bool(pdf.get_warnings())
                    for page in pdf.pages:
                        _ = page.mediabox
                        if repaired:
                            _read_content(page)
    except pikepdf.PasswordError:
        encrypted, page_count = True, 0
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


def _read_content(page: pikepdf.Page) -> None:
    """Decode every content stream of the page; raise if there is none or one is broken."""
    contents = page.obj.get("/Contents")
    if contents is None:
        raise ValueError("a repaired page has no content")
    for stream in [contents] if isinstance(contents, pikepdf.Stream) else contents:
        stream.read_bytes()


def _damaged_pdf(name: str) -> UploadRefused:
    """Refusal for a PDF whose structure cannot be read."""
    return UploadRefused(
        name,
        "is damaged and cannot be opened as a PDF; try saving or exporting it again and "
        "upload the new copy.",
    )
