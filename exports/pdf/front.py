"""The front matter: cover, contents, progress summary, criterion index and tracking matrix.

Five parts, so that each is rendered only when what it shows has changed: the cover (made
for every export: it carries the date and the verification code), and the other four cached
by their HTML. The contents and the index give page numbers, which depend on the front
matter's own length; they are rendered until that length settles, starting from their
lengths last time (remembered beside the section cache), so that they are usually rendered
once. The summary and the matrix give no page numbers and are rendered first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.mail import site_url
from exports.models import ExportScope, PortfolioExport
from exports.pdf.assemble import LINK_PREFIX, Part, page_numbers
from exports.pdf.content import ExportContent
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.render import Section, cache_folder, cached_sections
from exports.pdf.sections import NumberedFile, Wanted, files_appendix_title

# Pages assumed before the first export of a scope, and renders allowed for the length to settle.
FIRST_GUESS = 3
MOST_RENDERS = 5
# Evidence columns per tracking-matrix table: as many as fit across an A4 page beside the criterion.
MATRIX_COLUMNS = 12
# The letter in a tracking-matrix cell for each mapping status (the key is printed above it).
MATRIX_MARKS = {"accepted": "A", "submitted": "S", "referred": "R", "draft": "D"}


def remembered_length_name(export: PortfolioExport) -> str:
    """The cache name of the front matter's remembered length: one per scope and unit."""
    return f"front-{export.scope}-{export.unit_id or 0}"


def _remembered_lengths(path: str) -> tuple[int, int]:
    """The contents' and the index's lengths last time, or a first guess."""
    try:
        with default_storage.open(path, "rb") as handle:
            contents, index = (max(1, int(n)) for n in handle.read().decode().split())
            return contents, index
    except (FileNotFoundError, ValueError, OSError):
        return FIRST_GUESS, FIRST_GUESS


def _remember_lengths(path: str, contents: int, index: int) -> None:
    # Kept beside the cached sections, and pruned with them.
    default_storage.delete(path)
    default_storage.save(path, ContentFile(f"{contents} {index}".encode()))


def _goto(key: str) -> str:
    return f"{LINK_PREFIX}{key}"


def front_matter_context(
    content: ExportContent, numbers: dict[str, int], appended: list[NumberedFile]
) -> dict[str, object]:
    """Contents and criterion index entries, each with its page number and link."""
    return {
        "contents": contents_entries(content, numbers, appended),
        "index": index_rows(content, numbers),
    }


def contents_entries(
    content: ExportContent, numbers: dict[str, int], appended: list[NumberedFile]
) -> list[dict[str, object]]:
    """The contents: each entry's title, level, and page and link where it has one."""

    def entry(title: str, key: str, level: int = 0) -> dict[str, object]:
        return {"title": title, "page": numbers.get(key), "link": _goto(key), "level": level}

    contents = [entry("Progress summary", "summary")]
    if content.export.scope != ExportScope.UNIT:
        contents.append(entry("Summative sign-off", "sign-off", 1))
    contents.append(entry("Criterion index", "index"))
    contents.append(entry("Tracking matrix", "matrix"))
    contents.append({"title": "Units: progress, declarations and sign-offs", "level": 0})
    contents += [
        entry(f"{u.unit.reference} {u.unit.title}", f"unit-{u.unit.pk}", 1) for u in content.units
    ]
    contents.append({"title": "Evidence", "level": 0})
    contents += [
        entry(f"E{s.number} {s.evidence.title}", f"evidence-{s.evidence.pk}", 1)
        for s in content.evidence
    ]
    if content.whole:
        contents.append(entry("Evidence not yet mapped", "unmapped"))
    if appended:
        contents.append({"title": "Appendix A: uploaded PDFs", "level": 0})
        contents += [entry(f"E{i} {f.original_name}", f"divider-{f.pk}", 1) for f, i in appended]
    contents.append(entry(files_appendix_title(bool(appended)), "files"))
    if "audit" in numbers:
        contents.append(entry("Audit timeline", "audit"))
    return contents


def index_rows(content: ExportContent, numbers: dict[str, int]) -> list[dict]:
    """For each unit's criteria, the evidence mapped to each, accepted first, with the page
    and a link to the mapping's own commentary (to its evidence while numbers are unknown)."""
    evidence_number = {s.evidence.pk: s.number for s in content.evidence}
    index = []
    for unit in content.units:
        rows = []
        for item in unit.criteria:
            refs = [
                {
                    "label": f"E{evidence_number[m.evidence_id]}",
                    "title": m.evidence.title,
                    "status": m.get_status_display(),
                    "accepted": m.status == "accepted",
                    # The mapping's own commentary, inside the evidence section.
                    "page": numbers.get(
                        f"mapping-{m.pk}", numbers.get(f"evidence-{m.evidence_id}")
                    ),
                    "link": _goto(
                        f"mapping-{m.pk}"
                        if f"mapping-{m.pk}" in numbers
                        else f"evidence-{m.evidence_id}"
                    ),
                }
                for m in item.mappings
                if m.evidence_id in evidence_number
            ]
            refs.sort(key=lambda ref: (not ref["accepted"], ref["label"]))
            rows.append({"criterion": item.criterion, "status": item.status.label, "refs": refs})
        index.append({"unit": unit, "rows": rows})
    return index


