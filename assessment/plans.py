"""Assessment plans and progress reviews: when a plan item is met or overdue, when the next
three-way review is due, and the reads behind every page that shows them.

The one home of these rules: the plan page, the caseload, the tutor's dashboard, the homes and
the PDF all ask here. A plan item is met once every one of its criteria is met (status from
portfolio/progress.py); it is overdue when its target date has passed and it is not met. An
apprenticeship's next three-way review is due 12 weeks after its start or its last completed
review; it shows as due from two weeks before that date and as overdue after it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from assessment.access import is_assessor_of
from assessment.models import PlanItem, ProgressReview, ReviewParty, ReviewSignature
from portfolio.models import Mapping, MappingStatus, Portfolio
from portfolio.progress import CriterionStatus, criterion_statuses
from portfolio.units import criteria_progress
from qualifications.models import AssessmentCriterion

REVIEW_INTERVAL = datetime.timedelta(weeks=12)
REVIEW_NOTICE = datetime.timedelta(weeks=2)


# Plan items ------------------------------------------------------------------------------------


def item_is_met(criterion_ids: Iterable[int], statuses: dict[int, CriterionStatus]) -> bool:
    """Met once every criterion it covers is met; an item always covers at least one."""
    ids = list(criterion_ids)
    return bool(ids) and all(statuses.get(pk) == CriterionStatus.MET for pk in ids)


def item_is_overdue(target_date: datetime.date, met: bool, today: datetime.date) -> bool:
    return not met and target_date < today


@dataclass
class PlanRow:
    item: PlanItem
    met: bool
    overdue: bool

    @property
    def state(self) -> str:
        return "Met" if self.met else "Overdue" if self.overdue else "In progress"


def plan_items(portfolio: Portfolio) -> QuerySet[PlanItem]:
    return (
        PlanItem.objects.filter(portfolio=portfolio)
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=AssessmentCriterion.objects.select_related("unit").order_by(
                    "unit__reference", "position"
                ),
            )
        )
    )


def plan_rows(portfolio: Portfolio, today: datetime.date | None = None) -> list[PlanRow]:
    """The portfolio's plan, each item with whether it is met or overdue; three queries."""
    today = today or timezone.localdate()
    items = list(plan_items(portfolio))
    statuses = criterion_statuses(portfolio) if items else {}
    rows = []
    for item in items:
        met = item_is_met((c.pk for c in item.criteria.all()), statuses)
        rows.append(
            PlanRow(item=item, met=met, overdue=item_is_overdue(item.target_date, met, today))
        )
    return rows


def plan_item_met(item: PlanItem) -> bool:
    """Whether this one item is met now; the services ask before changing it."""
    return item_is_met(
        item.criteria.values_list("pk", flat=True), criterion_statuses(item.portfolio)
    )


def _unmet_criterion() -> Exists:
    """An item's criterion with no accepted evidence in the item's portfolio."""
    through = PlanItem.criteria.through
    accepted = Mapping.objects.filter(
        evidence__portfolio_id=OuterRef(OuterRef("portfolio_id")),
        criterion_id=OuterRef("assessmentcriterion_id"),
        status=MappingStatus.ACCEPTED,
    )
    return Exists(through.objects.filter(planitem_id=OuterRef("pk")).exclude(Exists(accepted)))


def overdue_items(
    portfolios: QuerySet[Portfolio] | Iterable[int], today: datetime.date | None = None
) -> QuerySet[PlanItem]:
    """Plan items in these portfolios past their target date and not met, most overdue first:
    the items overdue_counts counts, for the assessor's home."""
    if not isinstance(portfolios, QuerySet):
        portfolios = list(portfolios)
    today = today or timezone.localdate()
    return (
        PlanItem.objects.filter(portfolio__in=portfolios, target_date__lt=today)
        .filter(_unmet_criterion())
        .select_related("portfolio__learner", "portfolio__qualification")
        .order_by("target_date", "pk")
    )


def overdue_counts(
    portfolios: QuerySet[Portfolio] | Iterable[int], today: datetime.date | None = None
) -> dict[int, int]:
    """Overdue plan items by portfolio id, counted in the database; one query. Zeroes absent."""
    return dict(
        overdue_items(portfolios, today)
        .order_by()
        .values("portfolio_id")
        .annotate(overdue=Count("pk"))
        .values_list("portfolio_id", "overdue")
    )


def open_items(
    portfolios: QuerySet[Portfolio] | Iterable[int],
    *,
    limit: int = 5,
    today: datetime.date | None = None,
) -> list[PlanRow]:
    """Plan items not yet met in these portfolios, soonest target first, for the learner's
    home; one query."""
    if not isinstance(portfolios, QuerySet):
        portfolios = list(portfolios)
    today = today or timezone.localdate()
    items = (
        PlanItem.objects.filter(portfolio__in=portfolios)
        .filter(_unmet_criterion())
        .select_related("portfolio__qualification")
        .order_by("target_date", "pk")[:limit]
    )
    return [
        PlanRow(item=item, met=False, overdue=item_is_overdue(item.target_date, False, today))
        for item in items
    ]


