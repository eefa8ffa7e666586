"""WeasyPrint may load only the project's own stylesheet and this portfolio's files.

Every URL in the export's HTML uses the `export:` scheme; anything else — http(s), file:,
data:, another portfolio's file — is refused, so learner content cannot make the renderer
reach the network or the disk.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.params import id_or_none
from portfolio.models import EvidenceFile, Portfolio

SCHEME = "export:"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "pdf.css"


class RefusedURL(ValueError):
    pass


class ExportFetcher(URLFetcher):
    def __init__(self, portfolio: Portfolio) -> None:
        super().__init__(allowed_protocols=["export"], allow_redirects=False)
        self.portfolio = portfolio

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if not url.startswith(SCHEME):
            raise RefusedURL(f"Refused to fetch {url!r}: not part of this portfolio")
        target = url.removeprefix(SCHEME)
        if target == "pdf.css":
            return URLFetcherResponse(
                url, STYLESHEET.read_bytes(), {"Content-Type": "text/css; charset=utf-8"}
            )
        kind, _, identifier = target.partition("/")
        file_id = id_or_none(identifier) if kind == "image" else None
        if file_id is not None:
            evidence_file = (
                EvidenceFile.objects.filter(
                    pk=file_id, evidence__portfolio=self.portfolio, kind="image"
                )
                .only("file", "print_rendition", "content_type")
                .first()
            )
            if evidence_file is not None:
                # The print-size rendition made at upload; the original only if the worker
                # has not made it yet (WeasyPrint's dpi cap then limits what is embedded).
                stored = evidence_file.print_rendition or evidence_file.file
                with stored.open("rb") as handle:
                    body = handle.read()
                content_type = (
                    "image/jpeg" if evidence_file.print_rendition else evidence_file.content_type
                )
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
        raise RefusedURL(f"Refused to fetch {url!r}: not part of this portfolio")


class StoredFetcher(URLFetcher):
    """Serves what an ExportFetcher fetched earlier, and nothing else: a render process with
    no database uses it for the images its sections show, read and checked by its parent."""

    def __init__(self, resources: dict[str, tuple[bytes, str]]) -> None:
        super().__init__(allowed_protocols=["export"], allow_redirects=False)
        self.resources = resources

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url == f"{SCHEME}pdf.css":
            return URLFetcherResponse(
                url, STYLESHEET.read_bytes(), {"Content-Type": "text/css; charset=utf-8"}
            )
        if url not in self.resources:
            raise RefusedURL(f"Refused to fetch {url!r}: not part of this portfolio")
        body, content_type = self.resources[url]
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def images_of(html: str, fetcher: ExportFetcher) -> dict[str, tuple[bytes, str]]:
    """Every portfolio image the HTML shows, fetched (and checked) now: URL → (body, type)."""
    resources = {}
    for url in dict.fromkeys(re.findall(rf"{SCHEME}image/\d+", html)):
        response = fetcher.fetch(url)
        resources[url] = (response.read(), response.content_type)
    return resources
