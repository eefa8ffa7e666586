"""Rendering the export's sections to PDF with WeasyPrint, reusing each while it is unchanged.

Sections not in the cache are rendered together, several to one WeasyPrint document, and the
document's pages are then split back into one PDF per section: WeasyPrint pays a fixed price
for every document it lays out (parsing, styles, fonts), so one document of twenty sections
takes well under half the time of twenty documents. Every section starts on a page of its
own, so the split falls between pages and each section's PDF is the one it would have had
alone. Sections are tagged (a structure tree of headings, paragraphs, tables and figures with
their alt text), which the assembly step keeps.

With several batches to render and EXPORT_RENDER_PROCESSES above one, the batches are laid
out in that many processes at once (WeasyPrint uses one core). The processes are started
fresh, hold no database connection, and see only the HTML and the images this process has
fetched for them through the portfolio's fetcher; they die with the export that started them.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import HTML

from exports.pdf import processes
from exports.pdf.fetcher import ExportFetcher, StoredFetcher, images_of

# Images are embedded at most at this resolution, whatever was uploaded.
PRINT_DPI = 200
# WeasyPrint's options for every section: tagged for screen readers, images capped.
OPTIONS: dict[str, Any] = {"dpi": PRINT_DPI, "jpeg_quality": 85, "pdf_tags": True}
# Sections laid out in one document at most: bounds the memory a batch of photos may take.
BATCH = 20
# Marks where each section of a batch starts; removed before the pages are written.
MARK = "export-batch-section-"


@dataclass
class Section:
    """A section to render: its template and context, and its cache name: a fingerprint of
    what it shows, or None to know it by its HTML (rendered first, to look it up)."""

    name: str | None
    template: str
    context: dict[str, Any]


@dataclass
class Rendered:
    """A section's PDF, whether it came from the cache, and the name it is cached under."""

    pdf: bytes
    cached: bool
    name: str


def cache_folder(portfolio_id: int) -> str:
    """Where a portfolio's cached sections live, so one export can reuse another's."""
    return f"export-cache/{portfolio_id}"


def html_name(kind: str, html: str) -> str:
    """A cache name for a section known by its HTML alone: equal HTML, equal PDF."""
    return f"{kind}-{hashlib.sha256(html.encode()).hexdigest()}"


def _options(tagged: bool) -> dict[str, Any]:
    return {**OPTIONS, "pdf_tags": tagged}


def render_html(html: str, fetcher: ExportFetcher | StoredFetcher, *, tagged: bool = True) -> bytes:
    """One HTML document to PDF, fetching nothing the portfolio does not own. Untagged only
    for what is drawn as page furniture."""
    return HTML(string=html, base_url="export:", url_fetcher=fetcher).write_pdf(**_options(tagged))


def render_pdf(template: str, context: dict[str, Any], fetcher: ExportFetcher) -> bytes:
    """One template rendered to PDF on its own."""
    return render_html(render_to_string(template, context), fetcher)


def _split(html: str) -> tuple[str, str]:
    """A rendered page's head (everything before <body>) and its body's inner HTML."""
    start = html.index("<body>")
    return html[:start], html[start + len("<body>") : html.rindex("</body>")]


def render_many(
    htmls: list[str], fetcher: ExportFetcher | StoredFetcher, *, tagged: bool = True
) -> list[bytes]:
    """Each HTML document's PDF, laid out together as one document and split by section.

    The documents must share their head (every export template extends the same base); any
    that does not is rendered on its own."""
    options = _options(tagged)
    if len(htmls) == 1:
        return [render_html(htmls[0], fetcher, tagged=tagged)]
    head, _ = _split(htmls[0])
    if any(_split(html)[0] != head for html in htmls):
        return [render_html(html, fetcher, tagged=tagged) for html in htmls]
    body = "".join(
        # Each section on pages of its own; the first needs no break.
        f'<div id="{MARK}{number}" style="break-before: {"page" if number else "auto"}">'
        f"{_split(html)[1]}</div>"
        for number, html in enumerate(htmls)
    )
    document = HTML(
        string=f"{head}<body>{body}</body></html>", base_url="export:", url_fetcher=fetcher
    ).render(**options)
    # A section's mark is on every page it runs over: it starts on the first.
    starts: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in [name for name in page.anchors if name.startswith(MARK)]:
            del page.anchors[name]
            starts.setdefault(name, index)
    starts = sorted(starts.values())
    ends = [*starts[1:], len(document.pages)]
    return [
        document.copy(document.pages[start:end]).write_pdf(**options)
        for start, end in zip(starts, ends, strict=True)
    ]


