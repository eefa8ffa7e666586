"""Enrolment: cohorts, learners on qualifications, and who assesses and tutors each portfolio.

Same shape as portfolio/services/: keyword-only arguments, one transaction, a check that
refuses with a message for the centre administrator, one audit entry per call. One learner
(`learner_enrol`) and a whole CSV intake (`intake_import`) are checked by the same rules
(validation.py) and written by the same `enrol_checked`, so they get the same rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Centre, Membership, Role, User
from accounts.notifications import notify
from cohorts.models import Cohort
from enrolment.access import is_centre_admin
from enrolment.intake_check import Status, check_intake
from enrolment.intake_file import IntakeRow, Problem
from enrolment.selectors import (
    centre_people,
    cohorts_with_tutors,
    enrolled_portfolio,
    holds_role_at,
    people_by_email,
    people_by_uln,
)
from enrolment.tasks import invite_on_commit
from enrolment.validation import (
    FIELDS,
    NOT_AN_ASSESSOR,
    NOT_AN_IQA,
    ULN_TAKEN,
    Enrolment,
    dates_problem,
    designated_iqa_problem,
    enrolment_check,
    formula_problem,
    normalise_email,
    normalise_name,
    normalise_uln,
    own_assessor_problem,
    uln_problem,
)
from portfolio.audit import audit_record, audit_record_many
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio, UnitChoice
from qualifications.models import Qualification, QualificationUnit, Unit


class EnrolmentRefused(ActionRefused):
    """A refusal that belongs to one field of the form, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IntakeRefused(EnrolmentRefused):
    """The file has problems, so nothing was written; `problems` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"Nothing was imported: the file has {len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}. Fix them and upload it again."
        )
        self.problems = problems


@dataclass(frozen=True)
class EnrolmentResult:
    portfolio: Portfolio
    created_user: bool
    created_portfolio: bool


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created_learners: int
    enrolled: int
    already_enrolled: int
    invitations: int


def _require_centre_admin(actor: User) -> None:
    if not is_centre_admin(actor):
        raise EnrolmentRefused("Only centre administrators can do this.")


@contextmanager
def _refused_on_clash(message: str) -> Iterator[None]:
    """One transaction, in which only a simultaneous enrolment of the same learner can get past
    the checks to the database's unique constraints: refuse with this message if one does."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise EnrolmentRefused(message) from None


def _first_tutor(cohort: Cohort | None) -> User | None:
    return next(iter(cohort.tutors.all()), None) if cohort else None


# Writing checked enrolments ------------------------------------------------------------------


def enrol_checked(
    *, actor: User, centre: Centre, enrolments: Sequence[Enrolment]
) -> tuple[list[User], list[Portfolio]]:
    """Write checked enrolments in bulk: new accounts, learner roles, portfolios and the
    optional units chosen for them (each choice audited on its portfolio).

    The caller has checked every enrolment, holds the transaction and writes the audit entry
    for the enrolment itself.
    """
    new_users: dict[str, User] = {}
    for enrolment in enrolments:
        if enrolment.learner is None and enrolment.email not in new_users:
            user = User(
                email=enrolment.email,
                full_name=enrolment.full_name,
                centre=centre,
                uln=enrolment.uln,
            )
            user.set_unusable_password()
            new_users[enrolment.email] = user
    User.objects.bulk_create(new_users.values())
    learners = {e.email: e.learner for e in enrolments if e.learner is not None} | new_users
    needs_role = {user.pk: user for user in new_users.values()}
    for enrolment in enrolments:
        if enrolment.learner is not None and not enrolment.learner_has_role:
            needs_role[enrolment.learner.pk] = enrolment.learner
    Membership.objects.bulk_create(
        Membership(user=user, role=Role.LEARNER) for user in needs_role.values()
    )
    # A learner with an account gets the ULN given with the enrolment if they had none; the
    # check refused one different from theirs, and the database refuses one taken meanwhile.
    ulns_given = {
        e.learner.pk: (e.learner, e.uln)
        for e in enrolments
        if e.learner and e.uln and not e.learner.uln
    }
    for learner, uln in ulns_given.values():
        learner.uln = uln
    User.objects.bulk_update([learner for learner, _ in ulns_given.values()], ["uln"])
    portfolios = Portfolio.objects.bulk_create(
        Portfolio(
            learner=learners[enrolment.email],
            centre=centre,
            qualification=enrolment.qualification,
            cohort=enrolment.cohort,
            assessor=enrolment.assessor,
            tutor=_first_tutor(enrolment.cohort),
            start_date=enrolment.start_date,
            planned_end_date=enrolment.planned_end_date,
            registration_number=enrolment.registration_number,
        )
        for enrolment in enrolments
    )
    _choose_optional_units(actor, list(zip(portfolios, enrolments, strict=True)))
    return list(new_users.values()), portfolios


