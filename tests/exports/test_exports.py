"""The printable PDF portfolio: what it holds, how it is put together, who may fetch it and how
anyone holding it checks it is genuine.

Most tests read PDFs of one fully worked portfolio, built once for the module (WeasyPrint
takes seconds a document) inside a transaction that is then rolled back. Amy's portfolio on
the OCR certificate, assessed by Asha and sampled by Iris, holds four pieces of evidence in
date order:

- E1 "Customer feedback board": a photo; RS-WWO 1.1 accepted (its commentary is hostile
  markup, and Iris agreed with the decision), 1.2 referred.
- E2 "Team huddle notes": a text file; RS-WWO 3.1 referred, so accepted-only PDFs leave it out.
- E3 "Witness statement": a two-page PDF (appended) and a text file (embedded); RS-WWO 2.1
  accepted.
- E4 "Service plan": a text file; all four RS-PDR criteria accepted, then the unit declared by
  Amy and signed off by Asha.

Tests that change things or use the pages build a smaller portfolio of their own.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import dateformat, timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject
from weasyprint import HTML

from accounts.models import Role, User
from assessment import services as assessment_services
from assessment.models import UnitDeclaration, UnitSignOff
from assessment.services import DecisionRequest, Vacsr
from exports import services as export_services
from exports.models import ExportScope, ExportState, PortfolioExport
from exports.pdf import render
from exports.pdf import sections as exports
from exports.pdf.assemble import LINK_PREFIX
from exports.pdf.fetcher import ExportFetcher, RefusedURL
from portfolio import services
from portfolio.models import Evidence, EvidenceType, Mapping, Portfolio
from qualifications.models import AssessmentCriterion, Qualification, Unit
from tests import cast
from tests.catalogue import OCR, criterion
from tests.factories import CentreFactory, PortfolioFactory
from tests.files import jpeg_upload, stored_bytes, text_upload

pytestmark = pytest.mark.django_db

# The site address (SITE_URL) the whole PDF is made under: its cover links to /verify/ there.
PDF_SITE_URL = "https://portfolio.northgate.example:8101"

HOSTILE = (
    'I ran the board for a month. <b>bold</b> <img src="http://127.0.0.1:9/x.png"> '
    "<style>body{display:none}</style>"
)
BOARD_REFERRED_COMMENTARY = "I raised the queue problem at the Monday team meeting."
BOARD_ACCEPT_FEEDBACK = "The board and the results it gathered are clear."
BOARD_REFER_FEEDBACK = "Name the colleagues you worked with and what each of them did."
HUDDLE_COMMENTARY = "I shared the weekly mystery shopper scores at each huddle."
HUDDLE_REFER_FEEDBACK = "Show the scores and the action the team agreed."
WITNESS_COMMENTARY = "My supervisor's statement describes how I assessed my own sales."
WITNESS_FEEDBACK = "The witness statement confirms how you judged your own sales."
WITNESS_AUTHENTIC = "I rang the supervisor, who confirmed writing the statement."
IQA_FEEDBACK = "Sound decision: the photo shows the board in use."
PDR_NUMBERS = ["1.1", "1.2", "2.1", "3.1"]
TITLES = ["Customer feedback board", "Team huddle notes", "Witness statement", "Service plan"]
QUALIFICATION = "OCR Level 3 Certificate in Retail Skills (Sales Professional) (QCF)"
WWO = "Unit RS-WWO: Work with others to improve customer service"
PDR = "Unit RS-PDR: Plan, deliver and review reliable customer service"
CHANGED = "The portfolio has changed since its last PDF was made."
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


# Building portfolios -------------------------------------------------------------------------


def two_page_pdf() -> bytes:
    return HTML(
        string=(
            "<p style='break-after: page'>Witness page one: Amy assessed her own sales.</p>"
            "<p>Witness page two: signed by the store supervisor.</p>"
        )
    ).write_pdf()


def add_evidence(amy: User, portfolio: Portfolio, title: str, day: int, *files: Any) -> Evidence:
    evidence = services.evidence_create(
        actor=amy,
        portfolio=portfolio,
        type=EvidenceType.PRODUCT,
        title=title,
        activity_date=datetime.date(2025, 10, day),
        description=f"What the {title.lower()} shows.",
    )
    for uploaded in files:
        services.evidence_file_add(actor=amy, evidence=evidence, uploaded=uploaded)
    return evidence


def submit(amy: User, evidence: Evidence, commentaries: dict[tuple[str, str], str]) -> list:
    return services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={criterion(*key): text for key, text in commentaries.items()},
        submit=True,
    )


def decide(asha: User, evidence: Evidence, *decisions: tuple[Mapping, str, str]) -> list:
    return assessment_services.mappings_decide(
        actor=asha,
        evidence=evidence,
        requests=[
            DecisionRequest(
                m.pk,
                outcome,
                feedback,
                None,
                Vacsr.confirmed() if outcome == "accepted" else None,
            )
            for m, outcome, feedback in decisions
        ],
    )


def add_board(amy: User, asha: User, portfolio: Portfolio) -> tuple[Evidence, list]:
    """E1: a photo; RS-WWO 1.1 accepted with hostile commentary, 1.2 referred."""
    board = add_evidence(amy, portfolio, TITLES[0], 1, jpeg_upload())
    accept, refer = submit(
        amy, board, {("RS-WWO", "1.1"): HOSTILE, ("RS-WWO", "1.2"): BOARD_REFERRED_COMMENTARY}
    )
    decisions = decide(
        asha,
        board,
        (accept, "accepted", BOARD_ACCEPT_FEEDBACK),
        (refer, "referred", BOARD_REFER_FEEDBACK),
    )
    return board, decisions


def add_huddle(amy: User, asha: User, portfolio: Portfolio) -> Evidence:
    """E2: a text file; RS-WWO 3.1 accepted but not confirmed sufficient, so referred."""
    huddle = add_evidence(amy, portfolio, TITLES[1], 8, text_upload("huddles.txt"))
    (mapping,) = submit(amy, huddle, {("RS-WWO", "3.1"): HUDDLE_COMMENTARY})
    not_sufficient = Vacsr(
        valid=True,
        authentic=True,
        current=True,
        reliable=True,
        notes={"sufficient": HUDDLE_REFER_FEEDBACK},
    )
    assessment_services.mappings_decide(
        actor=asha,
        evidence=huddle,
        requests=[DecisionRequest(mapping.pk, "accepted", "", None, not_sufficient)],
    )
    return huddle


def work_the_portfolio(amy: User, asha: User, iris: User, portfolio: Portfolio) -> Unit:
    """All four pieces of evidence, RS-PDR declared and signed off, and one IQA review."""
    _, (accepted_on_board, _) = add_board(amy, asha, portfolio)
    add_huddle(amy, asha, portfolio)
    witness = add_evidence(
        amy,
        portfolio,
        TITLES[2],
        14,
        SimpleUploadedFile("witness statement.pdf", two_page_pdf(), "application/pdf"),
        text_upload("shift notes.txt", "Tills 1 and 2, Saturday.\n"),
    )
    (mapping,) = submit(amy, witness, {("RS-WWO", "2.1"): WITNESS_COMMENTARY})
    assessment_services.mappings_decide(
        actor=asha,
        evidence=witness,
        requests=[
            DecisionRequest(
                mapping.pk,
                "accepted",
                WITNESS_FEEDBACK,
                None,
                Vacsr.confirmed(authentic=WITNESS_AUTHENTIC),
            )
        ],
    )

    plan = add_evidence(amy, portfolio, TITLES[3], 20, text_upload("plan.txt"))
    mappings = submit(
        amy, plan, {("RS-PDR", n): f"My service plan covers {n}." for n in PDR_NUMBERS}
    )
    decide(asha, plan, *[(m, "accepted", "") for m in mappings])
    pdr = mappings[0].criterion.unit
    assessment_services.unit_declare(actor=amy, portfolio=portfolio, unit=pdr)
    assessment_services.unit_sign_off(actor=asha, portfolio=portfolio, unit=pdr)
    assessment_services.iqa_review_record(
        actor=iris, decision=accepted_on_board, verdict="agree", feedback=IQA_FEEDBACK
    )
    return pdr


def clear_section_cache(portfolio: Portfolio) -> None:
    folder = f"export-cache/{portfolio.pk}"
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def export_now(
    actor: User, portfolio: Portfolio, scope: str = ExportScope.WHOLE, unit: Unit | None = None
) -> tuple[PortfolioExport, Pdf]:
    """Ask for a PDF, let the task build it as the request commits, and read it back."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = export_services.export_request(
            actor=actor, portfolio=portfolio, scope=scope, unit=unit
        )
    export.refresh_from_db()
    assert export.state == ExportState.DONE, export.error
    return export, Pdf.read(stored_bytes(export.file.name))


