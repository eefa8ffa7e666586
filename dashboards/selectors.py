"""The numbers behind tutors' and administrators' dashboards, aggregated in the database.

Each function runs a fixed number of queries whatever the number of learners: one query per
measure, grouped by portfolio, then joined up in Python.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from assessment.models import Decision, Outcome, UnitSignOff
from cohorts.models import Cohort
from dashboards.rag import RAG_ORDER, Rag, rag_status
from portfolio.models import AuditEntry, Mapping, MappingStatus, Portfolio
from portfolio.progress import criteria_met, criteria_met_by_unit
from qualifications.models import Unit
from qualifications.selectors import criteria_count_by_unit, units_by_qualification


@dataclass
class LearnerRow:
    portfolio: Portfolio
    criteria_total: int = 0
    criteria_met: int = 0
    units_total: int = 0
    units_signed_off: int = 0
    waiting: int = 0
    referrals: int = 0
    last_activity: datetime.datetime | None = None
    rag: Rag = Rag.GREEN

    @property
    def percent_met(self) -> int:
        return round(100 * self.criteria_met / self.criteria_total) if self.criteria_total else 0

    @property
    def days_inactive(self) -> int | None:
        if self.last_activity is None:
            return None
        return (timezone.now() - self.last_activity).days

    @property
    def rag_order(self) -> int:
        return RAG_ORDER[self.rag]


def _criteria_per_unit(qualification_ids: set[int]) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Unit ids per qualification (in order) and criteria per unit; two queries."""
    units = units_by_qualification(qualification_ids)
    return units, criteria_count_by_unit(u for ids in units.values() for u in ids)


@dataclass
class Measures:
    """Each measure for a group of portfolios, by portfolio id; six grouped queries."""

    units: dict[int, list[int]]
    criteria: dict[int, int]
    met: dict[int, int]
    signed: dict[int, int]
    queues: dict[int, dict]
    activity: dict[int, datetime.datetime]

    def fill(self, row: LearnerRow, pk: int, qualification_id: int, start, planned_end) -> None:
        unit_ids = self.units.get(qualification_id, [])
        row.criteria_total = sum(self.criteria.get(u, 0) for u in unit_ids)
        row.criteria_met = self.met.get(pk, 0)
        row.units_total = len(unit_ids)
        row.units_signed_off = self.signed.get(pk, 0)
        row.waiting = self.queues.get(pk, {}).get("waiting", 0)
        row.referrals = self.queues.get(pk, {}).get("referrals", 0)
        row.last_activity = self.activity.get(pk)
        row.rag = rag_status(
            percent_met=row.percent_met,
            start=start,
            planned_end=planned_end,
            today=timezone.localdate(),
            complete=bool(unit_ids) and row.units_signed_off >= len(unit_ids),
        )


def measures(portfolios: QuerySet[Portfolio], qualification_ids: set[int]) -> Measures:
    units, criteria = _criteria_per_unit(qualification_ids)
    return Measures(
        units=units,
        criteria=criteria,
        met=criteria_met(portfolios),
        signed=dict(
            UnitSignOff.objects.filter(portfolio__in=portfolios, revoked_at__isnull=True)
            .values("portfolio_id")
            .annotate(total=Count("pk"))
            .values_list("portfolio_id", "total")
        ),
        queues={
            row["evidence__portfolio_id"]: row
            for row in Mapping.objects.filter(evidence__portfolio__in=portfolios)
            .values("evidence__portfolio_id")
            .annotate(
                waiting=Count("pk", filter=Q(status=MappingStatus.SUBMITTED)),
                referrals=Count("pk", filter=Q(status=MappingStatus.REFERRED)),
            )
        },
        activity=dict(
            AuditEntry.objects.filter(portfolio__in=portfolios, actor=F("portfolio__learner"))
            .values("portfolio_id")
            .annotate(last=Max("at"))
            .values_list("portfolio_id", "last")
        ),
    )


def learner_rows(portfolios: QuerySet[Portfolio]) -> list[LearnerRow]:
    """One row per portfolio with its progress measures and RAG; eight queries."""
    items = list(portfolios.select_related("learner", "assessor", "qualification", "cohort"))
    found = measures(
        Portfolio.objects.filter(pk__in=[p.pk for p in items]),
        {p.qualification_id for p in items},
    )
    rows = []
    for portfolio in items:
        row = LearnerRow(portfolio=portfolio)
        found.fill(
            row,
            portfolio.pk,
            portfolio.qualification_id,
            portfolio.start_date,
            portfolio.planned_end_date,
        )
        rows.append(row)
    return rows


SORTS = {
    "name": lambda r: r.portfolio.learner.full_name.lower(),
    "met": lambda r: r.percent_met,
    "units": lambda r: r.units_signed_off,
    "waiting": lambda r: r.waiting,
    "referrals": lambda r: r.referrals,
    "inactive": lambda r: -1 if r.days_inactive is None else r.days_inactive,
    "rag": lambda r: (r.rag_order, r.percent_met),
}


