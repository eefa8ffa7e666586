"""The CSV intake file: its columns and limits, and its bytes read into numbered rows.

`parse_intake` reads the bytes (UTF-8 with or without Excel's byte-order mark, any line
endings, quoted fields) into rows numbered as a spreadsheet shows them (the header is row 1);
a file that cannot be used at all yields no rows and the reasons. Checking the rows is
intake_check.py's part.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from accounts.text import without_bidi_controls

COLUMNS = (
    "name",
    "email",
    "qualification reference",
    "cohort",
    "assessor email",
    "start",
    "planned end",
)
# Columns a file may leave out, or leave empty on any row.
OPTIONAL_UNITS = "optional units"
ULN = "uln"
REGISTRATION_NUMBER = "registration number"
OPTIONAL_COLUMNS = (OPTIONAL_UNITS, ULN, REGISTRATION_NUMBER)
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 10_000
# Room for 10,000 generous rows; anything bigger is not an intake list.
MAX_FILE_BYTES = 5 * 1024 * 1024
NOT_UTF8 = (
    "This file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”; other "
    "spreadsheets call it CSV with UTF-8 encoding."
)

HEADER_ROW = 1


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # one of ALL_COLUMNS, or "" for the row (or file) as a whole
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


def intake_template() -> str:
    """The file to fill in: the header row, every column named as the intake reads it, with
    the byte-order mark Excel needs to open it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(ALL_COLUMNS)
    return "\ufeff" + buffer.getvalue()


# Reading the file ----------------------------------------------------------------------------


def decode_intake(content: bytes) -> str | None:
    """The file as text, or None when it is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _header_key(text: str) -> str:
    """A header cell as it is matched: "Optional units", "optional_units" and "OPTIONAL-UNITS"
    name the same column."""
    return "".join(text.replace("_", " ").replace("-", " ").split()).lower()


# Other names spreadsheets give the optional columns.
COLUMN_ALIASES = {
    "unique learner number": ULN,
    "unique learner number (uln)": ULN,
    "awarding body registration number": REGISTRATION_NUMBER,
    "awarding-body registration number": REGISTRATION_NUMBER,
    "registration": REGISTRATION_NUMBER,
}
COLUMN_KEYS = {_header_key(column): column for column in ALL_COLUMNS} | {
    _header_key(alias): column for alias, column in COLUMN_ALIASES.items()
}


def parse_intake(content: bytes) -> ParsedIntake:
    """The uploaded bytes as rows, or no rows and why the file cannot be used."""
    text = decode_intake(content)
    if text is None:
        return ParsedIntake([], [Problem(HEADER_ROW, "", NOT_UTF8)])
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
                column: without_bidi_controls(record[positions[column]]).strip()
                if column in positions and positions[column] < len(record)
                else ""
                for column in ALL_COLUMNS
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
_COLUMNS_NAMED = (
    ", ".join(COLUMNS)
    + f"; and, if you wish, {OPTIONAL_UNITS}, {ULN} (the Unique Learner Number) and "
    + REGISTRATION_NUMBER
    + " (the awarding body's)"
)
_EMPTY_FILE = f"The file is empty. The first row must name the columns: {_COLUMNS_NAMED}."


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
                        f"{_COLUMNS_NAMED}.",
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
