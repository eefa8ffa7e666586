"""Checking an intake file's rows: every problem in every row, by row and column, found with a
fixed number of queries however long the file.

The cells are checked as cells here (empty, a formula, too long, not a date, naming nothing at
this centre); what makes an enrolment allowed is `validation.enrolment_check`, the same rules
the enrol form's service keeps.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from accounts.models import Centre, User
from cohorts.models import Cohort
from enrolment.intake_file import (
    ALL_COLUMNS,
    COLUMNS,
    HEADER_ROW,
    OPTIONAL_COLUMNS,
    OPTIONAL_UNITS,
    IntakeRow,
    Problem,
    parse_intake_text,
)
from enrolment.selectors import (
    assessors_by_email,
    cohorts_by_name,
    enrolled_pairs,
    people_by_email,
    qualifications_by_reference,
    unit_menus,
)
from enrolment.validation import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Enrolment,
    UnitMenu,
    enrolment_check,
    formula_problem,
    is_email,
    normalise_email,
    unit_references,
)
from qualifications.models import Qualification

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# Room for a long list of unit references; anything longer is the wrong cell.
FIELD_LIMITS = {"name": NAME_MAX_LENGTH, OPTIONAL_UNITS: 1_000}
# Which column of the file holds each field of an enrolment.
FIELD_COLUMNS = {
    "full_name": "name",
    "email": "email",
    "qualification": "qualification reference",
    "cohort": "cohort",
    "assessor": "assessor email",
    "start_date": "start",
    "planned_end_date": "planned end",
    "optional_units": OPTIONAL_UNITS,
}
_NO_LEARNERS = "There are no learners below the header row; add one row per learner."


class Status:
    NEW = "New learner"
    EXISTING = "Has an account here"
    ENROLLED = "Already enrolled"


@dataclass(frozen=True)
class CheckedRow:
    row: int
    cells: dict[str, str]
    status: str  # a Status, or "" when the row has problems
    enrolment: Enrolment | None


@dataclass
class CheckedIntake:
    rows: list[CheckedRow]
    problems: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {status: 0 for status in (Status.NEW, Status.EXISTING, Status.ENROLLED)}
        for row in self.rows:
            if row.status:
                self.counts[row.status] += 1

    @property
    def to_enrol(self) -> list[Enrolment]:
        return [
            row.enrolment
            for row in self.rows
            if row.enrolment is not None and row.status != Status.ENROLLED
        ]

    @property
    def to_enrol_count(self) -> int:
        """How many portfolios importing would create: none while any row has a problem."""
        if self.problems:
            return 0
        return len(self.rows) - self.counts[Status.ENROLLED]

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems})


def check_intake_text(*, centre: Centre, text: str) -> CheckedIntake:
    """The stored file read and checked afresh: its problems as a file, or its rows checked."""
    parsed = parse_intake_text(text)
    if parsed.problems:
        return CheckedIntake([], parsed.problems)
    return check_intake(centre=centre, rows=parsed.rows)


@dataclass(frozen=True)
class _Lookups:
    """What the file's rows name, each read from the database once."""

    centre: Centre
    qualifications: dict[str, Qualification]
    cohorts: dict[str, Cohort]
    assessors: dict[str, User]
    people: dict[str, User]
    enrolled: set[tuple[int, str]]
    menus: dict[int, UnitMenu]  # for the qualifications of rows that choose optional units


def _lookups(centre: Centre, rows: Sequence[IntakeRow], emails: list[str]) -> _Lookups:
    people = people_by_email(email for email in emails if email)
    qualifications = qualifications_by_reference(
        {row.cells["qualification reference"].upper() for row in rows} - {""}
    )
    choosing = {
        qualifications[reference].pk
        for row in rows
        if row.cells[OPTIONAL_UNITS]
        and (reference := row.cells["qualification reference"].upper()) in qualifications
    }
    return _Lookups(
        centre=centre,
        qualifications=qualifications,
        cohorts=cohorts_by_name(centre.pk, {row.cells["cohort"].casefold() for row in rows} - {""}),
        assessors=assessors_by_email(
            centre.pk, {normalise_email(row.cells["assessor email"]) for row in rows} - {""}
        ),
        people=people,
        enrolled=enrolled_pairs(p.pk for p in people.values() if p.centre_id == centre.pk),
        menus=unit_menus(choosing),
    )


