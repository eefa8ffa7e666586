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
    REGISTRATION_NUMBER,
    ULN,
    IntakeRow,
    Problem,
    parse_intake_text,
)
from enrolment.matching import Found, could_be, did_you_mean
from enrolment.selectors import (
    assessors_by_email,
    cohort_index,
    enrolled_pairs,
    people_by_email,
    people_by_uln,
    qualification_index,
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
    normalise_uln,
    unit_references,
)
from qualifications.models import Qualification

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# Room for a long list of unit references; anything longer is the wrong cell.
FIELD_LIMITS = {"name": NAME_MAX_LENGTH, OPTIONAL_UNITS: 1_000, ULN: 20, REGISTRATION_NUMBER: 200}
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
    "uln": ULN,
    "registration_number": REGISTRATION_NUMBER,
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
    """What the file's rows name, each read from the database once: qualifications and cohorts
    by what each distinct cell says (see `matching`), the rest by key."""

    centre: Centre
    qualifications: dict[str, Found[Qualification]]
    cohorts: dict[str, Found[Cohort]]
    assessors: dict[str, User]
    people: dict[str, User]
    uln_holders: dict[str, User]
    enrolled: set[tuple[int, str]]
    menus: dict[int, UnitMenu]  # for the qualifications of rows that choose optional units


def _lookups(centre: Centre, rows: Sequence[IntakeRow], emails: list[str]) -> _Lookups:
    people = people_by_email(email for email in emails if email)
    references = qualification_index()
    qualifications = {
        cell: references.find(cell)
        for cell in {row.cells["qualification reference"] for row in rows} - {""}
    }
    names = cohort_index(centre.pk)
    choosing = {
        found.item.pk
        for row in rows
        if row.cells[OPTIONAL_UNITS]
        and (found := qualifications.get(row.cells["qualification reference"]))
        and found.item
    }
    return _Lookups(
        centre=centre,
        qualifications=qualifications,
        cohorts={cell: names.find(cell) for cell in {row.cells["cohort"] for row in rows} - {""}},
        assessors=assessors_by_email(
            centre.pk, {normalise_email(row.cells["assessor email"]) for row in rows} - {""}
        ),
        people=people,
        uln_holders=people_by_uln(centre.pk, (normalise_uln(row.cells[ULN]) for row in rows)),
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
    uln_first_seen: dict[str, tuple[int, str]] = {}
    checked, problems = [], []
    for row, email in zip(rows, emails, strict=True):
        row_problems, enrolment = _check_row(row, email, lookups, first_seen, uln_first_seen)
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
    row: IntakeRow,
    email: str,
    lookups: _Lookups,
    first_seen: dict[str, int],
    uln_first_seen: dict[str, tuple[int, str]],
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
    match = lookups.qualifications.get(reference, Found(None))
    qualification = match.item
    if "qualification reference" not in found and qualification is None:
        found["qualification reference"] = (
            f"“{reference}” could be the qualification {could_be(match)}; write its reference "
            "exactly as on the qualifications page."
            if match.ambiguous
            else f"No qualification has the reference “{reference}”.{did_you_mean(match)} Copy "
            "the reference from the qualifications page."
        )

    match = lookups.cohorts.get(cells["cohort"], Found(None))
    cohort = match.item
    if "cohort" not in found and cohort is None:
        found["cohort"] = (
            f"“{cells['cohort']}” could be the cohort {could_be(match)}; write its name exactly "
            "as on the cohorts page."
            if match.ambiguous
            else f"There is no cohort called “{cells['cohort']}” at this centre."
            f"{did_you_mean(match)} Create it first, or check the spelling."
        )

    uln = normalise_uln(cells[ULN])
    if ULN not in found and uln:
        if uln in uln_first_seen and uln_first_seen[uln][1] != email:
            found[ULN] = (
                f"This ULN is also on row {uln_first_seen[uln][0]}, for another learner. Each "
                "learner has their own ULN."
            )
        else:
            uln_first_seen.setdefault(uln, (row.row, email))

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
        uln=uln,
        uln_holder=lookups.uln_holders.get(uln),
        registration_number=cells[REGISTRATION_NUMBER],
    )
    for field_name, message in refused.items():
        found.setdefault(FIELD_COLUMNS[field_name], message)

    if found or row.shape_problem:
        problems = [Problem(row.row, "", row.shape_problem)] if row.shape_problem else []
        problems += [Problem(row.row, c, found[c]) for c in ALL_COLUMNS if c in found]
        return problems, None
    return [], enrolment
