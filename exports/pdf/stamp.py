"""Page furniture: the running header, and a footer of the verification code and "Page X of Y",
drawn on every page at the end, once the page count is known.

Both are drawn by WeasyPrint, so they match the sections' type, in two overlays: the header
and page numbers (one page per page of the document, cached: they change only with the
header or the page count), and the verification code (one page, made for every export and
drawn on every page). Each page shows them as form XObjects, marked as pagination artifacts
so a screen reader does not read them out on every page.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from pikepdf import Name

from exports.pdf.assemble import Assembly
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.render import Section, cached_sections, render_html


def code_overlay(code: str, fetcher: ExportFetcher) -> bytes:
    """One page carrying only the footer's verification code, where every page shows it."""
    html = render_to_string(
        "exports/pdf/page_furniture.html",
        # Inside a CSS string: the code is letters, digits and hyphens, and nothing else passes.
        {"code": "".join(c for c in code if c.isalnum() or c == "-"), "pages": range(1)},
    )
    return render_html(html, fetcher, tagged=False)


def stamp(
    assembly: Assembly, *, header: str, code: str, portfolio_id: int, fetcher: ExportFetcher
) -> str:
    """Draw the page furniture on every page of the document; returns the cache name of the
    header and page numbers overlay."""
    document = assembly.document
    [numbered] = cached_sections(
        portfolio_id,
        [
            Section(
                None,
                "exports/pdf/page_furniture.html",
                {"header": header, "pages": range(len(document.pages))},
            )
        ],
        fetcher,
        tagged=False,
    )
    numbers = assembly.open(numbered.pdf)
    coded = assembly.open(code_overlay(code, fetcher))
    code_form = document.copy_foreign(coded.make_indirect(coded.pages[0].as_form_xobject()))
    for page, furniture in zip(document.pages, numbers.pages, strict=True):
        form = document.copy_foreign(numbers.make_indirect(furniture.as_form_xobject()))
        numbers_name = page.add_resource(form, Name.XObject, prefix="Furniture")
        code_name = page.add_resource(code_form, Name.XObject, prefix="Code")
        # The page's own drawing keeps its graphics state to itself; the furniture goes on top.
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(
            b"\nQ\n/Artifact <</Type /Pagination>> BDC q "
            + bytes(numbers_name.unparse())
            + b" Do "
            + bytes(code_name.unparse())
            + b" Do Q EMC\n"
        )
    return numbered.name
