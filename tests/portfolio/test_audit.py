"""The audit registry: every recorded action is registered, and people read sentences."""

from __future__ import annotations

import ast
import csv
import dataclasses
import datetime
import html
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from assessment import services as assessment
from assessment.models import Decision, IqaAgreement, Outcome, PlanMethod
from enrolment import services as enrolment
from enrolment.intake_file import parse_intake
from enrolment.services import intake_import
from enrolment.versions import portfolio_move
from exports import services as exports
from exports.models import ExportScope
from exports.pdf import sections
from exports.selectors import latest_audit_id
from portfolio import services
from portfolio.audit import (
    AuditAction,
    audit_action,
    audit_record,
    content_changing_codes,
    describe,
    register,
    registered_actions,
)
from portfolio.models import AuditEntry, EvidenceType, Portfolio
from portfolio.services import eqa, hours, witness
from portfolio.units import units_of
from qualifications.models import Qualification, Unit
from tests.assessment.records import discussion_content
from tests.catalogue import criterion
from tests.factories import PortfolioFactory
from tests.files import jpeg_upload, mp3_upload
from tests.journeys import sign_off

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
# Every package whose code could record an entry: the apps, the demo data and the benchmarks.
PACKAGES = (
    "accounts",
    "qualifications",
    "cohorts",
    "portfolio",
    "assessment",
    "enrolment",
    "exports",
    "dashboards",
    "demo",
    "bench",
)
# A raw record printed for people betrays itself by a Python dictionary's opening.
RAW_DICT = "{'"


def recorded_codes() -> dict[str, list[str]]:
    """Every action code written in the project's code, with where it is written."""
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name not in ("audit_record", "audit_record_many", "AuditEntry"):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                        place = f"{path.relative_to(PROJECT)}:{node.lineno}"
                        found.setdefault(keyword.value.value, []).append(place)
    return found


