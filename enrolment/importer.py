"""The CSV intake: a file of learners checked as a whole, then enrolled all at once or not at all.

`parse_intake` reads the bytes (UTF-8 with or without Excel's byte-order mark, any line
endings, quoted fields) into rows numbered as a spreadsheet shows them (the header is row 1).
`check_intake` finds every problem in every row with a fixed number of queries, however long
the file. `import_intake` checks again inside its transaction and writes only a clean file;
learners already on the qualification are left as they are, so uploading a file twice
enrols nobody twice.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower, Upper

from accounts.models import Centre, Role, User
from cohorts.models import Cohort
from enrolment.services import (
    ELSEWHERE,
    ENDS_BEFORE_START,
    NOT_AN_EMAIL,
    OWN_ASSESSOR,
    Enrolment,
    EnrolmentRefused,
    centre_people,
    cohort_on_other_qualification,
    cohorts_with_tutors,
    enrol_checked,
    invite_on_commit,
    is_email,
    normalise_email,
    people_by_email,
    require_centre_admin,
)
from portfolio.audit import audit_record
from portfolio.models import Portfolio
from qualifications.models import Qualification

COLUMNS = (
    "name",
    "email",
    "qualification reference",
    "cohort",
    "assessor email",
    "start",
    "planned end",
)
MAX_ROWS = 10_000
# Room for 10,000 generous rows; anything bigger is not an intake list.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Cells a spreadsheet would run as a formula when the file is opened again.
FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
FIELD_LIMITS = {"name": User._meta.get_field("full_name").max_length}

HEADER_ROW = 1


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # one of COLUMNS, or "" for the row (or file) as a whole
    message: str


@dataclass(frozen=True)
class IntakeRow:
    row: int
    cells: dict[str, str]
    shape_problem: str = ""  # the row has more cells than the header


@dataclass(frozen=True)
class ParsedIntake:
    """The file's rows; or, when the file as a whole cannot be used, no rows and why."""

    rows: list[IntakeRow]
    problems: list[Problem]


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


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created_learners: int
    enrolled: int
    already_enrolled: int
    invitations: int


class IntakeRefused(EnrolmentRefused):
    """The file has problems, so nothing was written; `problems` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"Nothing was imported: the file has {len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}. Fix them and upload it again."
        )
        self.problems = problems


# Reading the file ----------------------------------------------------------------------------


def decode_intake(content: bytes) -> str | None:
    """The file as text, or None when it is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _header_key(text: str) -> str:
    return "".join(text.split()).lower()


COLUMN_KEYS = {_header_key(column): column for column in COLUMNS}


def parse_intake(content: bytes) -> ParsedIntake:
    text = decode_intake(content)
    if text is None:
        return ParsedIntake(
            [],
            [
                Problem(
                    HEADER_ROW,
                    "",
                    "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma "
                    "delimited)”; other spreadsheets call it CSV with UTF-8 encoding.",
                )
            ],
        )
    return parse_intake_text(text)


def parse_intake_text(text: str) -> ParsedIntake:
    """Rows keyed by column name, or no rows and the problems with the file as a whole."""
    records = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[IntakeRow] = []
    row_number = HEADER_ROW
    try:
        header = next(records, None)
        if header is None or not any(cell.strip() for cell in header):
            return ParsedIntake([], [Problem(HEADER_ROW, "", _EMPTY_FILE)])
        positions, problems = _read_header(header)
        if problems:
            return ParsedIntake([], problems)
        for row_number, record in enumerate(records, start=HEADER_ROW + 1):
            if not any(cell.strip() for cell in record):
                continue  # spreadsheets leave blank lines at the end
            if len(rows) == MAX_ROWS:
                return ParsedIntake([], [Problem(row_number, "", _TOO_MANY_ROWS)])
            shape = ""
            if any(cell.strip() for cell in record[len(header) :]):
                shape = (
                    f"This row has {len(record)} cells but the header has {len(header)}: "
                    "check for a stray comma, or a comma in a cell that is not in quotes."
                )
            cells = {
                column: record[position].strip() if position < len(record) else ""
                for column, position in positions.items()
            }
            rows.append(IntakeRow(row_number, cells, shape))
    except csv.Error as error:
        return ParsedIntake(
            [], [Problem(row_number + 1, "", f"This row cannot be read as CSV: {error}.")]
        )
    return ParsedIntake(rows, [])