def _choose_optional_units(actor: User, enrolled: list[tuple[Portfolio, Enrolment]]) -> None:
    """The optional units chosen at enrolment, written with the portfolios they belong to, and
    audited as the units page audits a choice."""
    chosen = [(p, unit) for p, enrolment in enrolled for unit in enrolment.optional_units]
    if not chosen:
        return
    UnitChoice.objects.bulk_create(
        UnitChoice(portfolio=portfolio, unit=unit, chosen_by=actor) for portfolio, unit in chosen
    )
    groups = {
        (qualification_id, unit_id): name
        for qualification_id, unit_id, name in QualificationUnit.objects.filter(
            qualification_id__in={p.qualification_id for p, _ in chosen},
            unit_id__in={unit.pk for _, unit in chosen},
            group__isnull=False,
        ).values_list("qualification_id", "unit_id", "group__name")
    }
    audit_record_many(
        actor=actor,
        action="unit.choose",
        entries=(
            (
                unit,
                portfolio,
                _choice_changes(unit, groups.get((portfolio.qualification_id, unit.pk))),
            )
            for portfolio, unit in chosen
        ),
    )


def _choice_changes(unit: Unit, group: str | None) -> dict[str, Any]:
    """As the units page records a choice, and when it was made."""
    after = {"unit": unit.reference} | ({"group": group} if group else {})
    return {"after": after, "chosen": "at enrolment, from an intake file"}


# Services ------------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    name: str,
    qualification: Qualification,
    start_date: datetime.date | None,
    planned_end_date: datetime.date | None,
    tutors: Iterable[User],
) -> Cohort:
    _require_centre_admin(actor)
    name = normalise_name(name)
    tutors = list(tutors)
    if not name:
        raise EnrolmentRefused("Give the cohort a name.", field="name")
    if problem := formula_problem(name):
        raise EnrolmentRefused(problem, field="name")
    if problem := dates_problem(start_date, planned_end_date):
        raise EnrolmentRefused(problem, field="planned_end_date")
    if Cohort.objects.filter(centre_id=actor.centre_id, name__iexact=name).exists():
        raise EnrolmentRefused(
            f"There is already a cohort called “{name}” at this centre; choose another name.",
            field="name",
        )
    tutor_ids = {tutor.pk for tutor in tutors}
    if len(tutor_ids) != (
        centre_people(actor.centre_id, Role.TUTOR).filter(pk__in=tutor_ids).count()
    ):
        raise EnrolmentRefused("Choose tutors who work at this centre.", field="tutors")
    cohort = Cohort.objects.create(
        centre_id=actor.centre_id,
        name=name,
        qualification=qualification,
        start_date=start_date,
        planned_end_date=planned_end_date,
    )
    cohort.tutors.set(tutors)
    audit_record(
        actor=actor,
        action="cohort.create",
        obj=cohort,
        portfolio=None,
        changes={
            "after": {
                "name": name,
                "qualification": qualification.reference,
                "start_date": str(start_date),
                "planned_end_date": str(planned_end_date),
                "tutors": sorted(tutor.full_name for tutor in tutors),
            }
        },
    )
    return cohort