def text_of(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def csv_rows(response: HttpResponse) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def entry(action: str, changes: object) -> AuditEntry:
    """An unsaved entry, as the timeline would read it."""
    return AuditEntry(
        at=datetime.datetime(2025, 5, 3, 9, 30, tzinfo=datetime.UTC),
        action=action,
        object_repr="Till audit",
        changes=changes,
    )


def timeline_of(client: Client, portfolio: Portfolio, **query: str) -> HttpResponse:
    return client.get(reverse("assessment:portfolio_timeline", args=[portfolio.pk]), query)


# The registry ----------------------------------------------------------------------------------


def test_every_action_the_services_record_is_registered() -> None:
    found = recorded_codes()
    registered = {action.code for action in registered_actions()}

    assert not {code: places for code, places in found.items() if code not in registered}
    assert {
        "evidence.create",
        "evidence_file.add",
        "mapping.decide",
        "unit.sign_off",
        "export.request",
        "intake.import",
        "portfolio.reassign",
    } <= set(found)


def test_every_registered_action_is_recorded_somewhere() -> None:
    assert {action.code for action in registered_actions()} <= set(recorded_codes())


def test_every_audit_record_call_names_its_action_in_the_code() -> None:
    """A code built at run time could not be checked by the test above."""
    for package in PACKAGES:
        for path in (PROJECT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                    "audit_record",
                    "audit_record_many",
                ):
                    [action] = [k.value for k in node.keywords if k.arg == "action"]
                    assert isinstance(action, ast.Constant), f"{path}:{node.lineno}"


def test_recording_an_unregistered_action_is_refused(amy: User, amy_portfolio: Portfolio) -> None:
    with pytest.raises(ValueError, match=r"'evidence\.creat' is not a registered audit action"):
        audit_record(actor=amy, action="evidence.creat", obj=amy_portfolio, portfolio=amy_portfolio)

    assert not AuditEntry.objects.exists()


def test_a_code_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register(AuditAction("evidence.create", "Made evidence"))

    assert audit_action("evidence.create").text == "Added evidence"


def test_only_asking_for_a_pdf_or_writing_on_the_portfolio_leaves_its_content_as_it_was() -> None:
    unchanged = {a.code for a in registered_actions()} - set(content_changing_codes())
    external_access = {"eqa.grant", "eqa.code_sent", "eqa.sign_in", "eqa.revoke"}

    # The portfolio's own thread of messages is not printed; messages about evidence are.
    assert unchanged == {"export.request", "message.portfolio", *external_access}


def test_the_latest_change_ignores_asking_for_a_pdf(
    amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type=EvidenceType.PRODUCT,
        title="Till audit",
        activity_date=datetime.date(2025, 5, 3),
        description="",
    )
    change = AuditEntry.objects.get().pk

    exports.export_request(actor=asha, portfolio=amy_portfolio, scope=ExportScope.WHOLE)

    assert AuditEntry.objects.count() == 2
    assert latest_audit_id(amy_portfolio) == change


# Sentences -------------------------------------------------------------------------------------


def test_a_changed_field_reads_from_before_to_after() -> None:
    line = describe(
        entry(
            "evidence.update",
            {
                "before": {"title": "Till audit", "activity_date": "2025-05-03"},
                "after": {"title": "Till audit, May", "activity_date": "2025-05-04"},
            },
        )
    )

    assert line.what == "Edited evidence"
    assert line.details == [
        "Title: “Till audit” → “Till audit, May”",
        "Date of the activity: 3 May 2025 → 4 May 2025",
    ]


def test_mapped_criteria_read_as_one_list_with_their_status() -> None:
    line = describe(
        entry(
            "mapping.create",
            {
                "after": [
                    {"criterion": "RS-PDR 1.1", "status": "draft", "commentary": ""},
                    {"criterion": "RS-WWO 2.3", "status": "submitted", "commentary": "I led it."},
                ]
            },
        )
    )

    assert line.details == [
        "Criteria mapped: RS-PDR 1.1 (draft), RS-WWO 2.3 (submitted)",
        "Commentary on RS-WWO 2.3: “I led it.”",
    ]


def test_a_file_reads_with_its_size_and_a_shortened_hash_kept_whole_for_downloads() -> None:
    sha256 = "3fa9" + "0" * 56 + "c21e"
    recorded = entry(
        "evidence_file.add",
        {"after": {"name": "photo.jpg", "size": 1_258_291, "sha256": sha256}},
    )

    assert describe(recorded).details == ["File: photo.jpg, 1.2 MB, SHA-256 3fa9…c21e"]
    assert describe(recorded, full=True).details == [f"File: photo.jpg, 1.2 MB, SHA-256 {sha256}"]


def test_each_decision_reads_with_its_outcome_and_feedback() -> None:
    line = describe(
        entry(
            "mapping.decide",
            {
                "decisions": [
                    {"criterion": "RS-PDR 1.1", "before": "submitted", "after": "accepted"},
                    {
                        "criterion": "RS-PDR 1.2",
                        "before": "submitted",
                        "after": "referred",
                        "feedback": "Say more.",
                    },
                ]
            },
        )
    )

    assert line.details == ["RS-PDR 1.1: accepted", "RS-PDR 1.2: referred, feedback “Say more.”"]


def test_an_entry_of_an_unknown_code_or_shape_still_reads_as_words() -> None:
    unknown = describe(entry("stock.count", {"after": {"shelves": 4, "tidy": True}}))
    odd = describe(entry("mapping.create", {"after": {"id": 7}}))

    assert (unknown.what, unknown.details) == ("Made a change", ["Shelves: 4", "Tidy: yes"])
    assert (odd.what, odd.details) == ("Mapped evidence to criteria", ["Id: 7"])


def test_an_entry_without_a_person_was_made_by_the_system() -> None:
    assert describe(entry("evidence.create", {})).who == "System"


# The timeline page, its CSV, and the PDF ------------------------------------------------------


@pytest.fixture
def journey(
    amy: User, asha: User, ada: User, tom: User, amy_portfolio: Portfolio, ocr: object
) -> Portfolio:
    """A portfolio taken through the main flows of every app that records on it."""
    evidence = services.evidence_create(
        actor=amy,
        portfolio=amy_portfolio,
        type=EvidenceType.PRODUCT,
        title="Till audit",
        activity_date=datetime.date(2025, 5, 3),
        description="I counted the till.",
    )
    services.evidence_file_add(actor=amy, evidence=evidence, uploaded=jpeg_upload())
    services.evidence_update(actor=amy, evidence=evidence, title="Till audit, May")
    first, second = services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={
            criterion("RS-PDR", "1.1"): "I planned it.",
            criterion("RS-PDR", "1.2"): "I did it.",
        },
        submit=True,
    )
    services.mapping_withdraw(actor=amy, mapping=second)
    services.mapping_submit(actor=amy, mapping=second)
    for mapping in (first, second):
        mapping.refresh_from_db()
    decision_requests = [
        assessment.DecisionRequest(
            first.pk, Outcome.ACCEPTED, "", first.submitted_at, assessment.Vacsr.confirmed()
        ),
        assessment.DecisionRequest(second.pk, Outcome.REFERRED, "Say more.", second.submitted_at),
    ]
    assessment.mappings_decide(actor=asha, evidence=evidence, requests=decision_requests)
    assessment.mapping_reopen(actor=asha, mapping=first, reason="Wrong criterion.")
    exports.export_request(actor=asha, portfolio=amy_portfolio, scope=ExportScope.WHOLE)
    enrolment.portfolio_reassign(actor=ada, portfolio=amy_portfolio, assessor=asha, tutor=None)
    return amy_portfolio


