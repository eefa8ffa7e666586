"""The rules an enrolment must meet, written once.

The enrol form, `services.learner_enrol` and the CSV intake all ask `enrolment_check`, or one of
the rules it is made of; each then words the answer for its own page (a field's error, or
"row N, column X"). Finding the cohort, assessor and account an enrolment names is the caller's
part: the form and service look them up by key, the intake by what the file's cells say.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import ULN_PATTERN, ULN_SHAPE, User
from assessment.services.units import sentence
from cohorts.models import Cohort
from portfolio.spreadsheet import FORMULA_STARTS
from qualifications.models import Qualification, Unit
from qualifications.rules import Rules, choice_problems, feasible

# Says no more than that: whether an address has an account at another centre is not this
# centre's to know.
ELSEWHERE = (
    "This email address cannot be enrolled here. Check it for typing mistakes, or ask the "
    "learner for another address; if it is right, contact support."
)
NOT_AN_EMAIL = "This is not an email address; check it for typing mistakes."
NOT_AN_ASSESSOR = "Choose an assessor who works at this centre."
OWN_ASSESSOR = "A learner cannot be their own assessor; choose someone else."
REGISTRATION_MAX_LENGTH = 40
NOT_AN_IQA = "Choose a designated IQA who is an internal quality assurer at this centre."
IQA_IS_ASSESSOR = (
    "The designated IQA cannot be the portfolio’s assessor: an IQA assures other people’s "
    "decisions. Choose another IQA, or another assessor."
)
IQA_IS_LEARNER = "A learner cannot be the designated IQA of their own portfolio."
ULN_TAKEN = (
    "Another learner at this centre already has that ULN. Check the number against the "
    "Learner Records Service."
)
ENDS_BEFORE_START = "The planned end is before the start; check both dates."
NO_NAME = "Enter the learner’s name."
NO_QUALIFICATION = "Choose the qualification."
OLD_VERSION = (
    "This is an earlier version of the qualification: learners are enrolled on the current "
    "version. Choose the qualification again."
)
NO_START = "Enter the start date."
NO_END = "Enter the planned end date."
NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length

# The fields of an enrolment, in the order the form shows them and a refusal names the first.
FIELDS = (
    "full_name",
    "email",
    "uln",
    "qualification",
    "registration_number",
    "cohort",
    "assessor",
    "start_date",
    "planned_end_date",
    "optional_units",
)


@dataclass(frozen=True)
class Enrolment:
    """One learner on one qualification, checked and ready to write."""

    full_name: str
    email: str
    qualification: Qualification
    cohort: Cohort | None
    assessor: User | None
    start_date: datetime.date
    planned_end_date: datetime.date
    # The learner's account at this centre, if they have one, and whether it is a learner's.
    learner: User | None = None
    learner_has_role: bool = False
    # Optional units chosen at enrolment; mandatory ones follow from the qualification.
    optional_units: tuple[Unit, ...] = ()
    # The learner's ULN (kept on their account) and awarding-body registration number (kept on
    # the portfolio), each empty when not known yet.
    uln: str = ""
    registration_number: str = ""


@dataclass(frozen=True)
class UnitMenu:
    """What checking a choice of optional units needs to know about one qualification."""

    rules: Rules
    mandatory: frozenset[str]  # unit references
    optional: dict[str, Unit]  # by upper-cased reference


_REFERENCE_SEPARATORS = re.compile(r"[;,\s]+")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_name(name: str) -> str:
    """Names as people mean them: no leading, trailing or doubled spaces."""
    return " ".join(name.split())


def formula_problem(value: str) -> str | None:
    """Why a typed value cannot stand: lists of names and cohorts are opened in spreadsheets,
    which would run one that starts like a formula."""
    if not value.startswith(FORMULA_STARTS):
        return None
    first = {"\t": "a tab", "\r": "a line break"}.get(value[0], f"“{value[0]}”")
    return (
        f"Starts with {first}, so a spreadsheet would run it as a formula. Type the value "
        "itself, without a formula."
    )


def is_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= EMAIL_MAX_LENGTH


def dates_problem(
    start_date: datetime.date | None, planned_end_date: datetime.date | None
) -> str | None:
    """Why these dates cannot stand together, if they cannot; a missing date is its own
    problem, found where it is entered."""
    if start_date and planned_end_date and planned_end_date < start_date:
        return ENDS_BEFORE_START
    return None


def cohort_on_other_qualification(cohort: Cohort, qualification: Qualification) -> str:
    return (
        f"“{cohort.name}” is a cohort on {cohort.qualification}, not {qualification}; choose a "
        "cohort on this qualification, or create one."
    )


def cohort_problem(cohort: Cohort | None, qualification: Qualification | None) -> str | None:
    """A cohort takes learners on its own qualification, or on any when it names none."""
    if cohort and qualification and cohort.qualification_id not in (None, qualification.pk):
        return cohort_on_other_qualification(cohort, qualification)
    return None


def own_assessor_problem(assessor: User | None, learner: User | None) -> str | None:
    """Nobody assesses their own portfolio."""
    if assessor is not None and learner is not None and assessor.pk == learner.pk:
        return OWN_ASSESSOR
    return None


def designated_iqa_problem(
    iqa: User | None, *, assessor: User | None, learner: User | None
) -> str | None:
    """The designated IQA is neither the portfolio's assessor nor its learner."""
    if iqa is None:
        return None
    if assessor is not None and iqa.pk == assessor.pk:
        return IQA_IS_ASSESSOR
    if learner is not None and iqa.pk == learner.pk:
        return IQA_IS_LEARNER
    return None


