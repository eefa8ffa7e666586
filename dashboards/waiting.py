"""What waits for each person on their home page, role by role: "what do I do now?".

Every read is scoped through the visible_to managers, counts are made by the database, and
each role's section runs a fixed number of queries however many rows wait: a few items are
shown, with the total and a link to the full list where the work is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts.models import Role, User
from assessment import plans
from assessment.models import Decision, Outcome, PlanItem, UnitDeclaration
from assessment.progress import units_ready_for_sign_off
from assessment.selectors import SampleGroup, sample_proposal, waiting_evidence
from cohorts.models import Cohort
from dashboards.rag import Rag
from dashboards.selectors import LearnerRow, learner_rows
from portfolio.models import Evidence, Mapping, MappingStatus, Portfolio
from qualifications.models import Unit

SHOWN = 5
FEEDBACK_SHOWN = 3


@dataclass
class Shortlist[T]:
    """The first few of a list, and how many there are in all."""

    total: int = 0
    items: list[T] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def shortlist(queryset: QuerySet, shown: int = SHOWN) -> Shortlist:
    """Two queries, however many rows: the first `shown`, and the count."""
    return Shortlist(total=queryset.count(), items=list(queryset[:shown]))


@dataclass(frozen=True)
class UnitStep:
    """A unit of a portfolio with every criterion met: for the learner to declare, or, once
    declared, for the assessor to sign off."""

    portfolio: Portfolio
    unit: Unit


def _units_met(portfolios: list[Portfolio]) -> tuple[list[UnitStep], list[UnitStep]]:
    """Units with every criterion met and not yet signed off (assessment.progress decides
    which), split into (not yet declared, declared); six queries."""
    ready = units_ready_for_sign_off(portfolios)
    if not ready:
        return [], []
    declared = set(
        UnitDeclaration.objects.filter(portfolio__in=list(ready)).values_list(
            "portfolio_id", "unit_id"
        )
    )
    units = Unit.objects.in_bulk({u for ids in ready.values() for u in ids})
    to_declare, to_sign = [], []
    for portfolio in portfolios:
        for unit_id in ready.get(portfolio.pk, []):
            step = UnitStep(portfolio=portfolio, unit=units[unit_id])
            (to_sign if (portfolio.pk, unit_id) in declared else to_declare).append(step)
    return to_declare, to_sign


# The learner ------------------------------------------------------------------------------------


@dataclass
class LearnerWaiting:
    to_declare: list[UnitStep]
    referrals: Shortlist[Mapping]
    drafts: Shortlist[Evidence]
    feedback: list[Decision]
    # The learner's one portfolio, whose evidence library lists all of a kind; None when they
    # have several, and "see all" goes to their list of portfolios.
    library: Portfolio | None = None

    def __bool__(self) -> bool:
        return bool(self.to_declare or self.referrals or self.drafts)


def learner_waiting(user: User, portfolios: list[Portfolio]) -> LearnerWaiting:
    """The learner's own work waiting for them: units to declare, referrals to act on, drafts
    to submit, and the latest decisions on their evidence; eleven queries."""
    own = [p for p in portfolios if p.learner_id == user.pk]
    if not own:
        return LearnerWaiting([], Shortlist(), Shortlist(), [])
    ids = [p.pk for p in own]
    latest_referral = Decision.objects.filter(
        mapping=OuterRef("pk"), outcome=Outcome.REFERRED
    ).order_by("-decided_at", "-pk")
    referrals = (
        Mapping.objects.visible_to(user)
        .filter(evidence__portfolio__in=ids, status=MappingStatus.REFERRED)
        .annotate(
            feedback=Subquery(latest_referral.values("feedback")[:1]),
            referred_at=Subquery(latest_referral.values("decided_at")[:1]),
        )
        .select_related("criterion__unit", "evidence")
        .order_by("referred_at", "pk")
    )
    draft = Q(mappings__status=MappingStatus.DRAFT)
    drafts = (
        Evidence.objects.visible_to(user)
        .filter(portfolio__in=ids)
        .filter(draft)
        .annotate(draft_total=Count("mappings", filter=draft, distinct=True))
        .order_by("created_at", "pk")
    )
    feedback = (
        Decision.objects.filter(
            mapping__in=Mapping.objects.visible_to(user).filter(evidence__portfolio__in=ids),
            outcome__in=(Outcome.ACCEPTED, Outcome.REFERRED),
        )
        .select_related("decided_by", "mapping__criterion__unit", "mapping__evidence")
        .order_by("-decided_at", "-pk")
    )
    to_declare, _ = _units_met(own)
    return LearnerWaiting(
        to_declare=to_declare,
        referrals=shortlist(referrals),
        drafts=shortlist(drafts),
        feedback=list(feedback[:FEEDBACK_SHOWN]),
        library=own[0] if len(own) == 1 else None,
    )


# The assessor ------------------------------------------------------------------------------------


@dataclass
class AssessorWaiting:
    decisions: Shortlist[Evidence]
    to_sign: Shortlist[UnitStep]
    awaiting_declaration: int
    overdue: Shortlist[PlanItem]

    def __bool__(self) -> bool:
        return bool(self.decisions or self.to_sign or self.overdue)


def assessor_waiting(user: User) -> AssessorWaiting:
    """Evidence waiting for a decision (oldest first), units declared and ready to sign off,
    and overdue plan items, across the portfolios assigned to the assessor; eleven queries."""
    assigned = Portfolio.objects.visible_to(user).filter(assessor=user)
    to_declare, to_sign = _units_met(list(assigned.select_related("learner")))
    return AssessorWaiting(
        decisions=shortlist(waiting_evidence(user)),
        to_sign=Shortlist(total=len(to_sign), items=to_sign[:SHOWN]),
        awaiting_declaration=len(to_declare),
        overdue=shortlist(plans.overdue_items(assigned)),
    )


# The IQA -----------------------------------------------------------------------------------------


@dataclass
class IqaWaiting:
    samples: Shortlist[Decision]
    assessors: int


def iqa_waiting(user: User) -> IqaWaiting:
    """The decisions the sampling plan proposes next at the IQA's centre (never their own),
    oldest first; the sample page's five queries."""
    groups: list[SampleGroup] = sample_proposal(user)
    due = sorted(
        (decision for group in groups for decision in group.proposed),
        key=lambda d: (d.decided_at, d.pk),
    )
    return IqaWaiting(
        samples=Shortlist(total=len(due), items=due[:SHOWN]),
        assessors=len({group.assessor.pk for group in groups if group.proposed}),
    )


