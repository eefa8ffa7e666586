"""Rendering one section of the export to PDF with WeasyPrint, reusing it when unchanged."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import HTML

from exports.pdf.fetcher import ExportFetcher

# Images are embedded at most at this resolution, whatever was uploaded.
PRINT_DPI = 200


def cache_folder(portfolio_id: int) -> str:
    """Where a portfolio's cached sections live, so one export can reuse another's."""
    return f"export-cache/{portfolio_id}"


def render_pdf(template: str, context: dict[str, Any], fetcher: ExportFetcher) -> bytes:
    """One template rendered to PDF, fetching nothing the portfolio does not own."""
    html = render_to_string(template, context)
    return HTML(string=html, base_url="export:", url_fetcher=fetcher).write_pdf(
        dpi=PRINT_DPI, jpeg_quality=85
    )


def cached_section(
    portfolio_id: int,
    fingerprint: str,
    template: str,
    context: dict[str, Any],
    fetcher: ExportFetcher,
) -> tuple[bytes, bool]:
    """The section's PDF from the cache when its content is unchanged; (pdf, was_cached)."""
    name = f"{cache_folder(portfolio_id)}/{fingerprint}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), True
    pdf = render_pdf(template, context, fetcher)
    default_storage.save(name, ContentFile(pdf))
    return pdf, False


def prune_cache(portfolio_id: int, in_use: set[str]) -> None:
    """Forget cached sections this portfolio no longer has (in_use: their names, no suffix)."""
    folder = cache_folder(portfolio_id)
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        if filename.rsplit(".", 1)[0] not in in_use:
            default_storage.delete(f"{folder}/{filename}")
