"""Stitching rendered parts into one PDF with pikepdf (qpdf): pages, the structure tree that
makes the document tagged, live links between parts, bookmarks, embedded files.

Every part WeasyPrint rendered is tagged: it has a structure tree (headings, paragraphs,
tables, figures with alt text) tied to its pages by marked content and to its links by
/StructParent numbers. The parts' trees become one tree under one /Document element, each
part's numbers shifted past the previous part's, so a screen reader reads the document in
page order. Uploaded PDFs appended in full carry no tags of ours (their pages are drawn as
they were uploaded).

The page furniture is drawn on afterwards (exports.pdf.stamp), once the page count is known.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf

from exports.pdf.appendix import Bookmark

# Links in the front matter point here; they are rewritten into jumps to the section's page.
LINK_PREFIX = "https://export.invalid/goto/"
# Parts whose element ids are places links land on: evidence sections (each mapping's
# commentary has an id, so the criterion index opens the commentary itself) and the progress
# summary (the contents opens its summative sign-off).
ANCHORED = ("evidence-", "summary")


def named_destinations(pdf: Pdf) -> dict[str, int]:
    """Each named destination of the document and its 0-based page."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found = {}
    for name, destination in pikepdf.NameTree(names.Dests).items():
        target = (
            destination.get("/D", destination)
            if isinstance(destination, Dictionary)
            else (destination)
        )
        if isinstance(target, Array) and len(target) and target[0].objgen in pages:
            found[str(name)] = pages[target[0].objgen]
    return found


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
        with Pdf.open(io.BytesIO(self.pdf)) as document:
            self.pages = len(document.pages)
            self.anchors = named_destinations(document) if self.key.startswith(ANCHORED) else {}


class Paged(Protocol):
    """Anything with a key, a length and anchors: a part, or one not rendered yet."""

    key: str
    pages: int
    anchors: dict[str, int]


def page_numbers(parts: Sequence[Paged], first_page: int) -> tuple[dict[str, int], int]:
    """The 1-based page of each part's start, and of each anchor inside a part, when the body
    starts at first_page; and the last page."""
    numbers, page = {}, first_page
    for part in parts:
        numbers[part.key] = page
        for name, offset in part.anchors.items():
            numbers[name] = page + offset
        page += part.pages
    return numbers, page - 1


class _StructureTree:
    """The document's one structure tree, built from the parts' trees as they are appended."""

    def __init__(self, document: Pdf) -> None:
        self.document = document
        self.root = document.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.top = document.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root, K=Array())
        )
        self.root.K = Array([self.top])
        self.numbers = Array()
        self.next_key = 0
        self.tagged = False

    def add(self, source: Pdf, first_page: int) -> None:
        """Take in the tree of source, whose pages were appended from first_page on."""
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            return
        self.tagged = True
        # Copied after its pages, so references to them land on the copies already made.
        copied = self.document.copy_foreign(tree)
        if "/Namespaces" in copied and "/Namespaces" not in self.root:
            self.root.Namespaces = copied.Namespaces
        offset = self.next_key
        highest = -1
        for key, value in _number_tree(copied.get("/ParentTree")):
            self.numbers.append(key + offset)
            self.numbers.append(value)
            highest = max(highest, key)
        for page in self.document.pages[first_page:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        self.next_key = offset + highest + 1
        kids = copied.get("/K", Array())
        for element in kids if isinstance(kids, Array) else [kids]:
            # Each part's own /Document element: its children join ours.
            children = element.get("/K", Array()) if element.get("/S") == Name.Document else None
            for child in children if isinstance(children, Array) else [element]:
                if isinstance(child, Dictionary):
                    child.P = self.top
                self.top.K.append(child)

    def finish(self) -> None:
        if not self.tagged:
            return
        self.root.ParentTree = self.document.make_indirect(Dictionary(Nums=self.numbers))
        self.root.ParentTreeNextKey = self.next_key
        self.document.Root.StructTreeRoot = self.root
        self.document.Root.MarkInfo = Dictionary(Marked=True)


def _number_tree(tree: object) -> list[tuple[int, object]]:
    """A number tree's entries (flat /Nums, or /Kids of them), in order."""
    if not isinstance(tree, Dictionary):
        return []
    entries = []
    numbers = tree.get("/Nums", Array())
    for index in range(0, len(numbers) - 1, 2):
        entries.append((int(numbers[index]), numbers[index + 1]))
    for kid in tree.get("/Kids", Array()):
        entries += _number_tree(kid)
    return entries


def _rewrite_links(document: Pdf, first_pages: dict[str, int]) -> None:
    """Turn the front matter's placeholder links into jumps to each part's first page."""
    for page in document.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            if action is None:
                continue
            uri = action.get("/URI")
            if uri is None or not str(uri).startswith(LINK_PREFIX):
                continue
            target = first_pages.get(str(uri).removeprefix(LINK_PREFIX))
            if target is None:
                continue
            annotation.A = Dictionary(
                S=Name.GoTo, D=Array([document.pages[target - 1].obj, Name.Fit])
            )


def _outline_items(bookmarks: list[Bookmark], first: int) -> list[OutlineItem]:
    items = []
    for bookmark in bookmarks:
        item = OutlineItem(bookmark.title, first + bookmark.page)
        item.children.extend(_outline_items(bookmark.children, first))
        items.append(item)
    return items


def _add_outline(
    document: Pdf, parts: list[Part], first_pages: dict[str, int], groups: dict[str, str]
) -> None:
    """Bookmarks: one per part that has one, filed under its group's, with a part's own
    bookmarks (an appended PDF's) nested under it."""
    with document.open_outline() as outline:
        parents: dict[str, OutlineItem] = {}
        for part in parts:
            first = first_pages[part.key] - 1
            if part.group and part.group not in parents:
                parents[part.group] = OutlineItem(groups[part.group], first)
                outline.root.append(parents[part.group])
            if part.bookmark:
                item = OutlineItem(part.bookmark, first)
                item.children.extend(_outline_items(part.children, first))
                if part.group:
                    parents[part.group].children.append(item)
                else:
                    outline.root.append(item)


@dataclass
class Assembly:
    """The document being made, and the PDFs its pages came from: qpdf reads their streams
    only when the document is saved, so they stay open until then."""

    document: Pdf
    sources: list[Pdf] = field(default_factory=list)

    def open(self, data: bytes) -> Pdf:
        """A PDF to take pages or drawings from, kept open with the document."""
        source = Pdf.open(io.BytesIO(data))
        self.sources.append(source)
        return source

    def close(self) -> None:
        for source in self.sources:
            source.close()
        self.document.close()


def assemble(
    parts: list[Part],
    *,
    attachments: list[tuple[str, bytes]],
    groups: dict[str, str],
) -> Assembly:
    """The parts as one document, with its structure tree, links, bookmarks (grouped) and
    attachments."""
    assembly = Assembly(Pdf.new())
    document = assembly.document
    tree = _StructureTree(document)
    first_pages: dict[str, int] = {}
    for part in parts:
        first_pages[part.key] = len(document.pages) + 1
        for name, offset in part.anchors.items():
            first_pages[name] = first_pages[part.key] + offset
        source = assembly.open(part.pdf)
        document.pages.extend(source.pages)
        tree.add(source, first_pages[part.key] - 1)
    tree.finish()
    _rewrite_links(document, first_pages)
    _add_outline(document, parts, first_pages, groups)
    for name, data in attachments:
        document.attachments[name] = pikepdf.AttachedFileSpec(document, data, filename=name)
    return assembly
