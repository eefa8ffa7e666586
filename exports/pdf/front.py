"""The front matter: cover, contents and criterion index, each entry with its page and link.

Its entries' page numbers depend on its own length, so it is rendered until that length
settles, starting from its length last time (remembered beside the section cache) so that
it is usually rendered only once.
"""

from __future__ import annotations

from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.mail import site_url
from exports.models import ExportScope, PortfolioExport
from exports.pdf.assemble import LINK_PREFIX, Part, page_numbers
from exports.pdf.content import ExportContent
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.render import cache_folder, render_pdf
from exports.pdf.sections import NumberedFile, files_appendix_title

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


def _remembered_length(path: str) -> int:
    try:
        with default_storage.open(path, "rb") as handle:
            return max(1, int(handle.read().decode() or FIRST_GUESS))
    except (FileNotFoundError, ValueError, OSError):
        return FIRST_GUESS


def _remember_length(path: str, pages: int) -> None:
    # Kept beside the cached sections, and pruned with them.
    default_storage.delete(path)
    default_storage.save(path, ContentFile(str(pages).encode()))


def _goto(key: str) -> str:
    return f"{LINK_PREFIX}{key}"


def front_matter_context(
    content: ExportContent, numbers: dict[str, int], appended: list[NumberedFile]
) -> dict[str, object]:
    """Contents and criterion index entries, each with its page number and link."""

    def entry(title: str, key: str, level: int = 0) -> dict[str, object]:
        return {"title": title, "page": numbers.get(key), "link": _goto(key), "level": level}

    contents = [
        {"title": "Progress summary and criterion index", "anchor": "summary", "level": 0},
    ]
    if content.export.scope != ExportScope.UNIT:
        contents.append({"title": "Summative sign-off", "anchor": "sign-off", "level": 1})
    contents.append({"title": "Tracking matrix", "anchor": "matrix", "level": 0})
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
    return {"contents": contents, "index": index, "matrix": tracking_matrix(index)}


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


def render_front_matter(
    content: ExportContent,
    body: list[Part],
    appended: list[NumberedFile],
    *,
    generated_at: datetime,
    fetcher: ExportFetcher,
) -> Part:
    """The front matter for a body of parts, rendered until its own length settles."""
    export = content.export
    remembered = f"{cache_folder(content.portfolio.pk)}/{remembered_length_name(export)}.txt"
    verify_url = site_url(reverse("exports:verify"))
    pages = _remembered_length(remembered)
    for _ in range(MOST_RENDERS):
        numbers, _ = page_numbers(body, pages + 1)
        pdf = render_pdf(
            "exports/pdf/front.html",
            content.template_context(
                **front_matter_context(content, numbers, appended),
                export=export,
                generated_at=generated_at,
                verify_url=verify_url,
            ),
            fetcher,
        )
        front_matter = Part("front", pdf, bookmark="Cover, contents and index")
        if front_matter.pages == pages:
            break
        pages = front_matter.pages
    _remember_length(remembered, front_matter.pages)
    return front_matter