def learner_enrol(
    *,
    actor: User,
    full_name: str,
    email: str,
    qualification: Qualification,
    cohort: Cohort | None,
    assessor: User | None,
    start_date: datetime.date,
    planned_end_date: datetime.date,
    uln: str = "",
    registration_number: str = "",
) -> EnrolmentResult:
    """Enrol one learner, creating their account if they are new; enrolling someone already on
    the qualification changes nothing and returns their portfolio."""
    with _refused_on_clash(
        "Someone else enrolled this learner at the same moment. Check the learners list "
        "before trying again."
    ):
        _require_centre_admin(actor)
        email = normalise_email(email)
        # The cohort and assessor are looked for among this centre's, as the intake's are.
        found: dict[str, str] = {}
        if cohort is not None:
            cohort = cohorts_with_tutors(actor.centre_id).filter(pk=cohort.pk).first()
            if cohort is None:
                found["cohort"] = "Choose a cohort of this centre."
        if assessor is not None and not holds_role_at(actor.centre_id, Role.ASSESSOR, assessor):
            found["assessor"] = NOT_AN_ASSESSOR
        uln = normalise_uln(uln)
        refused, enrolment = enrolment_check(
            centre_id=actor.centre_id,
            full_name=full_name,
            email=email,
            person=people_by_email([email]).get(email),
            qualification=qualification,
            cohort=cohort,
            assessor=assessor,
            start_date=start_date,
            planned_end_date=planned_end_date,
            uln=uln,
            uln_holder=people_by_uln(actor.centre_id, [uln]).get(uln),
            registration_number=registration_number,
        )
        # A cohort or assessor missing from this centre is the first thing to say of it.
        problems = refused | found
        if problems:
            field = next(field for field in FIELDS if field in problems)
            raise EnrolmentRefused(problems[field], field=field)
        if enrolment.learner is not None:
            enrolled = enrolled_portfolio(learner=enrolment.learner, qualification=qualification)
            if enrolled is not None:
                return EnrolmentResult(
                    portfolio=enrolled, created_user=False, created_portfolio=False
                )
        new_users, [portfolio] = enrol_checked(
            actor=actor, centre=actor.centre, enrolments=[enrolment]
        )
        audit_record(
            actor=actor,
            action="learner.enrol",
            obj=portfolio,
            portfolio=portfolio,
            changes={
                "after": {
                    "learner": portfolio.learner.full_name,
                    "email": email,
                    "new_account": bool(new_users),
                    "qualification": qualification.reference,
                    "cohort": cohort.name if cohort else None,
                    "assessor": str(assessor) if assessor else None,
                    "tutor": str(portfolio.tutor) if portfolio.tutor else None,
                    "start_date": str(start_date),
                    "planned_end_date": str(planned_end_date),
                }
                | ({"uln": enrolment.uln} if enrolment.uln else {})
                | (
                    {"registration_number": enrolment.registration_number}
                    if enrolment.registration_number
                    else {}
                ),
            },
        )
        invite_on_commit(new_users)
        return EnrolmentResult(
            portfolio=portfolio, created_user=bool(new_users), created_portfolio=True
        )