def ready_export(portfolio: Portfolio, by: User, state: str = ExportState.DONE) -> PortfolioExport:
    """An export row with a small stored PDF, for pages where the rendering does not matter."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    export = PortfolioExport(
        portfolio=portfolio,
        requested_by=by,
        state=state,
        progress=100 if state == ExportState.DONE else 0,
        verification_code=export_services.new_verification_code(),
        size=len(data),
        pages=1,
        sha256=hashlib.sha256(data).hexdigest(),
        finished_at=timezone.now(),
    )
    export.file.save("ready.pdf", ContentFile(data), save=False)
    export.save()
    return export


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


# Reading a PDF back --------------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Pdf:
    data: bytes = field(repr=False)
    reader: PdfReader = field(repr=False)
    pages: list[str] = field(repr=False)

    @classmethod
    def read(cls, data: bytes) -> Pdf:
        reader = PdfReader(io.BytesIO(data))
        return cls(data, reader, [page.extract_text() for page in reader.pages])

    @property
    def text(self) -> str:
        return flat(" ".join(self.pages))

    def between(self, first: int, stop: int) -> str:
        """The text of pages first to stop - 1 (1-based)."""
        return flat(" ".join(self.pages[first - 1 : stop - 1]))

    def bookmarks(self) -> dict[str, int]:
        """Every outline item's title and the 1-based page it opens."""
        found: dict[str, int] = {}

        def walk(items: list) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    found[item.title] = self.reader.get_destination_page_number(item) + 1

        walk(self.reader.outline)
        return found

    @property
    def front_pages(self) -> int:
        """Cover, contents, summary and index: everything before the first unit."""
        return self.bookmarks()["Units"] - 1

    def body_text(self) -> str:
        """Everything before the appendix of embedded files and the audit timeline."""
        [files] = [page for title, page in self.bookmarks().items() if title.endswith("files")]
        return self.between(1, files)

    def pages_starting(self, heading: str) -> list[int]:
        return [n for n, text in enumerate(self.pages, start=1) if flat(text).startswith(heading)]

    def link_targets(self, page_number: int) -> list[int | str]:
        """Where each link on the page goes: a page number, or the URI it opens."""
        numbers = {p.indirect_reference.idnum: n for n, p in enumerate(self.reader.pages, 1)}
        targets: list[int | str] = []
        for ref in self.reader.pages[page_number - 1].get("/Annots", []) or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            action = action.get_object() if action is not None else {}
            if "/URI" in action:
                targets.append(str(action["/URI"]))
                continue
            destination = action.get("/D") if action else annotation.get("/Dest")
            if isinstance(destination, str):
                destination = self.reader.named_destinations[destination]
                targets.append(self.reader.get_destination_page_number(destination) + 1)
            elif isinstance(destination, ArrayObject):
                targets.append(numbers[destination[0].idnum])
        return targets

    def link_actions(self, page_number: int) -> list[str]:
        """The kind of action (/GoTo, /URI, ...) of each link on the page."""
        annotations = self.reader.pages[page_number - 1].get("/Annots", []) or []
        return [
            str(annotation.get_object()["/A"].get_object()["/S"])
            for annotation in annotations
            if "/A" in annotation.get_object()
        ]

    def contents_page(self, label: str) -> int:
        """The page number the contents gives for an entry such as "E1 Customer feedback board"."""
        match = re.search(rf"\b{re.escape(label)} (\d+)\b", flat(self.pages[1]))
        assert match, self.pages[1]
        return int(match[1])

    def index_entries(self) -> dict[str, list[int]]:
        """The criterion index's "E<n> <title> (<status>), page <p>" entries: label → pages."""
        front = self.between(1, self.front_pages + 1)
        entries: dict[str, list[int]] = {}
        for label, title, page in re.findall(
            r"\b(E\d+) ([^()]+?) \((?:accepted|referred|submitted|draft)\), page (\d+)", front
        ):
            entries.setdefault(f"{label} {title}", []).append(int(page))
        return entries


