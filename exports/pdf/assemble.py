"""Stitching rendered sections into one PDF with pypdf: page numbers, bookmarks, live links
between sections, appended PDFs, embedded files and document metadata.

The page furniture is stamped on afterwards (exports.pdf.stamp), once the page count is known.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from exports.pdf.appendix import Bookmark

# Links in the front matter point here; they are rewritten into jumps to the section's page.
LINK_PREFIX = "https://export.invalid/goto/"
# Parts whose element ids are places links land on: evidence sections (each mapping's
# commentary has an id, so the criterion index opens the commentary itself).
ANCHORED = "evidence-"


@dataclass
class Part:
    """One rendered piece of the document, under the key links and page numbers refer to."""

    key: str
    pdf: bytes
    bookmark: str | None = None
    group: str | None = None
    # Bookmarks inside the part (an appended PDF's own), nested under its bookmark.
    children: list[Bookmark] = field(default_factory=list)
    pages: int = field(init=False)
    # Places inside the part that links may land on: an element's id → its page in the part.
    anchors: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        reader = PdfReader(io.BytesIO(self.pdf))
        self.pages = len(reader.pages)
        self.anchors = {}
        if self.key.startswith(ANCHORED):
            for name, destination in reader.named_destinations.items():
                page = reader.get_destination_page_number(destination)
                if page is not None and page >= 0:
                    self.anchors[str(name)] = page


def page_numbers(parts: list[Part], first_page: int) -> tuple[dict[str, int], int]:
    """The 1-based page of each part's start, and of each anchor inside a part, when the body
    starts at first_page; and the last page."""
    numbers, page = {}, first_page
    for part in parts:
        numbers[part.key] = page
        for name, offset in part.anchors.items():
            numbers[name] = page + offset
        page += part.pages
    return numbers, page - 1


def _rewrite_links(writer: PdfWriter, first_pages: dict[str, int]) -> None:
    """Turn the front matter's placeholder links into jumps to each part's first page."""
    for page in writer.pages:
        for annotation_ref in page.get("/Annots", []) or []:
            annotation = annotation_ref.get_object()
            action = annotation.get("/A")
            if action is None:
                continue
            uri = action.get_object().get("/URI")
            if not isinstance(uri, str) or not uri.startswith(LINK_PREFIX):
                continue
            target = first_pages.get(uri.removeprefix(LINK_PREFIX))
            if target is None:
                continue
            annotation[NameObject("/A")] = DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoTo"),
                    NameObject("/D"): ArrayObject(
                        [writer.pages[target - 1].indirect_reference, NameObject("/Fit")]
                    ),
                }
            )


def _add_bookmarks(
    writer: PdfWriter, bookmarks: list[Bookmark], parent: object, first: int
) -> None:
    for bookmark in bookmarks:
        item = writer.add_outline_item(
            title=bookmark.title, page_number=first + bookmark.page, parent=parent
        )
        _add_bookmarks(writer, bookmark.children, item, first)


def assemble(
    parts: list[Part],
    *,
    attachments: list[tuple[str, bytes]],
    metadata: dict[str, str],
    groups: dict[str, str],
) -> PdfWriter:
    """The parts as one document, with links, bookmarks (grouped), attachments and metadata."""
    writer = PdfWriter()
    first_pages: dict[str, int] = {}
    for part in parts:
        first_pages[part.key] = len(writer.pages) + 1
        for name, offset in part.anchors.items():
            first_pages[name] = first_pages[part.key] + offset
        writer.append(io.BytesIO(part.pdf), import_outline=False)
    _rewrite_links(writer, first_pages)
    parents: dict[str, object] = {}
    for part in parts:
        if part.group and part.group not in parents:
            parents[part.group] = writer.add_outline_item(
                title=groups[part.group], page_number=first_pages[part.key] - 1
            )
        if part.bookmark:
            item = writer.add_outline_item(
                title=part.bookmark,
                page_number=first_pages[part.key] - 1,
                parent=parents.get(part.group or ""),
            )
            _add_bookmarks(writer, part.children, item, first_pages[part.key] - 1)
    for name, embedded in attachments:
        writer.add_attachment(name, embedded)
    writer.add_metadata(metadata)
    writer.page_mode = "/UseOutlines"
    return writer