_TOO_MANY_ROWS = (
    f"The file has more than {MAX_ROWS:,} learners. Split it into files of {MAX_ROWS:,} rows "
    "or fewer and import each in turn."
)
_EMPTY_FILE = "The file is empty. The first row must name the columns: " + ", ".join(COLUMNS) + "."


def _read_header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    positions: dict[str, int] = {}
    problems = []
    if len(header) == 1 and ";" in header[0]:
        return {}, [
            Problem(
                HEADER_ROW,
                "",
                "The columns are separated by semicolons. Save the file as CSV with commas "
                "between the columns.",
            )
        ]
    for position, cell in enumerate(header):
        column = COLUMN_KEYS.get(_header_key(cell))
        if column is None:
            if cell.strip():
                problems.append(
                    Problem(
                        HEADER_ROW,
                        cell.strip(),
                        f"“{cell.strip()}” is not an intake column. The columns are: "
                        + ", ".join(COLUMNS)
                        + ".",
                    )
                )
        elif column in positions:
            problems.append(
                Problem(HEADER_ROW, column, f"The “{column}” column appears twice; keep one.")
            )
        else:
            positions[column] = position
    for column in COLUMNS:
        if column not in positions:
            problems.append(
                Problem(
                    HEADER_ROW,
                    column,
                    f"The header has no “{column}” column. The first row must name the "
                    "columns: " + ", ".join(COLUMNS) + ".",
                )
            )
    return positions, problems


# Checking every row --------------------------------------------------------------------------


def _parse_date(text: str) -> datetime.date | None:
    for date_format in DATE_FORMATS:
        try:
            value = datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
        return value if EARLIEST_YEAR <= value.year <= LATEST_YEAR else None
    return None


@dataclass(frozen=True)
class _Lookups:
    """What the file's rows name, each read from the database once."""

    centre: Centre
    qualifications: dict[str, Qualification]
    cohorts: dict[str, Cohort]
    assessors: dict[str, User]
    people: dict[str, User]
    enrolled: set[tuple[int, int]]


def _lookups(centre: Centre, rows: Sequence[IntakeRow], emails: list[str]) -> _Lookups:
    references = {row.cells["qualification reference"].upper() for row in rows} - {""}
    qualifications = Qualification.objects.annotate(reference_upper=Upper("reference"))
    cohort_names = {row.cells["cohort"].casefold() for row in rows} - {""}
    cohorts: dict[str, Cohort] = {}
    if cohort_names:
        # A centre has tens of cohorts, not thousands; matching here ignores case the same
        # way on every database.
        for cohort in cohorts_with_tutors(centre.pk):
            if cohort.name.casefold() in cohort_names:
                cohorts.setdefault(cohort.name.casefold(), cohort)
    assessor_emails = {normalise_email(row.cells["assessor email"]) for row in rows} - {""}
    assessors = centre_people(centre.pk, Role.ASSESSOR).annotate(email_lower=Lower("email"))
    people = people_by_email(email for email in emails if email)
    local = [person.pk for person in people.values() if person.centre_id == centre.pk]
    return _Lookups(
        centre=centre,
        qualifications={
            q.reference_upper: q for q in qualifications.filter(reference_upper__in=references)
        },
        cohorts=cohorts,
        assessors={a.email_lower: a for a in assessors.filter(email_lower__in=assessor_emails)},
        people=people,
        enrolled=set(
            Portfolio.objects.filter(learner_id__in=local).values_list(
                "learner_id", "qualification_id"
            )
        ),
    )


_NO_LEARNERS = "There are no learners below the header row; add one row per learner."


def check_intake(*, centre: Centre, rows: Sequence[IntakeRow]) -> CheckedIntake:
    """Every problem in every row, found with the same few queries however many rows there are:
    the qualifications, cohorts (with tutors), assessors, accounts and portfolios the file
    names are each read once."""
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
        elif (enrolment.learner.pk, enrolment.qualification.pk) in lookups.enrolled:
            status = Status.ENROLLED
        else:
            status = Status.EXISTING
        checked.append(CheckedRow(row.row, row.cells, status, enrolment))
    return CheckedIntake(checked, problems)