# The worked portfolio, exported once for the module ------------------------------------------


@dataclass(repr=False)
class Built:
    whole: Pdf
    whole_export: PortfolioExport
    unit: Pdf
    accepted: Pdf
    declaration: str
    sign_off: str
    criteria: list[str]
    network: list[object]


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[Built]:
    attempts: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("rendering a PDF must not use the network")

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_qualifications", stdout=io.StringIO())
        centre = CentreFactory(name="Northgate Training")
        amy = cast.person(centre, "Amy Archer", Role.LEARNER)
        asha = cast.person(centre, "Asha Patel", Role.ASSESSOR)
        tom = cast.person(centre, "Tom Reid", Role.TUTOR)
        iris = cast.person(centre, "Iris Okafor", Role.IQA)
        portfolio = PortfolioFactory(
            learner=amy,
            qualification=Qualification.objects.get(reference=OCR),
            assessor=asha,
            tutor=tom,
        )
        clear_section_cache(portfolio)
        pdr = work_the_portfolio(amy, asha, iris, portfolio)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(socket.socket, "connect", no_network)
            patch.setattr(socket.socket, "connect_ex", no_network)
            patch.setattr(socket, "getaddrinfo", no_network)
            with override_settings(SITE_URL=PDF_SITE_URL):
                whole_export, whole = export_now(asha, portfolio)
        # Made straight after the whole PDF, each reusing the sections it has in common.
        _, unit = export_now(asha, portfolio, ExportScope.UNIT, pdr)
        _, accepted = export_now(asha, portfolio, ExportScope.ACCEPTED)
        clear_section_cache(portfolio)

        built = Built(
            whole=whole,
            whole_export=whole_export,
            unit=unit,
            accepted=accepted,
            declaration=UnitDeclaration.objects.get(portfolio=portfolio, unit=pdr).wording,
            sign_off=UnitSignOff.objects.get(portfolio=portfolio, unit=pdr).wording,
            criteria=[
                f"{c.number} {flat(c.text)}"
                for c in AssessmentCriterion.objects.filter(
                    unit__qualification_links__qualification=portfolio.qualification
                )
            ],
            network=attempts,
        )
        transaction.set_rollback(True)
    yield built


# What the PDF says ---------------------------------------------------------------------------


def test_the_pdf_holds_the_learners_commentary(built: Built) -> None:
    for commentary in (BOARD_REFERRED_COMMENTARY, HUDDLE_COMMENTARY, WITNESS_COMMENTARY):
        assert commentary in built.whole.text
    for number in PDR_NUMBERS:
        assert f"My service plan covers {number}." in built.whole.text