# The tutor ---------------------------------------------------------------------------------------


@dataclass
class TutorWaiting:
    at_risk: Shortlist[LearnerRow]
    behind: int


def tutor_waiting(user: User) -> TutorWaiting:
    """Learners the tutor teaches (directly or in their cohorts) who are at risk by the RAG
    rules, furthest behind first, and how many more are behind; the dashboard's queries."""
    taught = Portfolio.objects.visible_to(user).filter(
        Q(tutor=user) | Q(cohort__in=Cohort.objects.filter(tutors=user))
    )
    rows = learner_rows(taught)
    at_risk = sorted(
        (row for row in rows if row.rag == Rag.RED),
        key=lambda row: (row.percent_met, row.portfolio.learner.full_name),
    )
    return TutorWaiting(
        at_risk=Shortlist(total=len(at_risk), items=at_risk[:SHOWN]),
        behind=sum(1 for row in rows if row.rag == Rag.AMBER),
    )


# The centre administrator -----------------------------------------------------------------------


@dataclass
class AdminWaiting:
    invitations: Shortlist[User]
    unassigned: Shortlist[Portfolio]

    def __bool__(self) -> bool:
        return bool(self.invitations or self.unassigned)


def pending_invitations(user: User) -> QuerySet[User]:
    """People at the centre invited by email who have not yet chosen a password and signed in
    (external quality assurers sign in by code, so never count), longest waiting first."""
    return (
        User.objects.visible_to(user)
        .filter(
            is_active=True,
            last_login__isnull=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .exclude(memberships__role=Role.EQA)
        .order_by("date_joined", "pk")
    )


def admin_waiting(user: User) -> AdminWaiting:
    """Invitations not yet accepted and portfolios with no assessor; four queries."""
    unassigned = (
        Portfolio.objects.visible_to(user)
        .filter(assessor__isnull=True)
        .select_related("learner", "qualification")
        .order_by("created_at", "pk")
    )
    return AdminWaiting(
        invitations=shortlist(pending_invitations(user)), unassigned=shortlist(unassigned)
    )


# Every role the person holds ---------------------------------------------------------------------


@dataclass
class Waiting:
    """Each section the person's roles give them; None where they do not hold the role."""

    learner: LearnerWaiting | None = None
    assessor: AssessorWaiting | None = None
    iqa: IqaWaiting | None = None
    tutor: TutorWaiting | None = None
    admin: AdminWaiting | None = None

    @property
    def staff_roles(self) -> int:
        return sum(1 for s in (self.assessor, self.iqa, self.tutor, self.admin) if s is not None)


def waiting_for(user: User, own_portfolios: Iterable[Portfolio]) -> Waiting:
    """What waits for this person in each of their roles."""
    own = list(own_portfolios)
    return Waiting(
        learner=learner_waiting(user, own) if own else None,
        assessor=assessor_waiting(user) if user.has_role(Role.ASSESSOR) else None,
        iqa=iqa_waiting(user) if user.has_role(Role.IQA) else None,
        tutor=tutor_waiting(user) if user.has_role(Role.TUTOR) else None,
        admin=admin_waiting(user) if user.has_role(Role.CENTRE_ADMIN) else None,
    )