def test_every_entry_the_main_flows_record_is_registered(journey: Portfolio) -> None:
    codes = set(AuditEntry.objects.filter(portfolio=journey).values_list("action", flat=True))

    assert len(codes) == 10
    assert codes <= {action.code for action in registered_actions()}


def test_the_timeline_reads_as_sentences_without_codes_or_dictionaries(
    client: Client, asha: User, journey: Portfolio
) -> None:
    client.force_login(asha)

    page = text_of(timeline_of(client, journey))

    body = page[page.index("<main") :]
    assert RAW_DICT not in body
    assert not [a.code for a in registered_actions() if a.code in body]
    for sentence in (
        "Added evidence",
        "Title: “Till audit” → “Till audit, May”",
        "Criteria mapped: RS-PDR 1.1 (submitted), RS-PDR 1.2 (submitted)",
        "Status: submitted → draft",
        "RS-PDR 1.2: referred, feedback “Say more.”",
        "Reason: “Wrong criterion.”",
        "Asked for a PDF portfolio",
        "Contents: the whole portfolio",
        "Tutor: Tom Reid → none",
    ):
        assert sentence in body


def test_the_timeline_shortens_long_hashes_and_the_csv_keeps_them_whole(
    client: Client, asha: User, journey: Portfolio
) -> None:
    sha256 = journey.evidence.get().files.get().sha256
    client.force_login(asha)

    page = text_of(timeline_of(client, journey))
    rows = csv_rows(timeline_of(client, journey, format="csv"))

    assert sha256 not in page
    assert f"SHA-256 {sha256[:4]}…{sha256[-4:]}" in page
    file_row = next(row for row in rows if row[2] == "Added a file")
    assert f"SHA-256 {sha256}" in file_row[4]
    assert f'"sha256": "{sha256}"' in file_row[5]