def test_the_pdf_holds_each_decisions_outcome_feedback_and_assessor(built: Built) -> None:
    for outcome, feedback in (
        ("Accepted", BOARD_ACCEPT_FEEDBACK),
        ("Referred", BOARD_REFER_FEEDBACK),
        ("Referred", f"Not sufficient: {HUDDLE_REFER_FEEDBACK}"),
        ("Accepted", WITNESS_FEEDBACK),
    ):
        decision = rf"{outcome} by Asha Patel, \d+ \w+ \d{{4}}, \d\d:\d\d: {re.escape(feedback)}"
        assert re.search(decision, built.whole.text), feedback


def test_the_pdf_holds_each_acceptances_vacsr_confirmation_and_a_referrals_refusal(
    built: Built,
) -> None:
    text = built.whole.text
    assert (
        f"{WITNESS_FEEDBACK} VACSR confirmed: valid, authentic, current, sufficient, reliable. "
        f"Notes: authentic “{WITNESS_AUTHENTIC}”"
    ) in text
    assert (
        f"Not sufficient: {HUDDLE_REFER_FEEDBACK} VACSR: not sufficient; confirmed valid, "
        "authentic, current, reliable."
    ) in text
    # Every acceptance says so: the board, the witness statement and the four PDR criteria.
    assert text.count("VACSR confirmed: valid, authentic, current, sufficient, reliable.") == 6


def test_the_pdf_holds_the_declaration_and_sign_off_word_for_word(built: Built) -> None:
    unit = built.whole.between(built.whole.bookmarks()[PDR], built.whole.bookmarks()["Evidence"])
    assert f"Learner’s declaration {flat(built.declaration)} Declared by Amy Archer on" in unit
    assert f"Assessor’s sign-off {flat(built.sign_off)} Signed by Asha Patel on" in unit
    assert built.declaration.startswith("I, Amy Archer, declare that the evidence")
    assert built.sign_off.startswith("I, Asha Patel, confirm that I have assessed the evidence")


def test_the_pdf_holds_the_iqa_verdict_and_feedback(built: Built) -> None:
    unit = built.whole.between(built.whole.bookmarks()[WWO], built.whole.bookmarks()[PDR])
    # A table cell may break the line after the hyphen of "RS-WWO".
    assert "Asha Patel’s decision to accept RS-WWO 1.1" in unit.replace("RS- ", "RS-")
    assert "Iris Okafor, " in unit and f"Agree: {IQA_FEEDBACK}" in unit
    assert "Decisions sampled by Iris Okafor" in flat(built.whole.pages[0])


def test_the_criterion_index_lists_every_criterion_with_the_evidence_mapped_to_it(
    built: Built,
) -> None:
    front = built.whole.between(1, built.whole.front_pages + 1)
    assert len(built.criteria) == 11 + 4
    for item in built.criteria:
        assert item in front
    index = built.whole.index_entries()
    # E1 is indexed under both its criteria, E4 under all four RS-PDR criteria.
    assert {label: len(pages) for label, pages in index.items()} == {
        "E1 Customer feedback board": 2,
        "E2 Team huddle notes": 1,
        "E3 Witness statement": 1,
        "E4 Service plan": 4,
    }


def test_the_contents_and_index_give_the_page_each_evidence_item_starts_on(built: Built) -> None:
    index = built.whole.index_entries()
    for number, title in enumerate(TITLES, start=1):
        (page,) = built.whole.pages_starting(f"E{number}. {title}")
        assert built.whole.contents_page(f"E{number} {title}") == page
        assert set(index[f"E{number} {title}"]) == {page}


def test_each_unit_and_evidence_item_has_a_bookmark_opening_its_first_page(built: Built) -> None:
    bookmarks = built.whole.bookmarks()
    for number, title in enumerate(TITLES, start=1):
        assert built.whole.pages_starting(f"E{number}. {title}") == [
            bookmarks[f"E{number}: {title}"]
        ]
    for unit in (WWO, PDR):
        assert built.whole.pages_starting(unit) == [bookmarks[unit]]
        assert (
            built.whole.contents_page(unit.removeprefix("Unit ").replace(":", ""))
            == (bookmarks[unit])
        )


def test_links_in_the_contents_and_index_jump_to_the_pages_they_name(built: Built) -> None:
    pdf = built.whole
    starts = {pdf.contents_page(f"E{n} {title}") for n, title in enumerate(TITLES, start=1)}
    front = [target for page in range(1, pdf.front_pages + 1) for target in pdf.link_targets(page)]
    assert front and all(isinstance(target, int) for target in front), front
    actions = {a for page in range(1, pdf.front_pages + 1) for a in pdf.link_actions(page)}
    assert actions == {"/GoTo"}
    index = {t for page in range(3, pdf.front_pages + 1) for t in pdf.link_targets(page)}
    assert index == starts
    bookmarks = pdf.bookmarks()
    (summary,) = pdf.pages_starting("Progress summary")
    (matrix,) = pdf.pages_starting("Tracking matrix")
    (index_page,) = pdf.pages_starting("Criterion index")
    front_text = enumerate(pdf.pages[: pdf.front_pages], start=1)
    (sign_off,) = [n for n, text in front_text if "Summative sign-off The portfolio" in flat(text)]
    assert set(pdf.link_targets(2)) == starts | {
        summary,
        sign_off,
        index_page,
        matrix,
        bookmarks[WWO],
        bookmarks[PDR],
        bookmarks["Evidence not yet mapped"],
        bookmarks["Appendix: witness statement.pdf"],
        bookmarks["Appendix B: embedded files"],
        bookmarks["Audit timeline"],
    }