def _check_row(
    row: IntakeRow, email: str, lookups: _Lookups, first_seen: dict[str, int]
) -> tuple[list[Problem], Enrolment | None]:
    cells = row.cells
    found: dict[str, str] = {}  # column → the first problem with it
    for column in COLUMNS:
        value = cells[column]
        if not value:
            found[column] = f"Empty: every row needs the learner’s {column}."
        elif value.startswith(FORMULA_STARTS):
            found[column] = (
                f"Starts with “{value[0]}”, so a spreadsheet would run it as a formula. "
                "Type the value itself, without a formula."
            )
        elif len(value) > FIELD_LIMITS.get(column, 254):
            found[column] = "Too long: check that this is the right cell."

    if "email" not in found:
        if not is_email(email):
            found["email"] = NOT_AN_EMAIL
        elif email in first_seen:
            found["email"] = (
                f"This email address is also on row {first_seen[email]}. Each learner appears "
                "once in a file."
            )
        else:
            first_seen[email] = row.row
            person = lookups.people.get(email)
            if person is not None and person.centre_id != lookups.centre.pk:
                found["email"] = ELSEWHERE

    reference = cells["qualification reference"]
    qualification = lookups.qualifications.get(reference.upper())
    if "qualification reference" not in found and qualification is None:
        found["qualification reference"] = (
            f"No qualification has the reference “{reference}”. Copy the reference from the "
            "qualifications page."
        )

    cohort = lookups.cohorts.get(cells["cohort"].casefold())
    if "cohort" not in found:
        if cohort is None:
            found["cohort"] = (
                f"There is no cohort called “{cells['cohort']}” at this centre. Create it "
                "first, or check the spelling."
            )
        elif qualification and cohort.qualification_id not in (None, qualification.pk):
            found["cohort"] = cohort_on_other_qualification(cohort, qualification)

    assessor = lookups.assessors.get(normalise_email(cells["assessor email"]))
    if "assessor email" not in found:
        if assessor is None:
            found["assessor email"] = (
                f"No assessor at this centre has the email address “{cells['assessor email']}”."
            )
        elif normalise_email(assessor.email) == email:
            found["assessor email"] = OWN_ASSESSOR

    dates: dict[str, datetime.date | None] = {}
    for column in ("start", "planned end"):
        if column not in found:
            dates[column] = _parse_date(cells[column])
            if dates[column] is None:
                found[column] = (
                    f"“{cells[column]}” is not a date this file can use. Write dates as "
                    "2026-09-01 or 01/09/2026."
                )
    start, end = dates.get("start"), dates.get("planned end")
    if start and end and end < start:
        found["planned end"] = ENDS_BEFORE_START

    if found or row.shape_problem:
        problems = [Problem(row.row, "", row.shape_problem)] if row.shape_problem else []
        problems += [Problem(row.row, c, found[c]) for c in COLUMNS if c in found]
        return problems, None
    learner = lookups.people.get(email)
    return [], Enrolment(
        full_name=" ".join(cells["name"].split()),
        email=email,
        qualification=qualification,
        cohort=cohort,
        assessor=assessor,
        start_date=start,
        planned_end_date=end,
        learner=learner,
        learner_has_role=bool(learner and learner.is_learner),
    )


# Writing -------------------------------------------------------------------------------------


def import_intake(*, actor: User, rows: Sequence[IntakeRow]) -> ImportSummary:
    """Enrol every learner in the file, in one transaction, or nobody if any row has a problem."""
    try:
        with transaction.atomic():
            require_centre_admin(actor)
            checked = check_intake(centre=actor.centre, rows=rows)
            if checked.problems:
                raise IntakeRefused(checked.problems)
            enrolments = checked.to_enrol
            new_users, portfolios = enrol_checked(centre=actor.centre, enrolments=enrolments)
            summary = ImportSummary(
                rows=len(checked.rows),
                created_learners=len(new_users),
                enrolled=len(portfolios),
                already_enrolled=checked.counts[Status.ENROLLED],
                invitations=len(new_users),
            )
            audit_record(
                actor=actor,
                action="intake.import",
                obj=actor.centre,
                portfolio=None,
                changes={
                    "after": {
                        "rows": summary.rows,
                        "new_learners": summary.created_learners,
                        "already_enrolled": summary.already_enrolled,
                        "enrolled": [[e.email, e.qualification.reference] for e in enrolments],
                    }
                },
            )
            invite_on_commit(new_users)
            return summary
    except IntegrityError:
        raise EnrolmentRefused(
            "Some of these learners were enrolled by someone else while the file was being "
            "imported. Upload the file again to see where things stand."
        ) from None