@transaction.atomic
def portfolio_reassign(
    *,
    actor: User,
    portfolio: Portfolio,
    assessor: User | None,
    tutor: User | None,
    iqa: User | None = None,
    registration_number: str = "",
    uln: str = "",
) -> Portfolio:
    """Set the portfolio's assessor, tutor and designated IQA, the learner's registration
    number for it and their ULN; the new assessor is told."""
    _require_centre_admin(actor)
    portfolio = (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "qualification", "assessor", "tutor", "iqa")
        .get(pk=portfolio.pk)
    )
    if portfolio.centre_id != actor.centre_id:
        raise EnrolmentRefused("Only this centre’s portfolios can be reassigned.")
    if assessor is not None:
        if not holds_role_at(actor.centre_id, Role.ASSESSOR, assessor):
            raise EnrolmentRefused(NOT_AN_ASSESSOR, field="assessor")
        if problem := own_assessor_problem(assessor, portfolio.learner):
            raise EnrolmentRefused(problem, field="assessor")
    if tutor is not None and not holds_role_at(actor.centre_id, Role.TUTOR, tutor):
        raise EnrolmentRefused("Choose a tutor who works at this centre.", field="tutor")
    if iqa is not None:
        if not holds_role_at(actor.centre_id, Role.IQA, iqa):
            raise EnrolmentRefused(NOT_AN_IQA, field="iqa")
        if problem := designated_iqa_problem(iqa, assessor=assessor, learner=portfolio.learner):
            raise EnrolmentRefused(problem, field="iqa")
    registration_number = " ".join(registration_number.split())
    if problem := formula_problem(registration_number):
        raise EnrolmentRefused(problem, field="registration_number")
    uln = normalise_uln(uln)
    if problem := uln_problem(uln):
        raise EnrolmentRefused(problem, field="uln")
    learner = User.objects.select_for_update().get(pk=portfolio.learner_id)
    if uln and uln != learner.uln and _uln_taken(uln, centre_id=portfolio.centre_id, by=learner):
        raise EnrolmentRefused(ULN_TAKEN, field="uln")
    before = {
        "assessor": portfolio.assessor,
        "tutor": portfolio.tutor,
        "iqa": portfolio.iqa,
        "registration_number": portfolio.registration_number,
    }
    after = {
        "assessor": assessor,
        "tutor": tutor,
        "iqa": iqa,
        "registration_number": registration_number,
    }
    changed = [field for field in before if _identity(before[field]) != _identity(after[field])]
    uln_changed = uln != learner.uln
    if not changed and not uln_changed:
        return portfolio
    for field in changed:
        setattr(portfolio, field, after[field])
    if changed:
        portfolio.save(update_fields=changed)
    recorded_before = {field: _shown(before[field]) for field in changed}
    recorded_after = {field: _shown(after[field]) for field in changed}
    if uln_changed:
        recorded_before["uln"], recorded_after["uln"] = learner.uln or None, uln or None
        learner.uln = uln
        try:
            # The partial unique constraint settles two administrators saving one ULN at once.
            with transaction.atomic():
                learner.save(update_fields=["uln"])
        except IntegrityError:
            raise EnrolmentRefused(ULN_TAKEN, field="uln") from None
        portfolio.learner.uln = uln
    audit_record(
        actor=actor,
        action="portfolio.reassign",
        obj=portfolio,
        portfolio=portfolio,
        changes={"before": recorded_before, "after": recorded_after},
    )
    if "assessor" in changed and assessor is not None:
        notify(
            recipient=assessor,
            message=(
                f"{actor} made you the assessor of {portfolio.learner}’s portfolio for "
                f"{portfolio.qualification}."
            ),
            link=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
        )
    return portfolio


def _identity(value: User | str | None) -> object:
    """What makes two values of a reassigned field the same: a person's id, or the text."""
    return value.pk if isinstance(value, User) else value


def _shown(value: User | str | None) -> str | None:
    """A reassigned field as the audit trail keeps it: a name or the text, or None if empty."""
    return str(value) if value else None


def _uln_taken(uln: str, *, centre_id: int, by: User) -> bool:
    """Whether another person at the centre already has this ULN."""
    return User.objects.filter(centre_id=centre_id, uln=uln).exclude(pk=by.pk).exists()


@dataclass(frozen=True)
class NewPerson:
    """Someone to be given an account: a name and an email address."""

    full_name: str
    email: str


def _employer_contact(actor: User, employer: User | None, new: NewPerson | None) -> tuple:
    """The employer contact chosen, or the account made for a new one: (person, created)."""
    if employer is not None:
        if not holds_role_at(actor.centre_id, Role.EMPLOYER, employer):
            raise EnrolmentRefused("Choose an employer contact of this centre.", field="employer")
        return employer, False
    if new is None:
        return None, False
    email = normalise_email(new.email)
    existing = people_by_email([email]).get(email)
    if existing is not None:
        if existing.centre_id != actor.centre_id:
            raise EnrolmentRefused(
                "That email address belongs to someone at another centre; use another.",
                field="new_employer_email",
            )
        if not holds_role_at(actor.centre_id, Role.EMPLOYER, existing):
            Membership.objects.create(user=existing, role=Role.EMPLOYER)
        return existing, False
    user = User(email=email, full_name=normalise_name(new.full_name), centre=actor.centre)
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=Role.EMPLOYER)
    return user, True