def tracking_matrix(index: list[dict]) -> list[dict[str, object]]:
    """The criterion index turned into a grid per unit: criteria down, the evidence mapped to the
    unit across (in evidence order), each cell the mapping's status letter. A unit with more
    evidence than fits across a page gets several tables, MATRIX_COLUMNS evidence at a time."""
    units = []
    for block in index:
        columns: dict[str, dict[str, object]] = {}
        for row in block["rows"]:
            for ref in row["refs"]:
                columns.setdefault(ref["label"], {"label": ref["label"], "link": ref["link"]})
        ordered = sorted(columns.values(), key=lambda column: int(str(column["label"])[1:]))
        marks = [
            (row, {ref["label"]: MATRIX_MARKS[ref["status"].lower()] for ref in row["refs"]})
            for row in block["rows"]
        ]
        tables = []
        for start in range(0, len(ordered), MATRIX_COLUMNS):
            chunk = ordered[start : start + MATRIX_COLUMNS]
            tables.append(
                {
                    "columns": chunk,
                    "rows": [
                        {
                            "criterion": row["criterion"],
                            "status": row["status"],
                            "cells": [by_label.get(column["label"], "") for column in chunk],
                        }
                        for row, by_label in marks
                    ],
                }
            )
        units.append({"unit": block["unit"], "tables": tables})
    return units


@dataclass
class _Sized:
    """A front-matter part not rendered yet, by the length it is expected to have."""

    key: str
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)


def fixed_parts(content: ExportContent, *, generated_at: datetime) -> list[Wanted]:
    """The front matter's parts that give no page numbers (cover, progress summary, tracking
    matrix), for rendering beside the body."""
    verify_url = site_url(reverse("exports:verify"))
    cover = Section(
        None,
        "exports/pdf/front_cover.html",
        content.template_context(
            export=content.export, generated_at=generated_at, verify_url=verify_url
        ),
    )
    summary = Section(None, "exports/pdf/front_summary.html", content.template_context())
    matrix = Section(
        None,
        "exports/pdf/front_matrix.html",
        content.template_context(matrix=tracking_matrix(index_rows(content, {}))),
    )
    return [
        Wanted(cover, "Cover", lambda pdf: Part("front", pdf, bookmark="Cover and contents")),
        Wanted(
            summary,
            "Progress summary",
            lambda pdf: Part("summary", pdf, bookmark="Progress summary"),
        ),
        Wanted(
            matrix, "Tracking matrix", lambda pdf: Part("matrix", pdf, bookmark="Tracking matrix")
        ),
    ]


def render_front_matter(
    content: ExportContent,
    fixed: list[Part],
    body: list[Part],
    appended: list[NumberedFile],
    *,
    fetcher: ExportFetcher,
) -> tuple[list[Part], set[str]]:
    """The front matter's parts, the contents and the index made for a body of parts and the
    fixed parts (cover, summary, matrix) already made; and the cache names they use."""
    portfolio_id = content.portfolio.pk
    remembered = f"{cache_folder(portfolio_id)}/{remembered_length_name(content.export)}.txt"
    cover_part, summary_part, matrix_part = fixed
    contents_pages, index_pages = _remembered_lengths(remembered)
    for _ in range(MOST_RENDERS):
        front = [
            cover_part,
            _Sized("contents", contents_pages),
            summary_part,
            _Sized("index", index_pages),
            matrix_part,
        ]
        numbers, _ = page_numbers([*front, *body], 1)
        context = front_matter_context(content, numbers, appended)
        contents, index = cached_sections(
            portfolio_id,
            [
                Section(
                    None,
                    "exports/pdf/front_contents.html",
                    content.template_context(contents=context["contents"]),
                ),
                Section(
                    None,
                    "exports/pdf/front_index.html",
                    content.template_context(index=context["index"]),
                ),
            ],
            fetcher,
        )
        contents_part = Part("contents", contents.pdf)
        index_part = Part("index", index.pdf, bookmark="Criterion index")
        if (contents_part.pages, index_part.pages) == (contents_pages, index_pages):
            break
        contents_pages, index_pages = contents_part.pages, index_part.pages
    _remember_lengths(remembered, contents_part.pages, index_part.pages)
    return [cover_part, contents_part, summary_part, index_part, matrix_part], {
        contents.name,
        index.name,
    }
