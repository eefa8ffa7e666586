"""Optional units at enrolment: the CSV intake's optional units column checked against the rules
of combination row by row and written with the portfolios, all or nothing; one learner enrolled
through the form is sent on to choose them; and enrolment offers only current versions."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Centre, User
from cohorts.models import Cohort
from enrolment import services as enrolment
from enrolment.forms import CohortForm, EnrolForm
from enrolment.intake_check import check_intake
from enrolment.intake_file import Problem, parse_intake
from enrolment.services import EnrolmentRefused, IntakeRefused, intake_import
from enrolment.validation import OLD_VERSION, unit_references
from portfolio.audit import describe
from portfolio.models import AuditEntry, Portfolio, UnitChoice
from qualifications.models import Qualification
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

DIPLOMA = "EX-L3-RETAIL-DIP"
HEADER = [
    "name",
    "email",
    "qualification reference",
    "cohort",
    "assessor email",
    "start",
    "planned end",
    "optional_units",
]


@pytest.fixture
def diploma(catalogue: None) -> Qualification:
    return Qualification.objects.current().get(reference=DIPLOMA)


@pytest.fixture
def first_version(diploma: Qualification) -> Qualification:
    return Qualification.objects.get(reference=DIPLOMA, is_current=False)


@pytest.fixture
def cohort(centre: Centre, diploma: Qualification, tom: User, asha: User) -> Cohort:
    cohort = Cohort.objects.create(centre=centre, name="Diploma 2026", qualification=diploma)
    cohort.tutors.add(tom)
    return cohort


def row(email: str = "cara@example.org", units: str = "", **cells: str) -> list[str]:
    values = {
        "name": "Cara Cole",
        "email": email,
        "qualification reference": DIPLOMA,
        "cohort": "Diploma 2026",
        "assessor email": "asha@northgate.test",
        "start": "2026-09-01",
        "planned end": "2027-07-31",
        "optional_units": units,
    }
    values.update(cells)
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


def chosen_units() -> list[tuple[str, str]]:
    return sorted(UnitChoice.objects.values_list("portfolio__learner__email", "unit__reference"))


# The column --------------------------------------------------------------------------------------


def test_unit_references_are_split_on_semicolons_commas_or_spaces_and_matched_ignoring_case() -> (
    None
):
    assert unit_references(" ex-ret-b1;EX-RET-C2A  EX-RET-B2,EX-RET-b1 ") == [
        "EX-RET-B1",
        "EX-RET-C2A",
        "EX-RET-B2",
    ]
    assert unit_references("") == []


def test_optional_units_are_chosen_with_the_portfolio_and_each_choice_is_audited(
    cohort: Cohort, ada: User, diploma: Qualification
) -> None:
    content = intake(
        row("cara@example.org", "EX-RET-B1; ex-ret-c2a"),
        row("dev@example.org", "", name="Dev Das"),
    )

    summary = intake_import(actor=ada, rows=parse_intake(content).rows)

    assert summary.enrolled == 2
    assert chosen_units() == [("cara@example.org", "EX-RET-B1"), ("cara@example.org", "EX-RET-C2A")]
    cara = Portfolio.objects.get(learner__email="cara@example.org")
    assert cara.qualification == diploma  # the reference means the current version
    assert set(UnitChoice.objects.values_list("chosen_by", flat=True)) == {ada.pk}
    lines = [describe(e) for e in AuditEntry.objects.filter(portfolio=cara).order_by("pk")]
    assert [(line.who, line.what, line.subject, line.details) for line in lines] == [
        (
            "Ada Price",
            "Chose an optional unit",
            "EX-RET-B1 Control stock levels and stock rotation",
            ["Unit: EX-RET-B1", "Group: B", "Chosen: at enrolment, from an intake file"],
        ),
        (
            "Ada Price",
            "Chose an optional unit",
            "EX-RET-C2A Support online and click-and-collect orders",
            ["Unit: EX-RET-C2A", "Group: C2", "Chosen: at enrolment, from an intake file"],
        ),
    ]


def test_a_file_without_the_column_still_imports(cohort: Cohort, ada: User) -> None:
    content = intake(row()[:-1], header=HEADER[:-1])

    assert intake_import(actor=ada, rows=parse_intake(content).rows).enrolled == 1
    assert chosen_units() == []


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (
            "EX-RET-B1; EX-RET-Z9",
            "EX-RET-Z9 is not a unit of EX-L3-RETAIL-DIP. Use the unit references on the "
            "qualification’s page, separated by semicolons.",
        ),
        (
            "RS-WWO EX-RET-Z9",
            "RS-WWO and EX-RET-Z9 are not units of EX-L3-RETAIL-DIP. Use the unit references on "
            "the qualification’s page, separated by semicolons.",
        ),
        (
            "EX-RET-A1; EX-RET-B1",
            "EX-RET-A1 is mandatory on EX-L3-RETAIL-DIP: every learner takes it, so list only "
            "optional units here.",
        ),
        ("EX-RET-B3; EX-RET-C1A", "EX-RET-B3 cannot be taken with EX-RET-C1A."),
        (
            "EX-RET-C1B; EX-RET-C2A; EX-RET-C2B",
            "Group C allows at most 8 credits; this choice makes 10.",
        ),
        (
            "EX-RET-C1A; EX-RET-C1B",
            "Group C1 allows at most 3 credits; this choice makes 5.",
        ),
        ("=SUM(A1)", None),  # a formula, refused as every cell is
    ],
    ids=[
        "unknown",
        "two unknown",
        "mandatory",
        "barred pair",
        "group maximum",
        "inner maximum",
        "formula",
    ],
)
def test_a_choice_the_rules_refuse_is_reported_on_its_row_and_nothing_is_imported(
    cohort: Cohort, ada: User, centre: Centre, units: str, message: str | None
) -> None:
    content = intake(row("dev@example.org", "EX-RET-B1", name="Dev Das"), row(units=units))

    found = problems(content, centre)

    assert [(p.row, p.column) for p in found] == [(3, "optional units")]
    if message:
        assert found[0].message == message
    before = (Portfolio.objects.count(), UnitChoice.objects.count(), AuditEntry.objects.count())
    with pytest.raises(IntakeRefused):
        intake_import(actor=ada, rows=parse_intake(content).rows)
    assert (
        Portfolio.objects.count(),
        UnitChoice.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_optional_units_on_a_qualification_without_any_are_refused(
    centre: Centre, ada: User, ocr: Qualification, tom: User, asha: User
) -> None:
    Cohort.objects.create(centre=centre, name="Diploma 2026", qualification=ocr)
    content = intake(row(units="RS-WWO", **{"qualification reference": ocr.reference}))

    [problem] = problems(content, centre)

    assert problem.message.startswith("RS-WWO is mandatory on OCR-L3-RSSP-CERT")


def test_the_preview_shows_the_optional_units_column_only_when_the_file_uses_it(
    cohort: Cohort, ada: User
) -> None:
    client = Client()
    client.force_login(ada)
    for units, shown in (("EX-RET-B1", True), ("", False)):
        upload = io.BytesIO(intake(row(units=units)))
        upload.name = "intake.csv"
        client.post(reverse("enrolment:intake_upload"), {"file": upload})

        page = text_of(client.get(reverse("enrolment:intake_preview")))

        assert ('<th scope="col">Optional units</th>' in page) is shown


def test_the_upload_page_explains_the_optional_units_column(ada: User) -> None:
    client = Client()
    client.force_login(ada)

    page = text_of(client.get(reverse("enrolment:intake_upload")))

    assert "<code>optional units</code> column" in page
    assert "separated by semicolons" in page


# One learner, and current versions -------------------------------------------------------------


def test_enrolling_one_learner_on_a_qualification_with_optional_units_goes_on_to_choose_them(
    ada: User, asha: User, cohort: Cohort, diploma: Qualification
) -> None:
    client = Client()
    client.force_login(ada)

    response = client.post(
        reverse("enrolment:learner_enrol"),
        {
            "full_name": "Cara Cole",
            "email": "cara@example.org",
            "qualification": diploma.pk,
            "cohort": cohort.pk,
            "assessor": asha.pk,
            "start_date": "2026-09-01",
            "planned_end_date": "2027-07-31",
        },
    )

    portfolio = Portfolio.objects.get(learner__email="cara@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:portfolio_units", args=[portfolio.pk])
    assert messages_of(response)[-1] == (
        "This qualification has optional units: choose them for the learner here, now or later."
    )
    assert not UnitChoice.objects.exists()  # mandatory units are never stored
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="choose-EX-RET-B1"' in text_of(page)


def test_enrolling_on_a_qualification_without_optional_units_returns_to_the_learner_list(
    ada: User, asha: User, ocr: Qualification, centre: Centre
) -> None:
    client = Client()
    client.force_login(ada)

    response = client.post(
        reverse("enrolment:learner_enrol"),
        {
            "full_name": "Cara Cole",
            "email": "cara@example.org",
            "qualification": ocr.pk,
            "cohort": Cohort.objects.create(centre=centre, name="OCR", qualification=ocr).pk,
            "assessor": asha.pk,
            "start_date": "2026-09-01",
            "planned_end_date": "2027-07-31",
        },
    )

    assert response["Location"] == reverse("enrolment:learner_list")


def test_the_enrolment_forms_offer_only_current_versions(
    centre: Centre, diploma: Qualification, first_version: Qualification
) -> None:
    for form in (EnrolForm(centre_id=centre.pk), CohortForm(centre_id=centre.pk)):
        offered = set(form.fields["qualification"].queryset)
        assert diploma in offered
        assert first_version not in offered


def test_the_service_refuses_an_earlier_version(
    ada: User, asha: User, first_version: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused) as refusal:
        enrolment.learner_enrol(
            actor=ada,
            full_name="Cara Cole",
            email="cara@example.org",
            qualification=first_version,
            cohort=None,
            assessor=asha,
            start_date=datetime.date(2026, 9, 1),
            planned_end_date=datetime.date(2027, 7, 31),
        )

    assert (refusal.value.field, refusal.value.message) == ("qualification", OLD_VERSION)
    assert not Portfolio.objects.exists()


def test_checking_optional_units_reads_the_same_queries_for_one_row_and_many(
    cohort: Cohort, centre: Centre
) -> None:
    one = parse_intake(intake(row(units="EX-RET-B1"))).rows
    many = parse_intake(
        intake(*[row(f"learner{n}@example.org", "EX-RET-B1; EX-RET-C2A") for n in range(50)])
    ).rows
    with CaptureQueriesContext(connection) as first:
        check_intake(centre=centre, rows=one)
    with CaptureQueriesContext(connection) as second:
        check_intake(centre=centre, rows=many)

    assert len(second) == len(first)