# Three-way reviews -----------------------------------------------------------------------------


class ReviewState:
    SCHEDULED = "scheduled"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ReviewDue:
    """When the next three-way review is due, and whether it is due or overdue already."""

    date: datetime.date
    state: str

    @property
    def waiting(self) -> bool:
        """Due or overdue: it shows like a decision waiting for the assessor."""
        return self.state != ReviewState.SCHEDULED

    @property
    def label(self) -> str:
        return {
            ReviewState.SCHEDULED: "Next three-way review",
            ReviewState.DUE: "Three-way review due",
            ReviewState.OVERDUE: "Three-way review overdue",
        }[self.state]


def review_due(
    *, start: datetime.date, last_review: datetime.date | None, today: datetime.date
) -> ReviewDue:
    """Due 12 weeks after the start or the last completed review; shown as due from two weeks
    before that date, and overdue the day after it."""
    due = (last_review or start) + REVIEW_INTERVAL
    if today > due:
        return ReviewDue(due, ReviewState.OVERDUE)
    if today >= due - REVIEW_NOTICE:
        return ReviewDue(due, ReviewState.DUE)
    return ReviewDue(due, ReviewState.SCHEDULED)


def reviews_due(
    portfolios: Iterable[Portfolio], today: datetime.date | None = None
) -> dict[int, ReviewDue]:
    """The next three-way review of each apprenticeship among `portfolios`, by portfolio id;
    other portfolios are absent. One query."""
    today = today or timezone.localdate()
    apprenticeships = [p for p in portfolios if p.is_apprenticeship]
    if not apprenticeships:
        return {}
    last = dict(
        ProgressReview.objects.filter(
            portfolio__in=[p.pk for p in apprenticeships],
            is_three_way=True,
            completed_at__isnull=False,
        )
        .values("portfolio_id")
        .annotate(last=Max("held_on"))
        .values_list("portfolio_id", "last")
    )
    return {
        p.pk: review_due(start=p.start_date, last_review=last.get(p.pk), today=today)
        for p in apprenticeships
    }


def reviews(portfolio: Portfolio) -> list[ProgressReview]:
    """The portfolio's reviews, newest first, each with its signatures; two queries."""
    return list(
        ProgressReview.objects.filter(portfolio=portfolio)
        .select_related("written_by")
        .prefetch_related(
            Prefetch("signatures", queryset=ReviewSignature.objects.select_related("signed_by"))
        )
        .order_by("-held_on", "-pk")
    )


def party_of(user: User, review: ProgressReview) -> ReviewParty | None:
    """Which party this person signs the review as, or None if it is not theirs to sign."""
    portfolio = review.portfolio
    if user.pk == portfolio.learner_id:
        return ReviewParty.LEARNER
    if is_assessor_of(user, portfolio):
        return ReviewParty.PROVIDER
    if (
        review.is_three_way
        and portfolio.is_apprenticeship
        and user.pk == portfolio.employer_id
        and user.has_role(Role.EMPLOYER)
    ):
        return ReviewParty.EMPLOYER
    return None


def awaiting_signature(user: User) -> QuerySet[ProgressReview]:
    """Incomplete reviews of portfolios this person can see that wait for their signature."""
    signed = ReviewSignature.objects.filter(review=OuterRef("pk"))
    mine = (
        Q(portfolio__learner=user, learner_signed=False)
        | Q(portfolio__assessor=user, provider_signed=False)
        | Q(
            portfolio__employer=user,
            portfolio__is_apprenticeship=True,
            is_three_way=True,
            employer_signed=False,
        )
    )
    return (
        ProgressReview.objects.filter(
            portfolio__in=Portfolio.objects.visible_to(user), completed_at__isnull=True
        )
        .annotate(
            learner_signed=Exists(signed.filter(party=ReviewParty.LEARNER)),
            provider_signed=Exists(signed.filter(party=ReviewParty.PROVIDER)),
            employer_signed=Exists(signed.filter(party=ReviewParty.EMPLOYER)),
        )
        .filter(mine)
        .select_related("portfolio__learner", "portfolio__qualification")
        .order_by("held_on", "pk")
    )


# The employer contact's home --------------------------------------------------------------------


@dataclass
class ApprenticeRow:
    portfolio: Portfolio
    criteria_met: int
    criteria_total: int
    next_review: ReviewDue | None
    overdue_items: int


def apprentices(user: User) -> list[ApprenticeRow]:
    """The apprentices this employer contact manages, with their progress; seven queries."""
    portfolios = list(
        Portfolio.objects.visible_to(user)
        .filter(employer=user, is_apprenticeship=True)
        .select_related("learner", "qualification")
        .order_by("learner__full_name", "qualification__title")
    )
    if not portfolios:
        return []
    progress = criteria_progress(portfolios)
    due = reviews_due(portfolios)
    overdue = overdue_counts([p.pk for p in portfolios])
    return [
        ApprenticeRow(
            portfolio=p,
            criteria_met=progress[p.pk][0],
            criteria_total=progress[p.pk][1],
            next_review=due.get(p.pk),
            overdue_items=overdue.get(p.pk, 0),
        )
        for p in portfolios
    ]