def test_no_placeholder_link_is_left_anywhere_in_the_pdf(built: Built) -> None:
    assert b"export.invalid" not in built.whole.data
    for page in range(1, len(built.whole.pages) + 1):
        for target in built.whole.link_targets(page):
            assert not (isinstance(target, str) and target.startswith(LINK_PREFIX))


def test_the_contents_entry_for_the_progress_summary_links_to_it(built: Built) -> None:
    (summary,) = built.whole.pages_starting("Progress summary")
    assert summary in built.whole.link_targets(2)


def test_uploaded_pdfs_are_appended_whole_under_a_heading_with_a_bookmark(built: Built) -> None:
    pdf = built.whole
    first = pdf.bookmarks()["Appendix: witness statement.pdf"]
    heading = flat(pdf.pages[first - 1])
    assert "Appendix A · uploaded PDF from evidence E3, “Witness statement”" in heading
    assert "Appended in full: 2 pages" in heading
    # No page of its own for the heading: the uploaded pages follow it on the same page.
    assert "Witness page one: Amy assessed her own sales." in heading
    assert "Witness page two: signed by the store supervisor." in flat(pdf.pages[first])
    assert pdf.bookmarks()["Appendix B: embedded files"] == first + 2
    assert pdf.contents_page("E3 witness statement.pdf") == first


def test_other_files_are_embedded_as_attachments(built: Built) -> None:
    attachments = built.whole.reader.attachments
    assert sorted(attachments) == ["E2 huddles.txt", "E3 shift notes.txt", "E4 plan.txt"]
    assert attachments["E3 shift notes.txt"] == [b"Tills 1 and 2, Saturday.\n"]
    assert "E3 shift notes.txt" in built.whole.text
    # The photo is printed, not attached; the uploaded PDF is appended, not attached.
    assert not any("photo" in name or ".pdf" in name for name in attachments)


def test_the_pdfs_metadata_names_the_learner_qualification_and_centre(built: Built) -> None:
    metadata = built.whole.reader.metadata
    assert metadata.title == f"Portfolio: Amy Archer, {QUALIFICATION}"
    assert metadata.author == "Northgate Training"
    assert built.whole_export.verification_code in metadata.subject


def test_every_page_says_page_x_of_y_under_a_running_header(built: Built) -> None:
    total = len(built.whole.pages)
    assert total == built.whole_export.pages
    for number, text in enumerate(built.whole.pages, start=1):
        assert f"Page {number} of {total}" in text
        assert f"Amy Archer · {QUALIFICATION}" in text


def test_markup_in_learner_text_is_printed_as_written_not_obeyed(built: Built) -> None:
    (page,) = built.whole.pages_starting("E1. Customer feedback board")
    # The <style> did not hide the section, and the tags are printed as text.
    assert f"Learner’s commentary {HOSTILE} Decisions" in flat(built.whole.pages[page - 1])


def test_a_unit_never_signed_off_does_not_claim_a_sign_off_was_revoked(built: Built) -> None:
    unit = built.whole.between(built.whole.bookmarks()[WWO], built.whole.bookmarks()[PDR])
    assert "The unit has not been signed off." in unit
    assert "revoked" not in unit


def test_a_unit_without_a_declaration_says_there_is_none(built: Built) -> None:
    unit = built.whole.between(built.whole.bookmarks()[WWO], built.whole.bookmarks()[PDR])
    assert "Learner’s declaration None. Assessor’s sign-off" in unit


# What goes in --------------------------------------------------------------------------------


def test_a_one_unit_pdf_holds_only_that_units_criteria_and_evidence(built: Built) -> None:
    body = built.unit.body_text()
    assert "This document Unit RS-PDR" in body
    for number in PDR_NUMBERS:
        assert f"My service plan covers {number}." in body
    assert "RS-WWO" not in body
    for title in TITLES[:3]:
        assert title not in body
    assert set(built.unit.bookmarks()) == {
        "Cover and contents",
        "Progress summary",
        "Criterion index",
        "Tracking matrix",
        "Units",
        PDR,
        "Evidence",
        # Evidence keeps its number from the whole portfolio: the service plan is its fourth.
        "E4: Service plan",
        "Appendix A: embedded files",
    }
    assert built.unit.index_entries() == {
        "E4 Service plan": [built.unit.bookmarks()["E4: Service plan"]] * 4
    }
    assert sorted(built.unit.reader.attachments) == ["E4 plan.txt"]


