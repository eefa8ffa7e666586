"""Enrolment: cohorts, learners on qualifications, and who assesses and tutors each portfolio.

Same shape as portfolio/services.py: keyword-only arguments, one transaction, a check that
refuses with a message for the centre administrator, one audit entry per call. The CSV intake
(importer.py) checks a whole file first and then writes through `enrol_checked`, so one
learner and ten thousand follow the same rules and get the same rows.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Lower
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Centre, Membership, Role, User
from accounts.notifications import notify
from cohorts.models import Cohort
from portfolio.audit import audit_record
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from qualifications.models import Qualification

# Invitations are mailed by the task worker in batches, so one failure resends few.
INVITATIONS_PER_TASK = 200

ELSEWHERE = (
    "This email address belongs to an account at another centre, so it cannot be enrolled "
    "here. Check the address, or ask the learner for another one."
)
NOT_AN_EMAIL = "This is not an email address; check it for typing mistakes."
NOT_AN_ASSESSOR = "Choose an assessor who works at this centre."
OWN_ASSESSOR = "A learner cannot be their own assessor; choose someone else."
ENDS_BEFORE_START = "The planned end is before the start; check both dates."


def cohort_on_other_qualification(cohort: Cohort, qualification: Qualification) -> str:
    return (
        f"“{cohort.name}” is a cohort on {cohort.qualification}, not {qualification}; choose a "
        "cohort on this qualification, or create one."
    )


class EnrolmentRefused(ActionRefused):
    """A refusal that belongs to one field of the form, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EnrolmentResult:
    portfolio: Portfolio
    created_user: bool
    created_portfolio: bool


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


# Reads shared with the importer and the forms ------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= User._meta.get_field("email").max_length


def centre_people(centre_id: int, role: str) -> QuerySet[User]:
    return User.objects.filter(centre_id=centre_id, memberships__role=role, is_active=True)


def cohorts_with_tutors(centre_id: int) -> QuerySet[Cohort]:
    """The centre's cohorts with the tutors who still hold the role, in name order."""
    return (
        Cohort.objects.filter(centre_id=centre_id)
        .select_related("qualification")
        .prefetch_related(
            Prefetch("tutors", queryset=centre_people(centre_id, Role.TUTOR).order_by("full_name"))
        )
    )


def people_by_email(emails: Iterable[str]) -> dict[str, User]:
    """Accounts with these (lower-cased) addresses at any centre, in one query; each carries
    `is_learner`."""
    learner_role = Membership.objects.filter(user=OuterRef("pk"), role=Role.LEARNER)
    people = User.objects.annotate(email_lower=Lower("email"), is_learner=Exists(learner_role))
    return {person.email_lower: person for person in people.filter(email_lower__in=set(emails))}


def _first_tutor(cohort: Cohort | None) -> User | None:
    return next(iter(cohort.tutors.all()), None) if cohort else None


def require_centre_admin(actor: User) -> None:
    if actor.centre_id is None or not actor.has_role(Role.CENTRE_ADMIN):
        raise EnrolmentRefused("Only centre administrators can do this.")


# Writing -------------------------------------------------------------------------------------


def enrol_checked(
    *, centre: Centre, enrolments: Sequence[Enrolment]
) -> tuple[list[User], list[Portfolio]]:
    """Write checked enrolments in bulk: new accounts, learner roles, portfolios.

    The caller has checked every enrolment, holds the transaction and writes the audit entry.
    """
    new_users: dict[str, User] = {}
    for enrolment in enrolments:
        if enrolment.learner is None and enrolment.email not in new_users:
            user = User(email=enrolment.email, full_name=enrolment.full_name, centre=centre)
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
        )
        for enrolment in enrolments
    )
    return list(new_users.values()), portfolios


def invite_on_commit(users: Sequence[User]) -> None:
    """Mail each new learner a link to choose a password, once the enrolment is committed."""
    ids = [user.pk for user in users]
    if not ids:
        return

    def enqueue() -> None:
        for batch in itertools.batched(ids, INVITATIONS_PER_TASK):
            send_invitations.enqueue(list(batch))

    transaction.on_commit(enqueue)