def test_the_timeline_csv_has_readable_columns_and_the_raw_changes_last(
    client: Client, asha: User, journey: Portfolio
) -> None:
    client.force_login(asha)

    rows = csv_rows(timeline_of(client, journey, format="csv"))

    assert rows[0] == ["time", "person", "action", "object", "details", "changes"]
    readable = [cell for row in rows[1:] for cell in row[:5]]
    codes = [action.code for action in registered_actions()]
    assert not [cell for cell in readable if RAW_DICT in cell or any(c in cell for c in codes)]
    assert rows[1][1:5] == [
        "Amy Archer",
        "Added evidence",
        "Till audit",
        "Title: “Till audit”\nType: Product of work\nDate of the activity: 3 May 2025",
    ]


@pytest.fixture
def every_action(
    journey: Portfolio,
    amy: User,
    ben: User,
    asha: User,
    iris: User,
    ada: User,
    tom: User,
    eve: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Besides the journey, every other service that records, each at least once."""
    dated = {"type": EvidenceType.PRODUCT, "activity_date": datetime.date(2025, 5, 3)}
    spare = services.evidence_create(
        actor=amy, portfolio=journey, title="Shelf plan", description="", **dated
    )
    services.evidence_file_add(actor=amy, evidence=spare, uploaded=jpeg_upload("plan.jpg"))
    services.evidence_file_delete(actor=amy, evidence_file=spare.files.get())
    [draft] = services.mappings_create(
        actor=amy, evidence=spare, commentaries={criterion("RS-PDR", "2.1"): "A first go."}
    )
    services.mapping_update_commentary(actor=amy, mapping=draft, commentary="A second go.")
    services.mapping_delete(actor=amy, mapping=draft)
    services.evidence_delete(actor=amy, evidence=spare)
    services.message_post(actor=amy, portfolio=journey, body="Can we meet on Friday?")
    about = journey.evidence.order_by("number").first()
    services.message_post(
        actor=asha, portfolio=journey, evidence=about, body="Who took this photo?"
    )

    pdr = Unit.objects.get(reference="RS-PDR")
    whole_unit = services.evidence_create(
        actor=amy, portfolio=journey, title="Planning file", description="", **dated
    )
    services.evidence_file_add(actor=amy, evidence=whole_unit, uploaded=jpeg_upload("file.jpg"))
    mappings = services.mappings_create(
        actor=amy,
        evidence=whole_unit,
        commentaries={c: "All of it." for c in pdr.criteria.all()},
    )
    services.mappings_submit_all(actor=amy, evidence=whole_unit)
    requests = [
        assessment.DecisionRequest(
            m.pk, Outcome.ACCEPTED, "", m.submitted_at, assessment.Vacsr.confirmed()
        )
        for m in whole_unit.mappings.all()
    ]
    decisions = assessment.mappings_decide(actor=asha, evidence=whole_unit, requests=requests)
    assessment.unit_declare(actor=amy, portfolio=journey, unit=pdr)
    assessment.unit_sign_off(actor=asha, portfolio=journey, unit=pdr)
    assessment.iqa_review_record(
        actor=iris, decision=decisions[1], verdict=IqaAgreement.AGREE, feedback=""
    )
    assessment.unit_countersign(actor=iris, portfolio=journey, unit=pdr)
    # The disagreement reopens a criterion, revoking the sign-off and the countersignature.
    assessment.iqa_review_record(
        actor=iris, decision=decisions[0], verdict=IqaAgreement.DISAGREE, feedback="Thin."
    )
    whole = PortfolioFactory(learner=ben, qualification=journey.qualification, assessor=asha)
    for unit in units_of(whole):
        sign_off(whole, unit)
    assessment.iqa_review_record(
        actor=iris,
        decision=Decision.objects.filter(mapping__evidence__portfolio=whole).first(),
        verdict=IqaAgreement.AGREE,
        feedback="",
    )
    assessment.portfolio_countersign(actor=iris, portfolio=whole)
    assessment.sampling_rates_set(actor=iris, default=25, by_assessor={asha.pk: 50}, by_unit={})
    first = pdr.criteria.order_by("position").first()
    record = assessment.record_create(
        actor=asha,
        portfolio=journey,
        type=EvidenceType.PROFESSIONAL_DISCUSSION,
        content=discussion_content(first),
        audio=mp3_upload(),
    )
    assessment.record_update(
        actor=asha,
        record=record,
        content=dataclasses.replace(discussion_content(first), judgement="Sound, on reflection."),
    )
    assessment.record_acknowledge(actor=amy, record=record)
    plan_item = assessment.plan_item_create(
        actor=asha,
        portfolio=journey,
        content=assessment.PlanItemContent(
            activity="Run the stock rotation",
            method=PlanMethod.OBSERVATION,
            criteria=(criterion("RS-WWO", "1.1"),),
            target_date=datetime.date(2026, 4, 30),
        ),
    )
    assessment.plan_item_update(
        actor=asha,
        item=plan_item,
        content=assessment.PlanItemContent(
            activity="Run the stock rotation",
            method=PlanMethod.QUESTIONING,
            criteria=(criterion("RS-WWO", "1.1"), criterion("RS-WWO", "1.2")),
            target_date=datetime.date(2026, 5, 15),
        ),
    )
    assessment.plan_item_remove(actor=asha, item=plan_item)
    review = assessment.progress_review_create(
        actor=asha,
        portfolio=journey,
        held_on=journey.start_date,
        progress="The till audit is done.",
        next_steps="Start the stock rotation.",
    )
    assessment.progress_review_sign(actor=amy, review=review)

    term = {"start_date": datetime.date(2026, 9, 1), "planned_end_date": datetime.date(2027, 7, 31)}
    cohort = enrolment.cohort_create(
        actor=ada, name="Retail 2026", qualification=journey.qualification, tutors=[tom], **term
    )
    enrolment.learner_enrol(
        actor=ada,
        full_name="Cara Cole",
        email="cara@example.org",
        qualification=journey.qualification,
        cohort=cohort,
        assessor=asha,
        **term,
    )
    intake = (
        "name,email,qualification reference,cohort,assessor email,start,planned end\n"
        f"Dev Das,dev@example.org,{journey.qualification.reference},Retail 2026,"
        f"{asha.email},2026-09-01,2027-07-31\n"
    )
    intake_import(actor=ada, rows=parse_intake(intake.encode()).rows)
    example = Qualification.objects.filter(reference="EX-L3-RETAIL-DIP").order_by("sequence")
    moving = PortfolioFactory(learner=amy, qualification=example.first(), assessor=asha)
    portfolio_move(actor=ada, portfolio=moving, target=example.last())
    assert len(mappings) == pdr.criteria.count()

    on_diploma = Portfolio.objects.get(pk=moving.pk)  # now on the current version
    stock = on_diploma.qualification.units.get(reference="EX-RET-B1")
    assessment.choose_unit(actor=asha, portfolio=on_diploma, unit=stock)
    assessment.remove_unit(actor=ada, portfolio=on_diploma, unit=stock)

    about = witness.Witness(
        name="Priya Patel", job_title="Store manager", relationship="Line manager", email="p@x.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _, token = witness.witness_request_create(
            actor=amy,
            portfolio=journey,
            witness=about,
            activity="Tills.",
            criteria=[criterion("RS-PDR", "1.1")],
        )
        witness.witness_request_for_link(token)
        witness.witness_statement_submit(
            token=token,
            observed="Served well.",
            observed_on=datetime.date(2025, 5, 3),
            activities="Tills",
            signed_name="Priya Patel",
            declared=True,
        )
        again, _ = witness.witness_request_create(
            actor=asha, portfolio=journey, witness=about, activity="Stockroom."
        )
        witness.witness_request_resend(actor=asha, request=again)
        witness.witness_request_revoke(actor=asha, request=again)

    # An apprenticeship: its settings, and off-the-job hours logged, confirmed, queried, corrected.
    enrolment.portfolio_apprenticeship(
        actor=ada, portfolio=journey, is_apprenticeship=True, planned_hours=300, employer=eve
    )
    day = datetime.date(2025, 10, 1)
    logged = hours.hours_log(
        actor=amy, portfolio=journey, date=day, hours=Decimal("7.5"), activity="Course"
    )
    hours.hours_confirm(actor=eve, entry=logged)
    queried = hours.hours_query(
        actor=eve,
        entry=hours.hours_log(
            actor=amy, portfolio=journey, date=day, hours=Decimal(2), activity="Reading"
        ),
        reason="Which book?",
    )
    hours.hours_correct(
        actor=amy, entry=queried, date=day, hours=Decimal(2), activity="Reading the handbook"
    )

    with django_capture_on_commit_callbacks(execute=True):
        grant, link = eqa.eqa_grant_create(
            actor=ada,
            assurer=eqa.Assurer("Erin External", "erin@awarding.example", "OCR"),
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
            portfolios=[journey],
            units=[pdr],
        )
        eqa.eqa_code_send(token=link)
    eqa.eqa_code_check(token=link, code=mail.outbox[-1].subject.rsplit(" ", 1)[-1])
    eqa.eqa_grant_revoke(actor=ada, grant=grant)


def test_every_registered_action_reads_as_sentences_from_real_entries(every_action: None) -> None:
    entries = list(AuditEntry.objects.select_related("actor"))
    codes = [action.code for action in registered_actions()]

    assert {entry.action for entry in entries} == set(codes)
    for entry in entries:
        line = describe(entry)
        words = " ".join([line.what, *line.details])
        assert line.details, entry.action
        assert line.what != "Made a change"
        assert not [raw for raw in (RAW_DICT, "[", "]", "None", "True", *codes) if raw in words], (
            entry.action,
            words,
        )


def test_an_intake_names_the_first_learners_and_counts_the_rest() -> None:
    enrolled = [[f"learner{n}@example.org", "OCR-L3-RSSP-CERT"] for n in range(12)]

    [*_, last] = describe(entry("intake.import", {"after": {"enrolled": enrolled}})).details

    assert last.startswith("Enrolled: learner0@example.org on OCR-L3-RSSP-CERT, ")
    assert last.endswith("learner9@example.org on OCR-L3-RSSP-CERT and 2 more")


def test_the_pdf_audit_timeline_prints_sentences_with_short_hashes(
    asha: User, journey: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha256 = journey.evidence.get().files.get().sha256
    chunks: list[dict[str, Any]] = []
    real_cached = sections.cached_sections

    def spy_cached(portfolio_id: int, wanted: list[Any], fetcher: Any, **options: Any) -> Any:
        chunks.extend(s.context for s in wanted if s.template == "exports/pdf/audit_chunk.html")
        return real_cached(portfolio_id, wanted, fetcher, **options)

    monkeypatch.setattr(sections, "cached_sections", spy_cached)
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = exports.export_request(actor=asha, portfolio=journey, scope=ExportScope.WHOLE)
    export.refresh_from_db()
    with default_storage.open(export.file.name, "rb") as handle:
        handle.seek(0)
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    [context] = chunks
    lines = context["lines"]
    assert [line.what for line in lines][:3] == [
        "Added evidence",
        "Added a file",
        "Edited evidence",
    ]
    assert "Title: “Till audit” → “Till audit, May”" in lines[2].details
    html_chunk = render_to_string("exports/pdf/audit_chunk.html", context)
    assert RAW_DICT not in html.unescape(html_chunk)
    assert sha256 not in html_chunk
    assert not [a.code for a in registered_actions() if a.code in text]
    assert RAW_DICT not in text
    assert f"SHA-256 {sha256[:4]}…{sha256[-4:]}" in text
    assert "Criteria mapped: RS-PDR 1.1 (submitted), RS-PDR 1.2 (submitted)" in text
