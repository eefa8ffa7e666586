"""Page furniture: the running header and "Page X of Y" stamped on every page at the end,
once the page count is known, drawn by WeasyPrint so it matches the sections' type."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from exports.pdf.fetcher import ExportFetcher


def page_furniture(header: str, pages: int, fetcher: ExportFetcher) -> bytes:
    """An overlay of as many pages as the document, carrying only header and page numbers."""
    html = render_to_string(
        "exports/pdf/page_furniture.html", {"header": header, "pages": range(pages)}
    )
    return HTML(string=html, base_url="export:", url_fetcher=fetcher).write_pdf()


def stamp(document: PdfWriter, *, header: str, fetcher: ExportFetcher) -> bytes:
    """Merge the page furniture onto every page of the document, and write the finished PDF."""
    overlay = PdfReader(io.BytesIO(page_furniture(header, len(document.pages), fetcher)))
    for page, furniture in zip(document.pages, overlay.pages, strict=True):
        page.merge_page(furniture)
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()