def invitation_link(user: User) -> str:
    """The set-password page for this person, absolute, valid until they use it or it expires."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@task
def send_invitations(user_ids: list[int]) -> int:
    """Mail the invitation to each of these people who has not yet chosen a password."""
    portfolios = Portfolio.objects.select_related("qualification").order_by("qualification__title")
    people = (
        User.objects.filter(pk__in=user_ids, is_active=True, last_login__isnull=True)
        .select_related("centre")
        .prefetch_related(Prefetch("portfolios", queryset=portfolios))
    )
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    invitations = [
        EmailMessage(
            subject=f"Your evidence portfolio at {person.centre}",
            body=render_to_string(
                "enrolment/invitation_email.txt",
                {
                    "learner": person,
                    "qualifications": [p.qualification for p in person.portfolios.all()],
                    "link": invitation_link(person),
                    "days": days,
                    "sign_in": f"{settings.SITE_URL.rstrip('/')}{reverse('accounts:login')}",
                },
            ),
            to=[person.email],
        )
        for person in people
        if not person.has_usable_password()
    ]
    if invitations:
        mailers.default.send_messages(invitations)
    return len(invitations)


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
    require_centre_admin(actor)
    name = " ".join(name.split())
    tutors = list(tutors)
    if not name:
        raise EnrolmentRefused("Give the cohort a name.", field="name")
    if start_date and planned_end_date and planned_end_date < start_date:
        raise EnrolmentRefused(ENDS_BEFORE_START, field="planned_end_date")
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
) -> EnrolmentResult:
    """Enrol one learner, creating their account if they are new; enrolling someone already on
    the qualification changes nothing and returns their portfolio."""
    try:
        with transaction.atomic():
            return _enrol_one(
                actor=actor,
                full_name=" ".join(full_name.split()),
                email=normalise_email(email),
                qualification=qualification,
                cohort=cohort,
                assessor=assessor,
                start_date=start_date,
                planned_end_date=planned_end_date,
            )
    except IntegrityError:
        # Only a simultaneous enrolment of the same person gets past the checks.
        raise EnrolmentRefused(
            "Someone else enrolled this learner at the same moment. Check the learners list "
            "before trying again."
        ) from None


def _enrol_one(
    *,
    actor: User,
    full_name: str,
    email: str,
    qualification: Qualification,
    cohort: Cohort | None,
    assessor: User | None,
    start_date: datetime.date,
    planned_end_date: datetime.date,
) -> EnrolmentResult:
    require_centre_admin(actor)
    if not full_name:
        raise EnrolmentRefused("Enter the learner’s name.", field="full_name")
    if not is_email(email):
        raise EnrolmentRefused(NOT_AN_EMAIL, field="email")
    if planned_end_date < start_date:
        raise EnrolmentRefused(ENDS_BEFORE_START, field="planned_end_date")
    if cohort is not None:
        cohort = cohorts_with_tutors(actor.centre_id).filter(pk=cohort.pk).first()
        if cohort is None:
            raise EnrolmentRefused("Choose a cohort of this centre.", field="cohort")
        if cohort.qualification_id not in (None, qualification.pk):
            raise EnrolmentRefused(
                cohort_on_other_qualification(cohort, qualification), field="cohort"
            )
    if assessor is not None:
        if not centre_people(actor.centre_id, Role.ASSESSOR).filter(pk=assessor.pk).exists():
            raise EnrolmentRefused(NOT_AN_ASSESSOR, field="assessor")
        if normalise_email(assessor.email) == email:
            raise EnrolmentRefused(OWN_ASSESSOR, field="assessor")
    learner = people_by_email([email]).get(email)
    if learner is not None and learner.centre_id != actor.centre_id:
        raise EnrolmentRefused(ELSEWHERE, field="email")
    if learner is not None:
        enrolled = (
            Portfolio.objects.filter(learner=learner, qualification=qualification)
            .select_related("learner", "qualification", "cohort", "assessor", "tutor")
            .first()
        )
        if enrolled is not None:
            return EnrolmentResult(portfolio=enrolled, created_user=False, created_portfolio=False)
    enrolment = Enrolment(
        full_name=full_name,
        email=email,
        qualification=qualification,
        cohort=cohort,
        assessor=assessor,
        start_date=start_date,
        planned_end_date=planned_end_date,
        learner=learner,
        learner_has_role=bool(learner and learner.is_learner),
    )
    new_users, [portfolio] = enrol_checked(centre=actor.centre, enrolments=[enrolment])
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
        },
    )
    invite_on_commit(new_users)
    return EnrolmentResult(
        portfolio=portfolio, created_user=bool(new_users), created_portfolio=True
    )


@transaction.atomic
def portfolio_reassign(
    *, actor: User, portfolio: Portfolio, assessor: User | None, tutor: User | None
) -> Portfolio:
    """Give the portfolio another assessor and/or tutor; the new assessor is told."""
    require_centre_admin(actor)
    portfolio = (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("learner", "qualification", "assessor", "tutor")
        .get(pk=portfolio.pk)
    )
    if portfolio.centre_id != actor.centre_id:
        raise EnrolmentRefused("Only this centre’s portfolios can be reassigned.")
    if assessor is not None:
        if not centre_people(actor.centre_id, Role.ASSESSOR).filter(pk=assessor.pk).exists():
            raise EnrolmentRefused(NOT_AN_ASSESSOR, field="assessor")
        if assessor.pk == portfolio.learner_id:
            raise EnrolmentRefused(OWN_ASSESSOR, field="assessor")
    if tutor is not None and not (
        centre_people(actor.centre_id, Role.TUTOR).filter(pk=tutor.pk).exists()
    ):
        raise EnrolmentRefused("Choose a tutor who works at this centre.", field="tutor")
    before = {"assessor": portfolio.assessor, "tutor": portfolio.tutor}
    after = {"assessor": assessor, "tutor": tutor}
    changed = [
        role
        for role in ("assessor", "tutor")
        if getattr(before[role], "pk", None) != getattr(after[role], "pk", None)
    ]
    if not changed:
        return portfolio
    for role in changed:
        setattr(portfolio, role, after[role])
    portfolio.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="portfolio.reassign",
        obj=portfolio,
        portfolio=portfolio,
        changes={
            "before": {role: str(before[role]) if before[role] else None for role in changed},
            "after": {role: str(after[role]) if after[role] else None for role in changed},
        },
    )
    if "assessor" in changed:
        notify(
            recipient=assessor,
            message=(
                f"{actor} made you the assessor of {portfolio.learner}’s portfolio for "
                f"{portfolio.qualification}."
            ),
            link=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
        )
    return portfolio
