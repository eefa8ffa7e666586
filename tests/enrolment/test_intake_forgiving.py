"""The CSV intake forgives how people type: cohort names and qualification references match
whatever the dash, case or spacing, a near miss is named ("did you mean …"), a template lists
every column, and ULNs and registration numbers are checked and saved as on the forms."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ULN_SHAPE, Centre, User
from cohorts.models import Cohort
from enrolment.intake_check import check_intake
from enrolment.intake_file import ALL_COLUMNS, Problem, parse_intake
from enrolment.matching import NameIndex, match_key
from enrolment.services import IntakeRefused, intake_import
from enrolment.validation import ULN_TAKEN
from portfolio.models import Portfolio
from qualifications.models import Qualification

pytestmark = pytest.mark.django_db

OCR = "OCR-L3-RSSP-CERT"
SEPT = "Retail 2026 - Sept"
HEADER = list(ALL_COLUMNS)


@pytest.fixture
def cohort(catalogue: None, centre: Centre, tom: User, asha: User) -> Cohort:
    cohort = Cohort.objects.create(
        centre=centre, name=SEPT, qualification=Qualification.objects.get(reference=OCR)
    )
    cohort.tutors.add(tom)
    return cohort


def row(**cells: str) -> list[str]:
    values = dict.fromkeys(HEADER, "") | {
        "name": "Cara Cole",
        "email": "cara@example.org",
        "qualification reference": OCR,
        "cohort": SEPT,
        "assessor email": "asha@northgate.test",
        "start": "2026-09-01",
        "planned end": "2027-07-31",
    }
    values.update({key.replace("_", " "): value for key, value in cells.items()})
    return [values[column] for column in HEADER]


def intake(*rows: list[str], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def problems(content: bytes, centre: Centre) -> list[Problem]:
    parsed = parse_intake(content)
    return parsed.problems or check_intake(centre=centre, rows=parsed.rows).problems


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Matching names ------------------------------------------------------------------------------


def test_a_match_key_ignores_the_kind_of_dash_case_and_spacing() -> None:
    typed = ["Retail 2026 – Sept", "retail 2026—sept", "RETAIL  2026 -  Sept", "Retail 2026‐Sept"]
    assert {match_key(name) for name in typed} == {match_key(SEPT)} == {"retail2026-sept"}
    assert match_key("Retail 2026 Sept") != match_key(SEPT)  # a dash is still a dash


def test_an_exact_name_wins_over_names_that_match_only_by_key() -> None:
    index = NameIndex(["Retail-A", "retail-a"], str)
    assert index.find("retail-a").item == "retail-a"
    found = index.find("RETAIL – A")
    assert found.item is None
    assert found.ambiguous == ("Retail-A", "retail-a")


def test_a_near_miss_is_suggested_and_a_far_one_is_not() -> None:
    index = NameIndex([SEPT, "Customer service 2025"], str)
    assert index.find("Retial 2026 – Spet").suggestions == (SEPT,)
    assert index.find("Plumbing").suggestions == ()


# The intake file -----------------------------------------------------------------------------


def test_a_cohort_typed_with_another_dash_case_and_spacing_is_found_and_imported(
    cohort: Cohort, ada: User
) -> None:
    typed = ["retail 2026 – sept", "Retail 2026—Sept", "RETAIL  2026 -  SEPT"]
    content = intake(*(row(email=f"l{n}@example.org", cohort=name) for n, name in enumerate(typed)))

    assert problems(content, ada.centre) == []
    intake_import(actor=ada, rows=parse_intake(content).rows)
    assert Portfolio.objects.filter(cohort=cohort).count() == 3


def test_a_cohort_near_miss_says_did_you_mean(cohort: Cohort, ada: User) -> None:
    content = intake(
        row(email="a@example.org", cohort="Retial 2026 – Sept"),
        row(email="b@example.org", cohort="Plumbing 2026"),
    )

    first, second = problems(content, ada.centre)

    assert (first.row, first.column) == (2, "cohort")
    assert first.message == (
        "There is no cohort called “Retial 2026 – Sept” at this centre. Did you mean "
        f"“{SEPT}”? Create it first, or check the spelling."
    )
    assert (second.row, second.column) == (3, "cohort")
    assert "Did you mean" not in second.message


def test_a_cohort_name_that_matches_two_cohorts_asks_for_the_exact_name(
    cohort: Cohort, ada: User, centre: Centre
) -> None:
    Cohort.objects.create(centre=centre, name="retail 2026 – sept")

    [found] = problems(intake(row(cohort="RETAIL 2026 — SEPT")), ada.centre)

    assert found.column == "cohort"
    assert "could be the cohort “Retail 2026 - Sept” and “retail 2026 – sept”" in found.message
    assert problems(intake(row(cohort=SEPT)), ada.centre) == []  # the exact name still works


def test_a_qualification_reference_forgives_dashes_and_suggests_a_near_miss(
    cohort: Cohort, ada: User
) -> None:
    content = intake(
        row(email="a@example.org", qualification_reference="ocr–l3–rssp–cert"),
        row(email="b@example.org", qualification_reference="OCR-L3-RSSP-CRET"),
    )

    [found] = problems(content, ada.centre)

    assert (found.row, found.column) == (3, "qualification reference")
    assert f"“OCR-L3-RSSP-CRET”. Did you mean “{OCR}”?" in found.message


def test_the_check_reads_the_same_queries_for_ten_rows_with_ulns_as_for_a_thousand(
    cohort: Cohort, ada: User
) -> None:
    def rows(count: int) -> bytes:
        return intake(
            *(
                row(email=f"l{n}@example.org", uln=f"{n:010d}", cohort="retail 2026 – sept")
                for n in range(1, count + 1)
            )
        )

    with CaptureQueriesContext(connection) as ten:
        assert problems(rows(10), ada.centre) == []
    with CaptureQueriesContext(connection) as thousand:
        assert problems(rows(1000), ada.centre) == []
    # Qualifications, cohorts, their tutors, assessors, accounts and ULNs (nobody has an
    # account yet, so no portfolios are read).
    assert len(ten) == len(thousand) == 6


# The template --------------------------------------------------------------------------------


def test_the_template_names_every_column_and_reads_back_as_an_intake_file(ada: User) -> None:
    response = signed_in(ada).get(reverse("enrolment:intake_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="learner-intake.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == list(ALL_COLUMNS)
    assert {"optional units", "uln", "registration number"} <= set(header)
    parsed = parse_intake(response.content)
    assert parsed.problems == [] and parsed.rows == []


def test_the_upload_page_links_to_the_template(ada: User) -> None:
    response = signed_in(ada).get(reverse("enrolment:intake_upload"))
    assert reverse("enrolment:intake_template").encode() in response.content


# ULN and registration number -----------------------------------------------------------------


def test_an_intake_saves_each_learners_uln_and_registration_number(
    cohort: Cohort, ada: User, amy: User
) -> None:
    content = intake(
        row(uln="123 456 7890", registration_number="  OCR/ 4471 "),
        row(name="Amy Archer", email=amy.email, uln="2222222222"),
        header=[*HEADER[:-2], "Unique Learner Number", "Awarding-body registration number"],
    )

    assert problems(content, ada.centre) == []
    intake_import(actor=ada, rows=parse_intake(content).rows)

    cara = Portfolio.objects.get(learner__email="cara@example.org")
    assert (cara.learner.uln, cara.registration_number) == ("1234567890", "OCR/ 4471")
    amy.refresh_from_db()
    assert amy.uln == "2222222222"  # an existing learner without one is given it


def test_an_intake_refuses_bad_taken_repeated_or_conflicting_ulns(
    cohort: Cohort, ada: User, amy: User, ben: User
) -> None:
    amy.uln = "1111111111"
    amy.save(update_fields=["uln"])
    content = intake(
        row(email="a@example.org", uln="12345"),
        row(email="b@example.org", uln="1111111111"),  # Amy's
        row(email="c@example.org", uln="3333333333"),
        row(email="d@example.org", uln="3333 333 333"),  # c's, with spaces
        row(name="Amy Archer", email=amy.email, uln="4444444444"),  # not the one she has
        row(email="e@example.org", registration_number="=HYPERLINK(1)"),
        row(email="f@example.org", registration_number="R" * 41),
    )

    found = problems(content, ada.centre)

    by_row = {problem.row: problem for problem in found}
    assert [(p.row, p.column) for p in found] == [
        (2, "uln"),
        (3, "uln"),
        (5, "uln"),
        (6, "uln"),
        (7, "registration number"),
        (8, "registration number"),
    ]
    assert by_row[2].message == ULN_SHAPE
    assert by_row[3].message == ULN_TAKEN
    assert "also on row 4" in by_row[5].message
    assert "already recorded as 1111111111" in by_row[6].message
    assert "formula" in by_row[7].message
    assert "at most 40 characters" in by_row[8].message
    with pytest.raises(IntakeRefused):
        intake_import(actor=ada, rows=parse_intake(content).rows)
    assert not Portfolio.objects.exists()


def enrol_form(cohort: Cohort, **extra: str) -> dict[str, Any]:
    return {
        "full_name": "Cara Cole",
        "email": "cara@example.org",
        "qualification": cohort.qualification_id,
        "cohort": cohort.pk,
        "assessor": User.objects.get(email="asha@northgate.test").pk,
        "start_date": "2026-09-01",
        "planned_end_date": "2027-07-31",
        **extra,
    }


def test_the_enrol_form_saves_the_uln_and_registration_number(cohort: Cohort, ada: User) -> None:
    response = signed_in(ada).post(
        reverse("enrolment:learner_enrol"),
        enrol_form(cohort, uln="9876 543 210", registration_number="OCR/5512"),
    )

    assert response.status_code == 302
    portfolio = Portfolio.objects.get(learner__email="cara@example.org")
    assert (portfolio.learner.uln, portfolio.registration_number) == ("9876543210", "OCR/5512")
    entry = portfolio.audit_entries.get(action="learner.enrol")
    assert entry.changes["after"]["uln"] == "9876543210"
    assert entry.changes["after"]["registration_number"] == "OCR/5512"


@pytest.mark.parametrize(
    ("uln", "message"), [("98765", ULN_SHAPE), ("1111111111", ULN_TAKEN)], ids=["shape", "taken"]
)
def test_the_enrol_form_refuses_a_bad_or_taken_uln_on_its_field(
    cohort: Cohort, ada: User, amy: User, uln: str, message: str
) -> None:
    amy.uln = "1111111111"
    amy.save(update_fields=["uln"])

    response = signed_in(ada).post(reverse("enrolment:learner_enrol"), enrol_form(cohort, uln=uln))

    assert response.status_code == 200
    assert response.context["form"].errors["uln"] == [message]
    assert not Portfolio.objects.filter(learner__email="cara@example.org").exists()
