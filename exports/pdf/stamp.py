"""Page furniture: the running header, and a footer of the verification code and "Page X of Y",
stamped on every page at the end, once the page count is known, drawn by WeasyPrint so it
matches the sections' type."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from exports.pdf.fetcher import ExportFetcher


def page_furniture(header: str, code: str, pages: int, fetcher: ExportFetcher) -> bytes:
    """An overlay of as many pages as the document, carrying only header and footer."""
    html = render_to_string(
        "exports/pdf/page_furniture.html",
        # Inside a CSS string: the code is letters, digits and hyphens, and nothing else passes.
        {
            "header": header,
            "footer": "Verification code " + "".join(c for c in code if c.isalnum() or c == "-"),
            "pages": range(pages),
        },
    )
    return HTML(string=html, base_url="export:", url_fetcher=fetcher).write_pdf()


def stamp(document: PdfWriter, *, header: str, code: str, fetcher: ExportFetcher) -> bytes:
    """Merge the page furniture onto every page of the document, and write the finished PDF."""
    overlay = PdfReader(io.BytesIO(page_furniture(header, code, len(document.pages), fetcher)))
    for page, furniture in zip(document.pages, overlay.pages, strict=True):
        page.merge_page(furniture)
        # Merging leaves the page's combined content uncompressed: squeeze it again.
        page.compress_content_streams()
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()
