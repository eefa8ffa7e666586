"""Sections rendered together, as one WeasyPrint document, come back as the PDFs each would
have been alone: their own pages, their own anchors, tagged, and nothing of the batch."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pypdf import PdfReader

from exports.pdf.assemble import Part, named_destinations
from exports.pdf.fetcher import ExportFetcher
from exports.pdf.render import MARK, render_html, render_many
from portfolio.models import Portfolio

pytestmark = pytest.mark.django_db

HEAD = '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>T</title></head>'


def page(body: str, head: str = HEAD) -> str:
    return f"{head}<body>{body}</body></html>"


def texts(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_each_section_gets_its_own_pages_anchors_and_tags(amy_portfolio: Portfolio) -> None:
    long = "".join(f"<p>Line {n} of the long section.</p>" for n in range(120))
    htmls = [
        page('<h1>First</h1><div id="evidence-anchor-1">One page.</div>'),
        page(f"<h1>Second</h1>{long}"),
        page('<h1>Third</h1><div id="mapping-9">Last.</div>'),
    ]
    fetcher = ExportFetcher(amy_portfolio)

    pdfs = render_many(htmls, fetcher)

    alone = [len(PdfReader(io.BytesIO(render_html(html, fetcher))).pages) for html in htmls]
    assert [len(texts(pdf)) for pdf in pdfs] == alone
    assert alone[1] > 1  # the long one runs over pages, and stays whole
    assert texts(pdfs[0])[0].startswith("First")
    assert texts(pdfs[1])[0].startswith("Second") and "Line 119" in texts(pdfs[1])[-1]
    assert texts(pdfs[2]) == ["Third Last."]
    # Each keeps its own ids as anchors; the batch's marks are gone.
    assert Part("evidence-x", pdfs[0]).anchors == {"evidence-anchor-1": 0}
    assert Part("evidence-y", pdfs[2]).anchors == {"mapping-9": 0}
    for pdf in pdfs:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            assert not [name for name in named_destinations(document) if MARK in name]
            assert "/StructTreeRoot" in document.Root


def test_sections_with_different_heads_are_rendered_one_by_one(amy_portfolio: Portfolio) -> None:
    other = HEAD.replace("<title>T</title>", "<title>T</title><style>p { color: red }</style>")
    pdfs = render_many(
        [page("<p>Plain.</p>"), page("<p>Red.</p>", other)], ExportFetcher(amy_portfolio)
    )

    assert [texts(pdf) for pdf in pdfs] == [["Plain."], ["Red."]]