@dataclass
class HeatmapRow:
    portfolio: Portfolio
    cells: list[tuple[int, int]] = field(default_factory=list)  # (met, total) per unit

    def percents(self) -> list[int]:
        return [round(100 * met / total) if total else 0 for met, total in self.cells]


def heatmap(portfolios: QuerySet[Portfolio], units: list[Unit]) -> list[HeatmapRow]:
    """Learners down, units across: criteria met of total per cell; three queries."""
    items = list(portfolios.select_related("learner"))
    totals = criteria_count_by_unit(u.pk for u in units)
    met = criteria_met_by_unit(p.pk for p in items)
    return [
        HeatmapRow(
            portfolio=p,
            cells=[(met.get((p.pk, u.pk), 0), totals.get(u.pk, 0)) for u in units],
        )
        for p in items
    ]


def progress_by_week(
    portfolios: QuerySet[Portfolio], since: datetime.date
) -> list[tuple[datetime.date, int]]:
    """Criteria met across the group at the end of each week (Monday-dated), cumulative."""
    firsts = (
        Decision.objects.filter(
            mapping__evidence__portfolio__in=portfolios, outcome=Outcome.ACCEPTED
        )
        .values("mapping__evidence__portfolio_id", "mapping__criterion_id")
        .annotate(first=Min("decided_at"))
        .values_list("first", flat=True)
    )
    per_week: dict[datetime.date, int] = defaultdict(int)
    for first in firsts:
        day = timezone.localtime(first).date()
        per_week[day - datetime.timedelta(days=day.weekday())] += 1
    start = since - datetime.timedelta(days=since.weekday())
    if per_week:
        start = min(start, min(per_week))
    today = timezone.localdate()
    weeks, total, week = [], 0, start
    while week <= today:
        total += per_week.get(week, 0)
        weeks.append((week, total))
        week += datetime.timedelta(days=7)
    return weeks


def cohort_units(cohort: Cohort) -> list[Unit]:
    if cohort.qualification_id is None:
        return []
    return list(
        Unit.objects.filter(qualification_links__qualification_id=cohort.qualification_id).order_by(
            "qualification_links__position"
        )
    )


@dataclass
class CohortSummary:
    cohort: Cohort
    learners: int = 0
    percent_met: int = 0
    rag: dict[str, int] = field(default_factory=dict)


def centre_overview(user: User) -> tuple[list[CohortSummary], list[dict]]:
    """Every cohort's summary and every assessor's caseload at the person's centre."""
    portfolios = Portfolio.objects.filter(centre_id=user.centre_id)
    # Plain values, not model instances: at 2,000 learners building objects costs more than
    # the queries.
    plain = list(
        portfolios.values_list(
            "pk", "cohort_id", "qualification_id", "start_date", "planned_end_date"
        )
    )
    found = measures(portfolios, {q for _, _, q, _, _ in plain})
    cohorts = {
        c.pk: CohortSummary(cohort=c)
        for c in Cohort.objects.filter(centre_id=user.centre_id).select_related("qualification")
    }
    totals: dict[int, list[int]] = defaultdict(list)
    for pk, cohort_id, qualification_id, start, planned_end in plain:
        summary = cohorts.get(cohort_id)
        if summary is None:
            continue
        row = LearnerRow(portfolio=None)  # type: ignore[arg-type]
        found.fill(row, pk, qualification_id, start, planned_end)
        summary.learners += 1
        summary.rag[row.rag] = summary.rag.get(row.rag, 0) + 1
        totals[cohort_id].append(row.percent_met)
    for pk, values in totals.items():
        cohorts[pk].percent_met = round(sum(values) / len(values))
    caseloads = dict(
        portfolios.values("assessor_id")
        .annotate(total=Count("pk"))
        .values_list("assessor_id", "total")
    )
    queues = {
        row["evidence__portfolio__assessor_id"]: row
        for row in Mapping.objects.filter(
            evidence__portfolio__centre_id=user.centre_id, status=MappingStatus.SUBMITTED
        )
        .values("evidence__portfolio__assessor_id")
        .annotate(waiting=Count("pk"), oldest=Min("submitted_at"))
    }
    assessors = []
    for person in User.objects.filter(
        centre_id=user.centre_id, memberships__role=Role.ASSESSOR
    ).order_by("full_name"):
        queue = queues.get(person.pk, {})
        oldest = queue.get("oldest")
        assessors.append(
            {
                "person": person,
                "portfolios": caseloads.get(person.pk, 0),
                "waiting": queue.get("waiting", 0),
                "days_waiting": (timezone.now() - oldest).days if oldest else None,
            }
        )
    return sorted(cohorts.values(), key=lambda s: s.cohort.name), assessors