def test_an_accepted_only_pdf_leaves_out_referred_evidence_and_decisions(built: Built) -> None:
    body = built.accepted.body_text()
    assert "This document Accepted evidence only" in body
    assert TITLES[1] not in body
    assert HUDDLE_COMMENTARY not in body and HUDDLE_REFER_FEEDBACK not in body
    # The board stays for its accepted criterion, without the referred one.
    assert BOARD_ACCEPT_FEEDBACK in body
    assert BOARD_REFERRED_COMMENTARY not in body and BOARD_REFER_FEEDBACK not in body
    sections = [title for title in built.accepted.bookmarks() if re.match(r"E\d+:", title)]
    # The same numbers as in the whole portfolio: E2, the huddle notes, is left out.
    assert sections == ["E1: Customer feedback board", "E3: Witness statement", "E4: Service plan"]
    assert set(built.accepted.index_entries()) == {
        "E1 Customer feedback board",
        "E3 Witness statement",
        "E4 Service plan",
    }
    assert "E2 huddles.txt" not in built.accepted.reader.attachments


@pytest.mark.parametrize("scope", ["unit", "accepted"])
def test_a_pdf_made_after_a_whole_one_heads_each_section_with_the_number_its_index_gives(
    built: Built, scope: str
) -> None:
    pdf: Pdf = getattr(built, scope)
    bookmarks = pdf.bookmarks()
    sections = [title for title in bookmarks if re.match(r"E\d+:", title)]
    assert [pdf.pages_starting(title.replace(":", ".", 1)) for title in sections] == [
        [bookmarks[title]] for title in sections
    ]


# What the renderer may reach -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "export:../../etc/passwd",
        "EXPORT:pdf.css",
    ],
)
def test_the_fetcher_refuses_anything_outside_the_portfolio(
    amy_portfolio: Portfolio, url: str
) -> None:
    with pytest.raises(RefusedURL):
        ExportFetcher(amy_portfolio)(url)


