"""An uploaded PDF made fit to append to the portfolio, faithfully and safely.

Each uploaded page, whatever its size or rotation, is placed whole inside the content area of a
fresh A4 page, the same area the portfolio's own pages print in, so the running header and
footer stamped later never fall on it or off the page. Only what the page shows is carried:
its content and, drawn into it first, the appearance of its form fields and other printable
annotations, so no live field, JavaScript, launch, submit-form or other action survives; the
new document is built from those pages alone. The file's own bookmarks are read and nested
under its appendix bookmark, and the files attached to it are carried as attachments of the
portfolio. A file that needs repairs is opened by qpdf, which repairs what it can.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Pdf, Rectangle
from pypdf import PdfReader
from pypdf.generic import Destination

logger = logging.getLogger(__name__)

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
# The portfolio's page margins (static/css/pdf.css @page): header above, footer below.
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 22 * MM, 18 * MM, 20 * MM, 18 * MM
# Room kept on an appendix's first page for its heading (exports/pdf/appendix_heading.html).
HEADING = 34 * MM
# Bookmarks of an uploaded file deeper than this are left out: a reader's panel stays usable.
OUTLINE_DEPTH = 4


class AppendixUnreadable(Exception):
    """The uploaded file could not be opened even with repairs."""


@dataclass
class Bookmark:
    title: str
    page: int  # 0-based, within the appendix
    children: list[Bookmark] = field(default_factory=list)


@dataclass
class Appendix:
    pdf: bytes
    pages: int
    bookmarks: list[Bookmark]
    attachments: list[tuple[str, bytes]]


def content_area(*, first: bool) -> Rectangle:
    """Where an uploaded page is placed on an A4 page (below the heading on the first)."""
    top = A4[1] - MARGIN_TOP - (HEADING if first else 0)
    return Rectangle(MARGIN_LEFT, MARGIN_BOTTOM, A4[0] - MARGIN_RIGHT, top)


def page_count(uploaded: bytes) -> int | None:
    """How many pages the uploaded PDF has, or None if it cannot be opened, even repaired."""
    try:
        with Pdf.open(io.BytesIO(uploaded)) as source:
            return len(source.pages)
    except pikepdf.PdfError:
        return None


def prepare(uploaded: bytes, heading: Callable[[int], bytes]) -> Appendix:
    """The uploaded PDF as A4 pages for the portfolio, the first under a heading saying whose
    evidence this is (`heading(page_count)`: a one-page A4 PDF that keeps to the top HEADING),
    with its bookmarks and attachments."""
    try:
        source = Pdf.open(io.BytesIO(uploaded))
    except pikepdf.PdfError as error:
        raise AppendixUnreadable(str(error)) from error
    attachments = _attachments(source)
    # Draw printable annotations (filled-in form fields, stamps) into the page content; what
    # is not drawn is not carried.
    try:
        source.flatten_annotations("print")
    except pikepdf.PdfError as error:
        logger.info("Annotations of an appended PDF could not be flattened: %s", error)
    output = Pdf.open(io.BytesIO(heading(len(source.pages))))
    del output.pages[1:]
    for index, page in enumerate(source.pages):
        if index:
            output.add_blank_page(page_size=A4)
        area = content_area(first=index == 0)
        output.pages[index].add_overlay(page, area)
        _outline(output, output.pages[index], _fitted(page, area))
    _drop_document_actions(output)
    buffer = io.BytesIO()
    output.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return Appendix(
        pdf=buffer.getvalue(),
        pages=len(source.pages),
        bookmarks=_bookmarks(uploaded),
        attachments=attachments,
    )


def _fitted(page: pikepdf.Page, area: Rectangle) -> Rectangle:
    """Where the page lands in the area: as large as fits, centred, as a reader shows it."""
    box = Rectangle(page.cropbox)
    width, height = float(box.width), float(box.height)
    if int(page.obj.get("/Rotate", 0)) % 180:
        width, height = height, width
    scale = min(float(area.width) / width, float(area.height) / height)
    left = float(area.llx) + (float(area.width) - width * scale) / 2
    bottom = float(area.lly) + (float(area.height) - height * scale) / 2
    return Rectangle(left, bottom, left + width * scale, bottom + height * scale)


def _outline(pdf: Pdf, page: pikepdf.Page, frame: Rectangle) -> None:
    """A hairline round the uploaded page, so a reader sees where it begins and ends."""
    drawing = (
        f"q 0.6 0.6 0.6 RG 0.5 w {float(frame.llx):.2f} {float(frame.lly):.2f} "
        f"{float(frame.width):.2f} {float(frame.height):.2f} re S Q"
    ).encode()
    page.contents_add(pdf.make_stream(drawing), prepend=False)


def _drop_document_actions(pdf: Pdf) -> None:
    """The heading page comes from our own renderer, but nothing should open, run or submit."""
    for key in ("/OpenAction", "/AA", "/AcroForm", "/Names"):
        if key in pdf.Root:
            del pdf.Root[key]


def _attachments(source: Pdf) -> list[tuple[str, bytes]]:
    carried = []
    try:
        for name, spec in source.attachments.items():
            carried.append((name, spec.get_file().read_bytes()))
    except (pikepdf.PdfError, KeyError, AttributeError, ValueError) as error:
        logger.info("Attachments of an appended PDF could not all be read: %s", error)
    return carried


def _bookmarks(uploaded: bytes) -> list[Bookmark]:
    """The file's own outline, as far as it can be read; an unreadable outline is left out."""
    try:
        reader = PdfReader(io.BytesIO(uploaded), strict=False)
        return _outline_level(reader, reader.outline, depth=1)
    except Exception as error:  # a broken outline costs only the bookmarks
        logger.info("The outline of an appended PDF could not be read: %s", error)
        return []


def _outline_level(reader: PdfReader, items: list, depth: int) -> list[Bookmark]:
    bookmarks: list[Bookmark] = []
    for item in items:
        if isinstance(item, list):
            if bookmarks and depth < OUTLINE_DEPTH:
                bookmarks[-1].children = _outline_level(reader, item, depth + 1)
            continue
        if not isinstance(item, Destination):
            continue
        page = reader.get_destination_page_number(item)
        if page is None or page < 0:
            continue
        bookmarks.append(
            Bookmark(title=str(item.title or "").strip()[:200] or "Untitled", page=page)
        )
    return bookmarks
