"""With EXPORT_RENDER_PROCESSES above one, batches are rendered in fresh processes that see
only the HTML and the images fetched for them, and the PDFs are the same as in-process."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from pypdf import PdfReader

from exports.pdf import render
from exports.pdf.fetcher import ExportFetcher, RefusedURL, StoredFetcher, images_of
from portfolio.models import Portfolio
from tests.exports.test_render_batch import page, texts

pytestmark = pytest.mark.django_db


def test_batches_rendered_in_processes_match_those_rendered_here(
    amy_portfolio: Portfolio,
) -> None:
    batches = [[page(f"<h1>Batch {b} section {s}</h1>") for s in range(2)] for b in range(3)]
    fetcher = ExportFetcher(amy_portfolio)
    finished: list[int] = []
    got: dict[int, list[bytes]] = {}

    def done(index: int, pdfs: list[bytes]) -> None:
        finished.append(index)
        got[index] = pdfs

    with override_settings(EXPORT_RENDER_PROCESSES=2):
        render.render_batches(batches, fetcher, done=done)

    assert finished == [0, 1, 2]
    assert [[texts(pdf) for pdf in got[b]] for b in range(3)] == [
        [[f"Batch {b} section {s}"] for s in range(2)] for b in range(3)
    ]
    assert all(len(PdfReader(io.BytesIO(pdf)).pages) == 1 for b in got for pdf in got[b])


def test_a_render_process_fetches_only_what_it_was_given(amy_portfolio: Portfolio) -> None:
    fetcher = StoredFetcher({"export:image/7": (b"\xff\xd8", "image/jpeg")})

    assert fetcher.fetch("export:image/7").read() == b"\xff\xd8"
    assert b"@page" in fetcher.fetch("export:pdf.css").read()
    for url in ["export:image/8", "file:///etc/passwd", "https://example.org/x.png"]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    # What it is given comes through the portfolio's own fetcher, which refuses the rest.
    with pytest.raises(RefusedURL):
        images_of('<img src="export:image/999999">', ExportFetcher(amy_portfolio))