def test_the_fetcher_refuses_images_of_another_portfolio_and_files_that_are_not_images(
    amy: User, ben: User, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    bens = add_evidence(ben, ben_portfolio, "Ben's display", 2, jpeg_upload())
    notes = add_evidence(amy, amy_portfolio, "Notes", 3, text_upload())
    fetcher = ExportFetcher(amy_portfolio)
    for evidence in (bens, notes):
        with pytest.raises(RefusedURL):
            fetcher(f"export:image/{evidence.files.get().pk}")


def test_the_fetcher_serves_the_stylesheet_and_the_portfolios_own_images(
    amy: User, amy_portfolio: Portfolio
) -> None:
    photo = add_evidence(amy, amy_portfolio, "Board", 1, jpeg_upload()).files.get()
    fetcher = ExportFetcher(amy_portfolio)
    assert b"@page" in fetcher("export:pdf.css").read()
    assert fetcher(f"export:image/{photo.pk}").read()[:3] == b"\xff\xd8\xff"


def test_making_a_pdf_never_touches_the_network(built: Built) -> None:
    assert built.network == []
    assert HOSTILE in built.whole.text


# The record kept -----------------------------------------------------------------------------


def test_the_cover_sends_readers_to_verify_on_the_configured_site_address(built: Built) -> None:
    cover = flat(built.whole.pages[0]).replace(" ", "")
    assert f"{PDF_SITE_URL}/verify/" in cover
    assert "127.0.0.1" not in cover


def test_the_export_records_the_files_sha256_size_pages_and_a_verification_code(
    built: Built,
) -> None:
    export = built.whole_export
    assert export.sha256 == hashlib.sha256(built.whole.data).hexdigest()
    assert export.size == len(built.whole.data)
    assert export.pages == len(built.whole.pages)
    assert CODE.match(export.verification_code)
    assert export.progress == 100 and export.stage == "Ready"
    assert export.finished_at is not None
    assert f"Verification code {export.verification_code}" in flat(built.whole.pages[0])


# A smaller portfolio for changes and pages ---------------------------------------------------


@dataclass
class Small:
    portfolio: Portfolio
    board: Evidence
    huddle: Evidence


@pytest.fixture
def small(amy: User, asha: User, amy_portfolio: Portfolio) -> Small:
    """Amy's portfolio with just the board (E1) and the huddle notes (E2)."""
    clear_section_cache(amy_portfolio)
    board, _ = add_board(amy, asha, amy_portfolio)
    huddle = add_huddle(amy, asha, amy_portfolio)
    return Small(amy_portfolio, board, huddle)


def test_a_pdf_after_one_evidence_item_changed_renders_only_that_section_again(
    small: Small, amy: User, asha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_now(asha, small.portfolio)
    services.evidence_update(
        actor=amy, evidence=small.huddle, description="Notes from six Monday huddles."
    )

    rendered: list[str] = []
    reused: list[tuple[str, int | None, bool]] = []
    real_render_many, real_cached = render.render_many, exports.cached_sections

    def spy_render_many(htmls: list[str], fetcher: ExportFetcher, **options: Any) -> list[bytes]:
        # The section each rendered document is: its first heading says which.
        rendered.extend(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1] for html in htmls)
        return real_render_many(htmls, fetcher, **options)

    def spy_cached(portfolio_id: int, sections: list[Any], fetcher: Any, **options: Any) -> Any:
        results = real_cached(portfolio_id, sections, fetcher, **options)
        for section, result in zip(sections, results, strict=True):
            evidence = section.context.get("section")
            reused.append((section.template, evidence and evidence.evidence.pk, result.cached))
        return results

    monkeypatch.setattr(render, "render_many", spy_render_many)
    monkeypatch.setattr(exports, "cached_sections", spy_cached)
    _, pdf = export_now(asha, small.portfolio)

    # The changed evidence section, the audit timeline's last chunk (the change is in it) and
    # the cover (new for every export: its date and code), rendered together.
    small.huddle.refresh_from_db()
    assert [" ".join(heading.split()) for heading in rendered] == [
        f"E{small.huddle.number}. {small.huddle.title}",
        "Audit timeline",
        "Evidence portfolio",
    ]
    assert reused == [
        ("exports/pdf/unit.html", None, True),
        ("exports/pdf/unit.html", None, True),
        ("exports/pdf/evidence.html", small.board.pk, True),
        ("exports/pdf/evidence.html", small.huddle.pk, False),
        ("exports/pdf/unmapped.html", None, True),
        ("exports/pdf/audit_chunk.html", None, False),
        ("exports/pdf/front_cover.html", None, False),
        ("exports/pdf/front_summary.html", None, True),
        ("exports/pdf/front_matrix.html", None, True),
        ("exports/pdf/audit.html", None, True),
    ]
    assert "Notes from six Monday huddles." in pdf.text


def test_the_pdf_page_warns_only_once_the_portfolio_has_changed_since_the_last_pdf(
    small: Small, amy: User, asha: User, client: Client
) -> None:
    export_now(asha, small.portfolio)
    client.force_login(asha)
    url = reverse("exports:export_list", args=[small.portfolio.pk])
    assert CHANGED not in client.get(url).content.decode()
    # Asking for another PDF (still queued: it would build when this test's transaction
    # commits, which it never does) is not a change to the portfolio.
    export_services.export_request(actor=asha, portfolio=small.portfolio, scope=ExportScope.WHOLE)
    assert CHANGED not in client.get(url).content.decode()
    services.evidence_update(actor=amy, evidence=small.huddle, description="Six huddles.")
    assert CHANGED in client.get(url).content.decode()


# Downloading ---------------------------------------------------------------------------------


def test_everyone_who_can_see_the_portfolio_can_download_its_pdf(
    amy_portfolio: Portfolio,
    client: Client,
    amy: User,
    asha: User,
    tom: User,
    iris: User,
    ada: User,
) -> None:
    export = ready_export(amy_portfolio, asha)
    for person in (amy, asha, tom, iris, ada):
        client.force_login(person)
        response = client.get(reverse("exports:export_download", args=[export.pk]))
        assert response.status_code == 200, person
        assert response["Content-Type"] == "application/pdf"
        made = export.finished_at.date().isoformat()
        assert response["Content-Disposition"] == (
            'attachment; filename="portfolio-Amy-Archer-OCR-L3-RSSP-CERT-whole-'
            f'{made}-{export.verification_code}.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == stored_bytes(export.file.name)


def test_people_who_cannot_see_the_portfolio_cannot_learn_of_its_pdfs(
    amy_portfolio: Portfolio, client: Client, asha: User, ben: User, oscar: User
) -> None:
    export = ready_export(amy_portfolio, asha)
    urls = [
        reverse("exports:export_list", args=[amy_portfolio.pk]),
        reverse("exports:export_detail", args=[export.pk]),
        reverse("exports:export_download", args=[export.pk]),
    ]
    for person in (ben, oscar):
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (person, url)
            body = response.content.decode()
            assert export.verification_code not in body and "Amy Archer" not in body
        assert client.post(reverse("exports:export_retry", args=[export.pk])).status_code == 404
        assert client.post(urls[0], {"scope": "whole"}).status_code == 404
    assert PortfolioExport.objects.count() == 1


def test_a_pdf_that_is_not_ready_cannot_be_downloaded(
    amy_portfolio: Portfolio, client: Client, asha: User
) -> None:
    export = ready_export(amy_portfolio, asha, state=ExportState.RUNNING)
    client.force_login(asha)
    assert client.get(reverse("exports:export_download", args=[export.pk])).status_code == 404


def test_the_progress_partial_polls_while_the_pdf_is_made_and_stops_when_ready(
    amy_portfolio: Portfolio, asha: User, client: Client
) -> None:
    export = PortfolioExport.objects.create(
        portfolio=amy_portfolio,
        requested_by=asha,
        state=ExportState.RUNNING,
        progress=40,
        stage="Evidence 2 of 4",
        verification_code=export_services.new_verification_code(),
    )
    client.force_login(asha)
    url = reverse("exports:export_detail", args=[export.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert f'hx-get="{url}"' in partial and 'hx-trigger="every 1s"' in partial
    assert 'value="40"' in partial and "Evidence 2 of 4: 40%" in partial
    assert "<html" in client.get(url).content.decode()

    PortfolioExport.objects.filter(pk=export.pk).update(state=ExportState.DONE, progress=100)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in partial and "Your PDF is ready" in partial


# A failed build ------------------------------------------------------------------------------


def failing_gather(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the database went away")


def test_a_failed_build_is_marked_failed_and_try_again_queues_a_new_one(
    small: Small,
    asha: User,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(asha)
    with monkeypatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(exports.export_content, "gather", failing_gather)
        response = client.post(
            reverse("exports:export_list", args=[small.portfolio.pk]), {"scope": "whole"}
        )
    failed = PortfolioExport.objects.get()
    assert failed.state == ExportState.FAILED
    assert failed.error.startswith("The PDF could not be made. Try again")
    assert not failed.file and not failed.sha256
    page = client.get(response["Location"]).content.decode()
    retry = reverse("exports:export_retry", args=[failed.pk])
    assert failed.error in page and f'action="{retry}"' in page and "Try again" in page
    assert "hx-get" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    again = PortfolioExport.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == reverse("exports:export_detail", args=[again.pk])
    assert again.state == ExportState.DONE and again.scope == failed.scope
    assert "Your PDF is ready" in client.get(response["Location"]).content.decode()


# Checking a PDF ------------------------------------------------------------------------------


def verify(client: Client, code: str, **extra: Any) -> Any:
    return client.get(reverse("exports:verify"), {"code": code}, **extra)


def test_the_right_code_however_typed_shows_whose_pdf_it_is(
    amy_portfolio: Portfolio, asha: User, client: Client
) -> None:
    export = ready_export(amy_portfolio, asha)
    code = export.verification_code
    generated = dateformat.format(timezone.localtime(export.finished_at), "j F Y, H:i T")
    for typed in (code, code.lower(), code.replace("-", ""), f" {code.lower()} "):
        response = verify(client, typed)
        body = response.content.decode()
        assert response.status_code == 200
        assert "This code belongs to a genuine PDF portfolio." in body, typed
        assert "Amy Archer" in body and QUALIFICATION in body
        assert generated in body and export.sha256 in body


def test_a_wrong_code_says_no_pdf_matches_and_reveals_nothing(
    amy_portfolio: Portfolio, asha: User, client: Client
) -> None:
    export = ready_export(amy_portfolio, asha)
    wrong = "2345-6789-ABCD" if export.verification_code != "2345-6789-ABCD" else "ABCD-2345-6789"
    response = verify(client, wrong)
    body = response.content.decode()
    assert response.status_code == 200
    assert "No PDF portfolio matches that code." in body
    for secret in ("Amy Archer", "Northgate", "Retail Skills", export.sha256, "genuine"):
        assert secret not in body


def test_the_code_of_a_pdf_that_failed_matches_nothing(
    amy_portfolio: Portfolio, asha: User, client: Client
) -> None:
    export = ready_export(amy_portfolio, asha, state=ExportState.FAILED)
    body = verify(client, export.verification_code).content.decode()
    assert "No PDF portfolio matches that code." in body and "Amy Archer" not in body


def test_more_than_ten_checks_a_minute_from_one_address_are_refused(
    amy_portfolio: Portfolio, asha: User, client: Client
) -> None:
    export = ready_export(amy_portfolio, asha)
    for attempt in range(10):
        assert verify(client, f"2345-6789-{attempt:04d}").status_code == 200
    response = verify(client, export.verification_code)
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many checks" in body and "Amy Archer" not in body
    # Another address is not held up.
    other = verify(client, export.verification_code, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200 and "Amy Archer" in other.content.decode()


def test_the_download_name_says_learner_qualification_scope_date_and_code(
    amy_portfolio: Portfolio, asha: User, wwo: Unit
) -> None:
    export = ready_export(amy_portfolio, asha)
    export.scope, export.unit = ExportScope.UNIT, wwo
    export.finished_at = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)
    assert export.download_name == (
        f"portfolio-Amy-Archer-OCR-L3-RSSP-CERT-unit-RS-WWO-2026-11-26-{export.verification_code}.pdf"
    )


def test_the_audit_timeline_bookmark_opens_its_heading_and_no_page_is_left_near_blank(
    built: Built,
) -> None:
    pdf = built.whole
    timeline = pdf.bookmarks()["Audit timeline"]
    assert flat(pdf.pages[timeline - 1]).startswith("Audit timeline Every recorded change")
    assert pdf.pages_starting("Audit timeline") == [timeline]
    assert pdf.contents_page("Audit timeline") == timeline
    # Its first page carries entries, not the heading alone.
    assert "Time Person Action Details" in flat(pdf.pages[timeline - 1])
    # No raw record printed: a dictionary would show as {'key': ...} or {"key": ...}.
    timeline_text = " ".join(pdf.pages[timeline - 1 :])
    assert "{'" not in timeline_text and '{"' not in timeline_text


def one_byte_changed(data: bytes) -> bytes:
    """The PDF with one byte flipped in the middle of its longest stream (a page's content or a
    picture): the file still opens, but is no longer what was signed."""
    starts = [m.end() for m in re.finditer(rb"(?<!end)stream\r?\n", data)]
    spans = [(start, data.index(b"endstream", start)) for start in starts]
    start, end = max(spans, key=lambda span: span[1] - span[0])
    at = (start + end) // 2
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