def normalise_uln(value: str) -> str:
    """A ULN as typed, without the spaces people put between groups of digits."""
    return "".join(value.split())


def uln_problem(uln: str) -> str | None:
    """A ULN is empty or exactly ten digits (0-9)."""
    if uln and not re.fullmatch(ULN_PATTERN, uln):
        return ULN_SHAPE
    return None


def enrolment_uln_problem(
    uln: str, *, centre_id: int, person: User | None, holder: User | None
) -> str | None:
    """Why this (normalised) ULN cannot be the enrolled learner's: its shape, another learner
    at the centre holding it (`holder`), or the learner's account already holding another."""
    if problem := uln_problem(uln):
        return problem
    if not uln:
        return None
    if holder is not None and (person is None or holder.pk != person.pk):
        return ULN_TAKEN
    if person is not None and person.centre_id == centre_id and person.uln not in ("", uln):
        return (
            f"This learner’s ULN is already recorded as {person.uln}. Leave the ULN empty, or "
            "correct it first from one of their portfolios (Reassign)."
        )
    return None


def normalise_registration(number: str) -> str:
    return " ".join(number.split())


def registration_problem(number: str) -> str | None:
    """An awarding-body registration number is free text, short, and not a formula."""
    if len(number) > REGISTRATION_MAX_LENGTH:
        return (
            f"A registration number has at most {REGISTRATION_MAX_LENGTH} characters; check "
            "that this is the right number."
        )
    return formula_problem(number)


def unit_references(text: str) -> list[str]:
    """The unit references a cell lists, separated by semicolons, commas or spaces; upper-cased
    (references are matched ignoring case), each once, in the order written."""
    return list(dict.fromkeys(ref.upper() for ref in _REFERENCE_SEPARATORS.split(text) if ref))


def _listed(references: list[str]) -> str:
    return (
        references[0]
        if len(references) == 1
        else (", ".join(references[:-1]) + " and " + references[-1])
    )