def _render_stored(
    htmls: list[str], resources: dict[str, tuple[bytes, str]], tagged: bool
) -> list[bytes]:
    """In a render process: a batch's PDFs, with only the images fetched for it."""
    return render_many(htmls, StoredFetcher(resources), tagged=tagged)


def render_batches(
    batches: list[list[str]],
    fetcher: ExportFetcher,
    *,
    tagged: bool = True,
    done: Callable[[int, list[bytes]], None],
) -> None:
    """Render each batch, in several processes when there are batches enough, and hand
    done each batch's index and PDFs as it is finished, in order."""
    workers = min(settings.EXPORT_RENDER_PROCESSES, len(batches))
    if workers <= 1:
        for index, htmls in enumerate(batches):
            done(index, render_many(htmls, fetcher, tagged=tagged))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, initializer=processes.start) as pool:
        # A batch's images are read only shortly before it is rendered: one batch waits in
        # line beside those being rendered, so memory holds a few batches' photos at most.
        pending: dict[int, Future[list[bytes]]] = {}
        for index in range(len(batches)):
            for ahead in range(index, min(index + workers + 1, len(batches))):
                if ahead not in pending:
                    htmls = batches[ahead]
                    resources = images_of("".join(htmls), fetcher)
                    pending[ahead] = pool.submit(_render_stored, htmls, resources, tagged)
            done(index, pending.pop(index).result())


def _cache_path(portfolio_id: int, name: str) -> str:
    return f"{cache_folder(portfolio_id)}/{name}.pdf"


def _kind(template: str) -> str:
    return template.rsplit("/", 1)[-1].removesuffix(".html")


def cached_sections(
    portfolio_id: int,
    sections: list[Section],
    fetcher: ExportFetcher,
    *,
    done: Callable[[Section], None] | None = None,
    tagged: bool = True,
) -> list[Rendered]:
    """Each section's PDF, in the order asked: from the cache when there, else rendered (in
    batches) and kept for next time. done, if given, is told as each section is ready, so a
    long build can show its progress."""
    results: list[Rendered | None] = [None] * len(sections)
    missing: list[tuple[int, str, str]] = []
    for index, section in enumerate(sections):
        html = ""
        name = section.name
        if name is None:
            html = render_to_string(section.template, section.context)
            name = html_name(_kind(section.template), html)
        path = _cache_path(portfolio_id, name)
        if default_storage.exists(path):
            with default_storage.open(path, "rb") as handle:
                results[index] = Rendered(handle.read(), True, name)
            if done:
                done(section)
        else:
            missing.append((index, name, html))
    batches = [missing[start : start + BATCH] for start in range(0, len(missing), BATCH)]
    htmls = [
        [
            html or render_to_string(sections[index].template, sections[index].context)
            for index, _, html in batch
        ]
        for batch in batches
    ]

    def keep(number: int, pdfs: list[bytes]) -> None:
        for (index, name, _), pdf in zip(batches[number], pdfs, strict=True):
            path = _cache_path(portfolio_id, name)
            if not default_storage.exists(path):
                default_storage.save(path, ContentFile(pdf))
            results[index] = Rendered(pdf, False, name)
            if done:
                done(sections[index])

    render_batches(htmls, fetcher, tagged=tagged, done=keep)
    return [result for result in results if result is not None]


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
