"""The CSV intake: every problem found by row and column before anything is written, a clean
file imported in one go, and a second upload of the same file enrolling nobody twice."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Centre, Membership, Role, User
from cohorts.models import Cohort
from enrolment.intake_check import Status, check_intake
from enrolment.intake_file import MAX_ROWS, Problem, parse_intake
from enrolment.services import IntakeRefused, intake_import
from portfolio.models import AuditEntry, Portfolio
from qualifications.models import Qualification

pytestmark = pytest.mark.django_db

OCR = "OCR-L3-RSSP-CERT"
DIPLOMA = "ICQ-L3-RSSP-DIP"
HEADER = [
    "name",
    "email",
    "qualification reference",
    "cohort",
    "assessor email",
    "start",
    "planned end",
]


@pytest.fixture
def cohort(catalogue: None, centre: Centre, tom: User, asha: User) -> Cohort:
    cohort = Cohort.objects.create(
        centre=centre, name="Retail 2026", qualification=Qualification.objects.get(reference=OCR)
    )
    cohort.tutors.add(tom)
    return cohort


def row(**cells: str) -> list[str]:
    values = {
        "name": "Cara Cole",
        "email": "cara@example.org",
        "qualification reference": OCR,
        "cohort": "Retail 2026",
        "assessor email": "asha@northgate.test",
        "start": "2026-09-01",
        "planned end": "2027-07-31",
    }
    values.update({key.replace("_", " "): value for key, value in cells.items()})
    return [values[column] for column in HEADER]


def learners(count: int, start: int = 0) -> list[list[str]]:
    return [
        row(name=f"Learner {n}", email=f"learner{n}@example.org")
        for n in range(start, start + count)
    ]


def intake(*rows: list[str], header: list[str] = HEADER, line_ending: str = "\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_ending)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def problems(content: bytes, centre: Centre) -> list[Problem]:
    parsed = parse_intake(content)
    return parsed.problems or check_intake(centre=centre, rows=parsed.rows).problems


def where(found: list[Problem]) -> list[tuple[int, str]]:
    return [(problem.row, problem.column) for problem in found]


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Portfolio.objects.count(), Membership.objects.count()


def assert_nothing_imported(content: bytes, ada: User) -> None:
    before = counts()
    with pytest.raises(IntakeRefused):
        intake_import(actor=ada, rows=parse_intake(content).rows)
    assert counts() == before
    assert not AuditEntry.objects.filter(action="intake.import").exists()


# A clean file --------------------------------------------------------------------------------


def test_a_valid_file_enrols_every_learner_with_an_account_and_an_invitation(
    cohort: Cohort, ada: User, asha: User, tom: User, django_capture_on_commit_callbacks: Any
) -> None:
    content = intake(*learners(3))
    with django_capture_on_commit_callbacks(execute=True):
        summary = intake_import(actor=ada, rows=parse_intake(content).rows)

    assert (summary.created_learners, summary.enrolled, summary.already_enrolled) == (3, 3, 0)
    portfolios = Portfolio.objects.filter(learner__email__startswith="learner")
    assert portfolios.count() == 3
    for portfolio in portfolios:
        assert (portfolio.cohort, portfolio.assessor, portfolio.tutor) == (cohort, asha, tom)
        assert portfolio.learner.has_role(Role.LEARNER)
        assert not portfolio.learner.has_usable_password()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "learner0@example.org",
        "learner1@example.org",
        "learner2@example.org",
    ]
    [entry] = AuditEntry.objects.filter(action="intake.import")
    assert entry.actor == ada
    assert entry.changes["after"]["new_learners"] == 3


def test_importing_the_same_file_again_creates_nothing_new(
    cohort: Cohort, ada: User, django_capture_on_commit_callbacks: Any
) -> None:
    content = intake(*learners(3))
    intake_import(actor=ada, rows=parse_intake(content).rows)
    before = counts()

    parsed = parse_intake(content)
    checked = check_intake(centre=ada.centre, rows=parsed.rows)
    assert [r.status for r in checked.rows] == [Status.ENROLLED] * 3
    with django_capture_on_commit_callbacks(execute=True):
        summary = intake_import(actor=ada, rows=parsed.rows)

    assert (summary.created_learners, summary.enrolled, summary.already_enrolled) == (0, 0, 3)
    assert counts() == before
    assert mail.outbox == []


def test_a_learner_of_this_centre_is_enrolled_without_a_new_account_or_invitation(
    cohort: Cohort, ada: User, amy: User, django_capture_on_commit_callbacks: Any
) -> None:
    content = intake(row(name="Amy Archer", email="AMY@northgate.test"))
    with django_capture_on_commit_callbacks(execute=True):
        summary = intake_import(actor=ada, rows=parse_intake(content).rows)

    assert (summary.created_learners, summary.enrolled) == (0, 1)
    assert Portfolio.objects.get(learner=amy).qualification.reference == OCR
    assert mail.outbox == []


def test_excel_byte_order_mark_and_windows_line_endings_are_read(cohort: Cohort, ada: User) -> None:
    content = b"\xef\xbb\xbf" + intake(*learners(2), line_ending="\r\n")

    parsed = parse_intake(content)

    assert parsed.problems == []
    assert [r.cells["email"] for r in parsed.rows] == [
        "learner0@example.org",
        "learner1@example.org",
    ]
    assert check_intake(centre=ada.centre, rows=parsed.rows).problems == []


def test_quoted_fields_uk_dates_and_a_relaxed_header_are_read(cohort: Cohort, ada: User) -> None:
    header = [
        " NAME",
        "Email ",
        "Qualification  Reference",
        "COHORT",
        "AssessorEmail",
        "Start",
        "planned end",
    ]
    content = intake(
        row(name="Cole, Cara", start="01/09/2026", planned_end="31/07/2027"), header=header
    )

    parsed = parse_intake(content)
    checked = check_intake(centre=ada.centre, rows=parsed.rows)

    assert checked.problems == []
    [enrolment] = checked.to_enrol
    assert enrolment.full_name == "Cole, Cara"
    assert str(enrolment.start_date) == "2026-09-01"
    assert str(enrolment.planned_end_date) == "2027-07-31"


# Refusals, each by row and column, none half-imported -----------------------------------------


def test_a_missing_column_is_reported_once_by_name(cohort: Cohort, ada: User) -> None:
    header = [column for column in HEADER if column != "assessor email"]
    content = intake(*[r[:4] + r[5:] for r in learners(5)], header=header)

    found = problems(content, ada.centre)

    assert where(found) == [(1, "assessor email")]
    assert "no “assessor email” column" in found[0].message
    assert_nothing_imported(content, ada)


def test_bad_dates_are_reported_by_row_and_column(cohort: Cohort, ada: User) -> None:
    content = intake(
        row(email="a@example.org"),
        row(email="b@example.org", start="31/02/2026"),
        row(email="c@example.org", planned_end="next summer"),
        row(email="d@example.org", start="2027-09-01", planned_end="2027-07-31"),
        row(email="e@example.org", start="09/01/26"),
    )

    found = problems(content, ada.centre)

    assert where(found) == [(3, "start"), (4, "planned end"), (5, "planned end"), (6, "start")]
    assert "“31/02/2026” is not a date" in found[0].message
    assert "before the start" in found[2].message
    assert_nothing_imported(content, ada)


def test_an_unknown_qualification_is_reported(cohort: Cohort, ada: User) -> None:
    content = intake(*learners(2), row(email="x@example.org", qualification_reference="NOPE-1"))

    found = problems(content, ada.centre)

    assert where(found) == [(4, "qualification reference")]
    assert "No qualification has the reference “NOPE-1”" in found[0].message
    assert_nothing_imported(content, ada)


def test_an_unknown_cohort_or_one_on_another_qualification_is_reported(
    cohort: Cohort, ada: User, centre: Centre
) -> None:
    Cohort.objects.create(
        centre=centre,
        name="Diploma 2026",
        qualification=Qualification.objects.get(reference=DIPLOMA),
    )
    content = intake(
        row(email="a@example.org", cohort="Retail 2062"),
        row(email="b@example.org", cohort="Diploma 2026"),
        row(email="c@example.org", cohort="retail 2026"),  # case does not matter
    )

    found = problems(content, ada.centre)

    assert where(found) == [(2, "cohort"), (3, "cohort")]
    assert "no cohort called “Retail 2062”" in found[0].message
    assert "is a cohort on" in found[1].message
    assert_nothing_imported(content, ada)


def test_an_unknown_assessor_or_someone_not_an_assessor_here_is_reported(
    cohort: Cohort, ada: User, tom: User, oscar: User
) -> None:
    content = intake(
        row(email="a@example.org", assessor_email="nobody@northgate.test"),
        row(email="b@example.org", assessor_email=tom.email),
        row(email="c@example.org", assessor_email=oscar.email),
        row(email="d@example.org", assessor_email="ASHA@northgate.test"),
    )

    found = problems(content, ada.centre)

    assert where(found) == [(2, "assessor email"), (3, "assessor email"), (4, "assessor email")]
    assert all("No assessor at this centre" in problem.message for problem in found)
    assert_nothing_imported(content, ada)


def test_a_duplicate_email_is_reported_on_its_second_row(cohort: Cohort, ada: User) -> None:
    content = intake(
        row(email="cara@example.org"),
        row(email="dan@example.org"),
        row(email=" Cara@Example.org ", name="Cara Again"),
    )

    found = problems(content, ada.centre)

    assert where(found) == [(4, "email")]
    assert "also on row 2" in found[0].message
    assert_nothing_imported(content, ada)


def test_an_email_used_at_another_centre_is_refused_without_saying_so(
    cohort: Cohort, ada: User, oscar: User, other_centre: Centre
) -> None:
    content = intake(row(email=oscar.email))

    found = problems(content, ada.centre)

    assert where(found) == [(2, "email")]
    assert "cannot be enrolled here" in found[0].message
    assert "centre" not in found[0].message.lower()
    assert other_centre.name not in found[0].message
    assert_nothing_imported(content, ada)


def test_empty_cells_and_malformed_emails_are_reported(cohort: Cohort, ada: User) -> None:
    content = intake(
        row(email="a@example.org", name=""),
        row(email="not an email"),
        row(email="c@example.org", cohort="  "),
    )

    found = problems(content, ada.centre)

    assert where(found) == [(2, "name"), (3, "email"), (4, "cohort")]
    assert found[0].message.startswith("Empty")
    assert_nothing_imported(content, ada)


def test_formula_looking_cells_are_refused(cohort: Cohort, ada: User) -> None:
    content = intake(
        row(email="a@example.org", name='=HYPERLINK("http://evil.example","Click me")'),
        row(email="b@example.org", cohort="+Retail 2026"),
        row(email="c@example.org", name="-2+3"),
        row(email="@d@example.org"),
    )

    found = problems(content, ada.centre)

    assert where(found) == [(2, "name"), (3, "cohort"), (4, "name"), (5, "email")]
    assert "formula" in found[0].message
    assert_nothing_imported(content, ada)


def test_a_row_with_more_cells_than_the_header_is_reported(cohort: Cohort, ada: User) -> None:
    content = intake(row(email="a@example.org"), [*row(email="b@example.org"), "extra"])

    assert where(problems(content, ada.centre)) == [(3, "")]
    assert_nothing_imported(content, ada)


def test_a_file_that_is_not_utf8_is_refused(cohort: Cohort, ada: User) -> None:
    content = intake(row(name="Zoë Bell")).decode().encode("cp1252")

    found = problems(content, ada.centre)

    assert where(found) == [(1, "")]
    assert "UTF-8" in found[0].message
    assert_nothing_imported(content, ada)


def test_a_header_without_learners_is_refused(cohort: Cohort, ada: User) -> None:
    assert where(problems(intake(), ada.centre)) == [(2, "")]
    assert_nothing_imported(intake(), ada)


def test_one_bad_row_among_many_stops_the_whole_file(cohort: Cohort, ada: User) -> None:
    content = intake(*learners(50), row(email="late@example.org", start="soon"))

    assert where(problems(content, ada.centre)) == [(52, "start")]
    assert_nothing_imported(content, ada)


# Size and speed ------------------------------------------------------------------------------


def test_ten_thousand_rows_check_quickly_with_the_same_queries_as_ten(
    cohort: Cohort, ada: User, amy: User
) -> None:
    amy_row = row(name="Amy Archer", email=amy.email)
    small = intake(amy_row, *learners(9))
    large = intake(amy_row, *learners(MAX_ROWS - 1))

    with CaptureQueriesContext(connection) as ten:
        assert problems(small, ada.centre) == []
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ten_thousand:
        parsed = parse_intake(large)
        checked = check_intake(centre=ada.centre, rows=parsed.rows)
    elapsed = time.perf_counter() - started

    assert checked.problems == []
    assert len(checked.rows) == MAX_ROWS
    # Qualifications, cohorts, their tutors, assessors, accounts, portfolios: once each.
    assert len(ten) == len(ten_thousand) == 6
    assert elapsed < 5, f"checking {MAX_ROWS:,} rows took {elapsed:.1f}s"


def test_more_than_ten_thousand_rows_are_refused(cohort: Cohort, ada: User) -> None:
    content = intake(*learners(MAX_ROWS + 1))

    found = problems(content, ada.centre)

    assert where(found) == [(MAX_ROWS + 2, "")]
    assert "more than 10,000 learners" in found[0].message
    assert_nothing_imported(content, ada)


def test_import_runs_the_same_queries_for_ten_rows_as_for_a_hundred(
    cohort: Cohort, ada: User
) -> None:
    intake_import(actor=ada, rows=parse_intake(intake(row())).rows)  # ada's roles, read once
    with CaptureQueriesContext(connection) as ten:
        intake_import(actor=ada, rows=parse_intake(intake(*learners(10))).rows)
    with CaptureQueriesContext(connection) as hundred:
        intake_import(actor=ada, rows=parse_intake(intake(*learners(100, start=10))).rows)

    # Savepoint; the six lookups less portfolios (nobody here yet); accounts, roles,
    # portfolios and the audit entry in bulk; release.
    assert len(ten) == len(hundred) == 11
    assert Portfolio.objects.filter(learner__email__startswith="learner").count() == 110
