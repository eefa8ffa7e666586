"""The centre administrator enrols learners: a CSV intake with a bad row, fixed and imported;
a cohort created, one learner enrolled and reassigned. Every page is scanned with axe."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from accounts.models import Centre, User
from cohorts.models import Cohort
from portfolio.models import Portfolio
from qualifications.models import Qualification

pytestmark = pytest.mark.django_db(transaction=True)

OCR = "OCR-L3-RSSP-CERT"
HEADER = [
    "Name",
    "Email",
    "Qualification reference",
    "Cohort",
    "Assessor email",
    "Start",
    "Planned end",
]


@pytest.fixture
def cohort(catalogue: None, centre: Centre, tom: User, asha: User) -> Cohort:
    cohort = Cohort.objects.create(
        centre=centre, name="Retail 2026", qualification=Qualification.objects.get(reference=OCR)
    )
    cohort.tutors.add(tom)
    return cohort


def write_intake(path: Path, *rows: list[str]) -> Path:
    # Excel's "CSV UTF-8": a byte-order mark and Windows line endings.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def learner(name: str, email: str, start: str = "01/09/2026") -> list[str]:
    return [name, email, OCR, "Retail 2026", "asha@northgate.test", start, "31/07/2027"]


def test_administrator_fixes_a_bad_row_and_imports_the_intake(
    page: Page,
    live_server,
    cohort: Cohort,
    ada: User,
    tmp_path: Path,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    sign_in(page, ada)
    page.goto(f"{live_server.url}/centre/cohorts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts at Northgate Training")
    assert_accessible(page)

    page.get_by_role("link", name="Import from a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import learners from a file")
    assert_accessible(page)
    good_rows = [
        learner("Cara Cole", "cara@example.org"),
        learner("Dan Dee", "dan@example.org"),
        learner("Eve Eng", "eve@example.org"),
    ]
    bad_rows = [good_rows[0], learner("Dan Dee", "dan@example.org", start="1st Sept"), good_rows[2]]
    page.get_by_label("Intake file (CSV)").set_input_files(
        write_intake(tmp_path / "intake.csv", *bad_rows)
    )
    page.get_by_role("button", name="Check file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the intake file")
    problems = page.get_by_role("table", name="Problems by spreadsheet row")
    expect(problems.get_by_role("row")).to_have_count(2)  # header and the one problem
    expect(problems.get_by_role("row").nth(1)).to_contain_text("3start“1st Sept” is not a date")
    expect(page.get_by_role("button", name="Import 3 learners")).to_have_count(0)
    assert_accessible(page)
    assert not Portfolio.objects.exists()

    page.get_by_label("Intake file (CSV)").set_input_files(
        write_intake(tmp_path / "intake-fixed.csv", *good_rows)
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text("No problems found")).to_be_visible()
    expect(page.get_by_role("row", name="3 Dan Dee")).to_contain_text("New learner")
    assert_accessible(page)
    assert not Portfolio.objects.exists()

    page.get_by_role("button", name="Import 3 learners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners imported")
    expect(page.get_by_role("status")).to_contain_text("intake-fixed.csv: 3 rows")
    assert_accessible(page)
    assert Portfolio.objects.filter(cohort=cohort).count() == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        "cara@example.org",
        "dan@example.org",
        "eve@example.org",
    ]

    page.get_by_role("link", name="See the centre’s learners").click()
    expect(page.get_by_role("row", name="Dan Dee")).to_contain_text("Asha Patel")
    assert_accessible(page)


def test_administrator_creates_a_cohort_enrols_a_learner_and_reassigns_the_tutor(
    page: Page,
    live_server,
    catalogue: None,
    ada: User,
    asha: User,
    tom: User,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    sign_in(page, ada)
    page.goto(f"{live_server.url}/centre/cohorts/")
    page.get_by_role("link", name="New cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New cohort")
    page.get_by_role("button", name="Create cohort").click()
    expect(
        page.locator("[data-error-summary]").get_by_text("Give the cohort a name.")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Cohort name").fill("Spring 2027")
    page.get_by_label("Qualification").select_option(
        label="iCQ Level 3 Diploma in Retail Skills (Management)"
    )
    page.get_by_label("Start").fill("2027-03-01")
    page.get_by_label("Planned end").fill("2028-02-28")
    page.get_by_label("Tom Reid").check()
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("row", name="Spring 2027")).to_contain_text("Tom Reid")
    assert_accessible(page)

    page.get_by_role("link", name="Enrol a learner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a learner")
    assert_accessible(page)
    page.get_by_label("Learner’s full name").fill("Cara Cole")
    page.get_by_label("Learner’s email address").fill("cara@example.org")
    page.get_by_label("Qualification").select_option(
        label="iCQ Level 3 Diploma in Retail Skills (Management)"
    )
    page.get_by_label("Cohort").select_option(index=1)
    page.get_by_label("Assessor").select_option(label=f"Asha Patel ({asha.email})")
    page.get_by_label("Start").fill("2027-03-01")
    page.get_by_label("Planned end").fill("2028-02-28")
    page.get_by_role("button", name="Enrol learner").click()
    expect(page.get_by_text("emailed a link to choose a password")).to_be_visible()
    expect(page.get_by_role("row", name="Cara Cole")).to_contain_text("Tom Reid")
    assert_accessible(page)

    page.get_by_role("link", name="Reassign Cara Cole’s").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reassign Cara Cole’s portfolio")
    assert_accessible(page)
    page.get_by_label("Tutor").select_option(label="No tutor")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved who assesses and tutors")).to_be_visible()
    expect(page.get_by_role("row", name="Cara Cole")).not_to_contain_text("Tom Reid")


def test_administrator_fills_the_downloaded_template_on_a_phone_and_is_told_what_was_meant(
    browser: Browser,
    live_server: Any,
    cohort: Cohort,
    ada: User,
    tmp_path: Path,
    assert_accessible: Callable[[Page], None],
    assert_fits: Callable[[Page], None],
    sign_in: Callable[..., Page],
) -> None:
    page = sign_in(browser.new_context(viewport={"width": 390, "height": 844}), ada)
    page.goto(f"{live_server.url}{reverse('enrolment:intake_upload')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import learners from a file")
    assert_accessible(page)
    assert_fits(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (CSV)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "learner-intake.csv"
    header = next(csv.reader(template.open(encoding="utf-8-sig")))

    def fill(path: Path, *rows: dict[str, str]) -> Path:
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows([cells.get(column, "") for column in header] for cells in rows)
        return path

    cara = {
        "name": "Cara Cole",
        "email": "cara@example.org",
        "qualification reference": OCR.lower(),
        "cohort": "Retial 2026",
        "assessor email": "asha@northgate.test",
        "start": "01/09/2026",
        "planned end": "31/07/2027",
        "uln": "1234 567 890",
        "registration number": "OCR/26/0001",
    }
    page.get_by_label("Intake file (CSV)").set_input_files(fill(tmp_path / "a.csv", cara))
    page.get_by_role("button", name="Check file").click()
    problems = page.get_by_role("table", name="Problems by spreadsheet row")
    expect(problems.get_by_role("row").nth(1)).to_contain_text("Did you mean “Retail 2026”?")
    assert_accessible(page)
    assert_fits(page)

    page.get_by_label("Intake file (CSV)").set_input_files(
        fill(tmp_path / "b.csv", cara | {"cohort": "RETAIL  2026"})
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text("No problems found")).to_be_visible()
    expect(page.get_by_role("columnheader", name="ULN")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("button", name="Import 1 learner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners imported")
    portfolio = Portfolio.objects.get(learner__email="cara@example.org")
    assert (portfolio.cohort, portfolio.learner.uln) == (cohort, "1234567890")
    assert portfolio.registration_number == "OCR/26/0001"
    page.context.close()