def optional_units_problem(
    qualification: Qualification, references: Sequence[str], menu: UnitMenu
) -> tuple[str | None, tuple[Unit, ...]]:
    """Why these optional units cannot be chosen together on this qualification, or none and
    the units. Every reference must name an optional unit of the qualification, and the choice
    with the mandatory units must break no maximum or barred pair and leave the rules possible
    to meet; the minimums can wait for the assessor to choose the rest."""
    mandatory_upper = {ref.upper() for ref in menu.mandatory}
    unknown = [ref for ref in references if ref not in menu.optional and ref not in mandatory_upper]
    if unknown:
        verb = "is not a unit" if len(unknown) == 1 else "are not units"
        return (
            f"{_listed(unknown)} {verb} of {qualification.reference}. Use the unit references "
            "on the qualification’s page, separated by semicolons.",
            (),
        )
    mandatory = [ref for ref in references if ref in mandatory_upper]
    if mandatory:
        verb, them = ("is", "it") if len(mandatory) == 1 else ("are", "them")
        return (
            f"{_listed(mandatory)} {verb} mandatory on {qualification.reference}: every learner "
            f"takes {them}, so list only optional units here.",
            (),
        )
    units = tuple(menu.optional[ref] for ref in references)
    taken = set(menu.mandatory) | {unit.reference for unit in units}
    if problems := choice_problems(menu.rules, taken):
        return " ".join(sentence(problem) for problem in problems), ()
    if not feasible(menu.rules, include=taken):
        return (
            "With these optional units no choice of the remaining units can meet the rules of "
            f"combination of {qualification.reference}; choose others.",
            (),
        )
    return None, units


def enrolment_check(
    *,
    centre_id: int,
    full_name: str,
    email: str,
    person: User | None,
    qualification: Qualification | None,
    cohort: Cohort | None,
    assessor: User | None,
    start_date: datetime.date | None,
    planned_end_date: datetime.date | None,
    optional_units: Sequence[str] = (),
    menu: UnitMenu | None = None,
    uln: str = "",
    uln_holder: User | None = None,
    registration_number: str = "",
) -> tuple[dict[str, str], Enrolment | None]:
    """The problems with this enrolment, by field of `FIELDS`, or none and the enrolment.

    `person` is the account with this email address at any centre; `cohort` and `assessor` have
    already been found among this centre's cohorts and assessors. `optional_units` are unit
    references (see `unit_references`), checked against `menu`, the qualification's units.
    `uln_holder` is whoever at this centre already has the ULN, if anyone.
    """
    full_name, email = normalise_name(full_name), normalise_email(email)
    found: dict[str, str] = {}
    if not full_name:
        found["full_name"] = NO_NAME
    elif problem := formula_problem(full_name):
        found["full_name"] = problem
    if not is_email(email):
        found["email"] = NOT_AN_EMAIL
    elif person is not None and person.centre_id != centre_id:
        found["email"] = ELSEWHERE
    uln, registration_number = normalise_uln(uln), normalise_registration(registration_number)
    if problem := enrolment_uln_problem(uln, centre_id=centre_id, person=person, holder=uln_holder):
        found["uln"] = problem
    if problem := registration_problem(registration_number):
        found["registration_number"] = problem
    units: tuple[Unit, ...] = ()
    if qualification is None:
        found["qualification"] = NO_QUALIFICATION
    elif not qualification.is_current:
        found["qualification"] = OLD_VERSION
    elif optional_units:
        if menu is None:
            raise ValueError("checking optional units needs the qualification's unit menu")
        problem, units = optional_units_problem(qualification, optional_units, menu)
        if problem:
            found["optional_units"] = problem
    if problem := cohort_problem(cohort, qualification):
        found["cohort"] = problem
    if problem := own_assessor_problem(assessor, person):
        found["assessor"] = problem
    if start_date is None:
        found["start_date"] = NO_START
    if planned_end_date is None:
        found["planned_end_date"] = NO_END
    elif problem := dates_problem(start_date, planned_end_date):
        found["planned_end_date"] = problem
    if found:
        return {field: found[field] for field in FIELDS if field in found}, None
    return {}, Enrolment(
        full_name=full_name,
        email=email,
        qualification=qualification,
        cohort=cohort,
        assessor=assessor,
        start_date=start_date,
        planned_end_date=planned_end_date,
        learner=person,
        learner_has_role=bool(person and person.is_learner),
        optional_units=units,
        uln=uln,
        registration_number=registration_number,
    )