def check_intake(*, centre: Centre, rows: Sequence[IntakeRow]) -> CheckedIntake:
    """Every problem in every row, found with the same few queries however many rows there are:
    the qualifications (with their units and rules, for rows that choose optional units),
    cohorts (with tutors), assessors, accounts and portfolios the file names are each read
    once."""
    if not rows:
        return CheckedIntake([], [Problem(HEADER_ROW + 1, "", _NO_LEARNERS)])
    emails = [normalise_email(row.cells["email"]) for row in rows]
    lookups = _lookups(centre, rows, emails)
    first_seen: dict[str, int] = {}
    checked, problems = [], []
    for row, email in zip(rows, emails, strict=True):
        row_problems, enrolment = _check_row(row, email, lookups, first_seen)
        problems.extend(row_problems)
        if enrolment is None:
            checked.append(CheckedRow(row.row, row.cells, "", None))
            continue
        if enrolment.learner is None:
            status = Status.NEW
        elif (enrolment.learner.pk, enrolment.qualification.reference) in lookups.enrolled:
            status = Status.ENROLLED
        else:
            status = Status.EXISTING
        checked.append(CheckedRow(row.row, row.cells, status, enrolment))
    return CheckedIntake(checked, problems)


def _parse_date(text: str) -> datetime.date | None:
    for date_format in DATE_FORMATS:
        try:
            value = datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
        return value if EARLIEST_YEAR <= value.year <= LATEST_YEAR else None
    return None


def _cell_problems(cells: dict[str, str]) -> dict[str, str]:
    """Column → what is wrong with its cell as a cell, before anything is looked up."""
    found = {}
    for column in COLUMNS:
        value = cells[column]
        if not value:
            found[column] = f"Empty: every row needs the learner’s {column}."
        elif problem := formula_problem(value):
            # The file would be opened in a spreadsheet again; every cell is held to this.
            found[column] = problem
        elif len(value) > FIELD_LIMITS.get(column, EMAIL_MAX_LENGTH):
            found[column] = "Too long: check that this is the right cell."
    for column in OPTIONAL_COLUMNS:
        value = cells[column]
        if problem := formula_problem(value):
            found[column] = problem
        elif len(value) > FIELD_LIMITS[column]:
            found[column] = "Too long: check that this is the right cell."
    return found


def _check_row(
    row: IntakeRow, email: str, lookups: _Lookups, first_seen: dict[str, int]
) -> tuple[list[Problem], Enrolment | None]:
    cells = row.cells
    found = _cell_problems(cells)  # column → the first problem with it

    if "email" not in found and is_email(email):
        if email in first_seen:
            found["email"] = (
                f"This email address is also on row {first_seen[email]}. Each learner appears "
                "once in a file."
            )
        else:
            first_seen[email] = row.row

    reference = cells["qualification reference"]
    qualification = lookups.qualifications.get(reference.upper())
    if "qualification reference" not in found and qualification is None:
        found["qualification reference"] = (
            f"No qualification has the reference “{reference}”. Copy the reference from the "
            "qualifications page."
        )

    cohort = lookups.cohorts.get(cells["cohort"].casefold())
    if "cohort" not in found and cohort is None:
        found["cohort"] = (
            f"There is no cohort called “{cells['cohort']}” at this centre. Create it "
            "first, or check the spelling."
        )

    assessor = lookups.assessors.get(normalise_email(cells["assessor email"]))
    if "assessor email" not in found and assessor is None:
        found["assessor email"] = (
            f"No assessor at this centre has the email address “{cells['assessor email']}”."
        )

    dates: dict[str, datetime.date | None] = {}
    for column in ("start", "planned end"):
        if column not in found:
            dates[column] = _parse_date(cells[column])
            if dates[column] is None:
                found[column] = (
                    f"“{cells[column]}” is not a date this file can use. Write dates as "
                    "2026-09-01 or 01/09/2026."
                )

    refused, enrolment = enrolment_check(
        centre_id=lookups.centre.pk,
        full_name=cells["name"],
        email=email,
        person=lookups.people.get(email),
        qualification=qualification,
        cohort=cohort,
        assessor=assessor,
        start_date=dates.get("start"),
        planned_end_date=dates.get("planned end"),
        optional_units=[] if OPTIONAL_UNITS in found else unit_references(cells[OPTIONAL_UNITS]),
        menu=lookups.menus.get(qualification.pk) if qualification else None,
    )
    for field_name, message in refused.items():
        found.setdefault(FIELD_COLUMNS[field_name], message)

    if found or row.shape_problem:
        problems = [Problem(row.row, "", row.shape_problem)] if row.shape_problem else []
        problems += [Problem(row.row, c, found[c]) for c in ALL_COLUMNS if c in found]
        return problems, None
    return [], enrolment
