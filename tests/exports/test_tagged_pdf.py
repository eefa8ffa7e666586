"""The exported PDF is tagged: one structure tree in page order, photos as figures with their
alt text, links tied to their annotations, and the page furniture marked as artifacts."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary

from accounts.models import User
from portfolio.models import Portfolio
from tests.exports.test_exports import add_evidence, export_now, submit
from tests.files import jpeg_upload, pdf_upload

pytestmark = pytest.mark.django_db


def elements(root: Dictionary) -> list[Dictionary]:
    """Every structure element under root, depth first (document order)."""
    found = []
    kids = root.get("/K", Array())
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, Dictionary) and "/S" in kid and "/MCID" not in kid:
            found.append(kid)
            found += elements(kid)
    return found


def parent_tree(tree: Dictionary) -> dict[int, object]:
    numbers = tree.ParentTree.Nums
    return {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}


@pytest.fixture
def exported(amy: User, asha: User, amy_portfolio: Portfolio) -> bytes:
    photo = add_evidence(amy, amy_portfolio, "Window display", 3, jpeg_upload("display.jpg"))
    submit(amy, photo, {("RS-WWO", "1.1"): "I dressed the window for the autumn launch."})
    add_evidence(amy, amy_portfolio, "Store walk", 4, pdf_upload("walk.pdf"))
    _, pdf = export_now(asha, amy_portfolio)
    return pdf.data


def test_pdfinfo_reports_the_export_tagged(exported: bytes) -> None:
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "pdfinfo (poppler-utils) is needed: .ci/run installs it"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.pdf"
        path.write_bytes(exported)
        output = subprocess.run(  # noqa: S603 - a fixed program on our own file
            [pdfinfo, str(path)], capture_output=True, text=True, check=True
        )
    assert re.search(r"^Tagged:\s+yes$", output.stdout, re.M), output.stdout


def test_one_structure_tree_covers_the_portfolios_own_pages_in_order(exported: bytes) -> None:
    with pikepdf.open(io.BytesIO(exported)) as document:
        tree = document.Root.StructTreeRoot
        [top] = tree.K
        assert str(top.S) == "/Document" and top.P.objgen == tree.objgen
        found = elements(top)
        # Every element hangs from its parent, and names a page of this document.
        pages = {page.objgen: index for index, page in enumerate(document.pages)}
        for element in found:
            assert element.P.get("/S") is not None or element.P.objgen == tree.objgen
            if "/Pg" in element:
                assert element.Pg.objgen in pages
        first_pages = [pages[e.Pg.objgen] for e in found if "/Pg" in e and str(e.S) == "/H1"]
        # Headings come in the order of the pages they are on: the tree reads as the document.
        assert first_pages == sorted(first_pages) and len(first_pages) > 5
        # The photo is a figure with its alt text naming the evidence and the criterion.
        [figure] = [e for e in found if str(e.S) == "/Figure"]
        assert "Window display" in str(figure.Alt) and "RS-WWO 1.1" in str(figure.Alt)


def test_every_page_and_link_finds_its_own_entry_in_the_parent_tree(exported: bytes) -> None:
    with pikepdf.open(io.BytesIO(exported)) as document:
        tree = document.Root.StructTreeRoot
        entries = parent_tree(tree)
        assert int(tree.ParentTreeNextKey) == max(entries) + 1
        page_keys = [int(p.obj.StructParents) for p in document.pages if "/StructParents" in p.obj]
        link_keys = [
            int(annotation.StructParent)
            for page in document.pages
            for annotation in page.obj.get("/Annots", Array())
            if "/StructParent" in annotation
        ]
        # Numbers shifted part by part: none used twice, every one in the tree.
        assert len(set(page_keys + link_keys)) == len(page_keys + link_keys)
        assert set(page_keys + link_keys) <= set(entries)
        # A link's entry is the /Link element that holds its annotation.
        for page in document.pages:
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    element = entries[int(annotation.StructParent)]
                    assert str(element.S) == "/Link"
                    objects = [k.Obj.objgen for k in element.K if isinstance(k, Dictionary)]
                    assert annotation.objgen in objects


def test_the_header_and_footer_are_artifacts_on_every_page(exported: bytes) -> None:
    with pikepdf.open(io.BytesIO(exported)) as document:
        for page in document.pages:
            instructions = pikepdf.parse_content_stream(page)
            operators = [str(operator) for _, operator in instructions]
            # The last drawing on the page is the furniture, inside an artifact.
            artifact = max(i for i, (ops, op) in enumerate(instructions) if str(op) == "BDC")
            assert str(instructions[artifact].operands[0]) == "/Artifact"
            assert operators[artifact:].count("Do") == 2 and operators[-1] == "EMC"