@transaction.atomic
def portfolio_apprenticeship(
    *,
    actor: User,
    portfolio: Portfolio,
    is_apprenticeship: bool,
    planned_hours: int | None,
    employer: User | None = None,
    new_employer: NewPerson | None = None,
) -> Portfolio:
    """Make the portfolio an apprenticeship (or not), with its employer contact (an existing
    one, or a new account invited by email) and its planned off-the-job hours."""
    _require_centre_admin(actor)
    portfolio = (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "qualification", "employer")
        .get(pk=portfolio.pk)
    )
    if portfolio.centre_id != actor.centre_id:
        raise EnrolmentRefused("Only this centre’s portfolios can be changed.")
    if employer is not None and new_employer is not None:
        raise EnrolmentRefused(
            "Choose an existing employer contact or name a new one, not both.", field="employer"
        )
    created = False
    if not is_apprenticeship:
        if portfolio.off_the_job_entries.exists():
            raise EnrolmentRefused(
                "Off-the-job hours have been logged on this portfolio, so it stays an "
                "apprenticeship.",
                field="is_apprenticeship",
            )
        employer, planned_hours = None, None
    else:
        if planned_hours is None or planned_hours <= 0:
            raise EnrolmentRefused(
                "Enter the planned off-the-job hours, a whole number more than 0.",
                field="planned_hours",
            )
        employer, created = _employer_contact(actor, employer, new_employer)
    before = {
        "apprenticeship": portfolio.is_apprenticeship,
        "employer": str(portfolio.employer) if portfolio.employer else None,
        "planned_hours": portfolio.off_the_job_planned_hours,
    }
    after = {
        "apprenticeship": is_apprenticeship,
        "employer": str(employer) if employer else None,
        "planned_hours": planned_hours,
    }
    if before == after:
        return portfolio
    employer_changed = portfolio.employer_id != (employer.pk if employer else None)
    portfolio.is_apprenticeship = is_apprenticeship
    portfolio.employer = employer
    portfolio.off_the_job_planned_hours = planned_hours
    portfolio.save(update_fields=["is_apprenticeship", "employer", "off_the_job_planned_hours"])
    audit_record(
        actor=actor,
        action="portfolio.apprenticeship",
        obj=portfolio,
        portfolio=portfolio,
        changes={
            "before": before,
            "after": after | ({"new_account": True} if created else {}),
        },
    )
    if created:
        invite_on_commit([employer])
    if employer is not None and employer_changed:
        notify(
            recipient=employer,
            message=(
                f"{actor} named you the employer contact for {portfolio.learner}’s "
                f"apprenticeship ({portfolio.qualification})."
            ),
            link=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
        )
    return portfolio


# The CSV intake ------------------------------------------------------------------------------


def intake_import(*, actor: User, rows: Sequence[IntakeRow]) -> ImportSummary:
    """Enrol every learner in the file, in one transaction, or nobody if any row has a problem.

    The rows are checked again here, so a change since the preview (an account, a cohort)
    refuses the file rather than slipping in; learners already on their qualification are left
    as they are, so importing a file twice enrols nobody twice.
    """
    with _refused_on_clash(
        "Some of these learners were enrolled by someone else while the file was being "
        "imported. Upload the file again to see where things stand."
    ):
        _require_centre_admin(actor)
        checked = check_intake(centre=actor.centre, rows=rows)
        if checked.problems:
            raise IntakeRefused(checked.problems)
        enrolments = checked.to_enrol
        new_users, portfolios = enrol_checked(
            actor=actor, centre=actor.centre, enrolments=enrolments
        )
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
