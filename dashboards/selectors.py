"""The numbers behind tutors' and administrators' dashboards, aggregated in the database.

Each function runs a fixed number of queries whatever the number of learners: one query per
measure, grouped by portfolio, then joined up in Python.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.params import id_or_none
from assessment import plans
from assessment.models import Decision, Outcome
from assessment.progress import signed_off_units
from assessment.selectors import QueueCounts, centre_assessors, queue_counts
from cohorts.models import Cohort
from dashboards.rag import RAG_ORDER, Rag, rag_status
from portfolio.hours import Pace
from portfolio.models import AuditEntry, Portfolio
from portfolio.progress import criteria_met_by_unit
from portfolio.selectors import off_the_job_paces
from portfolio.units import unit_ids_by_pair, unit_ids_by_portfolio
from qualifications.models import Qualification, Unit
from qualifications.rules import Rules, is_complete, rules_status
from qualifications.selectors import criteria_count_by_unit, rules_by_qualification


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
    overdue_items: int = 0
    # An apprentice's off-the-job hours against their plan (None for anyone else).
    hours_pace: Pace | None = None

    @property
    def hours_behind(self) -> bool:
        return self.hours_pace is not None and self.hours_pace.behind

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


@dataclass
class Measures:
    """Each measure for a group of portfolios, by portfolio id; grouped queries, a fixed number
    whatever the group's size. Every count comes from the module that owns it: a portfolio's
    units from portfolio.units, criteria met from portfolio.progress, sign-offs from
    assessment.progress, queues from assessment.selectors, the catalogue's counts and rules
    from qualifications.selectors, completion from qualifications.rules."""

    units: dict[int, list[int]]
    criteria: dict[int, int]
    met: dict[tuple[int, int], int]
    signed: dict[int, set[int]]
    rules: dict[int, Rules]
    references: dict[int, str]
    queues: dict[int, QueueCounts]
    activity: dict[int, datetime.datetime]

    def fill(
        self,
        row: LearnerRow,
        pk: int,
        qualification_id: int,
        start: datetime.date,
        planned_end: datetime.date,
    ) -> None:
        unit_ids = self.units.get(pk, [])
        signed = self.signed.get(pk, set())
        queue = self.queues.get(pk, QueueCounts())
        row.criteria_total = sum(self.criteria.get(u, 0) for u in unit_ids)
        row.criteria_met = sum(self.met.get((pk, u), 0) for u in unit_ids)
        row.units_total = len(unit_ids)
        row.units_signed_off = sum(1 for u in unit_ids if u in signed)
        row.waiting = queue.waiting
        row.referrals = queue.referrals
        row.last_activity = self.activity.get(pk)
        rules = self.rules[qualification_id]
        chosen = {self.references[u] for u in unit_ids}
        complete = is_complete(
            rules, chosen=chosen, signed_off={self.references[u] for u in unit_ids if u in signed}
        )
        row.rag = rag_status(
            percent_met=row.percent_met,
            start=start,
            planned_end=planned_end,
            today=timezone.localdate(),
            complete=complete,
            # Worked out only where it matters: every criterion met but not yet complete.
            choice_meets_rules=complete
            or row.percent_met < 100
            or rules_status(rules, chosen, set()).satisfied,
        )


def measures(portfolios: QuerySet[Portfolio], pairs: list[tuple[int, int]]) -> Measures:
    """The measures of `portfolios`, given as a queryset and as (id, qualification id) pairs."""
    units = unit_ids_by_pair(pairs)
    unit_ids = {u for ids in units.values() for u in ids}
    return Measures(
        units=units,
        criteria=criteria_count_by_unit(unit_ids),
        met=criteria_met_by_unit(portfolios),
        signed=signed_off_units(portfolios),
        rules=rules_by_qualification({q for _, q in pairs}),
        references=dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "reference")),
        queues=queue_counts(portfolios),
        activity=dict(
            AuditEntry.objects.filter(portfolio__in=portfolios, actor=F("portfolio__learner"))
            .values("portfolio_id")
            .annotate(last=Max("at"))
            .values_list("portfolio_id", "last")
        ),
    )


def learner_rows(portfolios: QuerySet[Portfolio]) -> list[LearnerRow]:
    """One row per portfolio with its progress measures, RAG and overdue plan items; nine
    queries, and one more for apprentices' off-the-job hours when the group has any."""
    items = list(portfolios.select_related("learner", "assessor", "qualification", "cohort"))
    found = measures(
        Portfolio.objects.filter(pk__in=[p.pk for p in items]),
        [(p.pk, p.qualification_id) for p in items],
    )
    paces = off_the_job_paces(items)
    overdue = plans.overdue_counts([p.pk for p in items])
    rows = []
    for portfolio in items:
        row = LearnerRow(
            portfolio=portfolio,
            overdue_items=overdue.get(portfolio.pk, 0),
            hours_pace=paces.get(portfolio.pk),
        )
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
    "overdue": lambda r: r.overdue_items,
    "inactive": lambda r: -1 if r.days_inactive is None else r.days_inactive,
    "rag": lambda r: (r.rag_order, r.percent_met),
}


@dataclass
class LearnerTable:
    """The cohort dashboard's rows as filtered and sorted, with what the filters offer: the
    whole group's size, RAG counts and assessors."""

    rows: list[LearnerRow]
    total: int
    counts: dict[str, int]
    assessors: list[User]


def learner_table(
    portfolios: QuerySet[Portfolio],
    *,
    rag: str = "",
    assessor: str = "",
    query: str = "",
    sort: str = "name",
) -> LearnerTable:
    """Rows with one RAG, one assessor (by id) or a name or email containing `query`, sorted
    by a SORTS key (`-key` for descending); unknown filters and sorts are ignored."""
    everyone = learner_rows(portfolios)
    rows = everyone
    query = query.strip().lower()
    if rag in Rag.values:
        rows = [r for r in rows if r.rag == rag]
    assessor_id = id_or_none(assessor)
    if assessor_id is not None:
        rows = [r for r in rows if r.portfolio.assessor_id == assessor_id]
    if query:
        rows = [
            r
            for r in rows
            if query in r.portfolio.learner.full_name.lower()
            or query in r.portfolio.learner.email.lower()
        ]
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    return LearnerTable(
        rows=sorted(rows, key=key, reverse=sort.startswith("-")),
        total=len(everyone),
        counts={value: sum(1 for r in everyone if r.rag == value) for value in Rag.values},
        assessors=sorted(
            {r.portfolio.assessor for r in everyone if r.portfolio.assessor},
            key=lambda person: person.full_name,
        ),
    )


LEARNER_COLUMNS = [
    "learner",
    "email",
    "assessor",
    "criteria met",
    "criteria total",
    "percent met",
    "units signed off",
    "units total",
    "waiting for assessor",
    "referrals with learner",
    "overdue plan items",
    "days since last activity",
    "RAG",
]


def learner_csv_rows(rows: list[LearnerRow]) -> Iterator[list[object]]:
    """The dashboard's rows as spreadsheet rows under LEARNER_COLUMNS."""
    for r in rows:
        yield [
            r.portfolio.learner.full_name,
            r.portfolio.learner.email,
            str(r.portfolio.assessor or ""),
            r.criteria_met,
            r.criteria_total,
            r.percent_met,
            r.units_signed_off,
            r.units_total,
            r.waiting,
            r.referrals,
            r.overdue_items,
            "" if r.days_inactive is None else r.days_inactive,
            r.rag.label,
        ]


NOT_TAKEN = "not taken"


@dataclass
class HeatmapRow:
    """One learner's cells, one per unit column: (criteria met, criteria to meet), or None
    for an optional unit the learner has not chosen, which is not theirs to make progress in."""

    portfolio: Portfolio
    cells: list[tuple[int, int] | None] = field(default_factory=list)

    def percents(self) -> list[int | None]:
        return [
            None if cell is None else round(100 * cell[0] / cell[1]) if cell[1] else 0
            for cell in self.cells
        ]


def heatmap(portfolios: QuerySet[Portfolio], units: list[Unit]) -> list[HeatmapRow]:
    """Learners down, units across: criteria met of total per cell, over each learner's own
    units only (mandatory and chosen); five queries."""
    items = list(portfolios.select_related("learner"))
    own = {pk: set(ids) for pk, ids in unit_ids_by_portfolio(items).items()}
    totals = criteria_count_by_unit(u.pk for u in units)
    met = criteria_met_by_unit(p.pk for p in items)
    return [
        HeatmapRow(
            portfolio=p,
            cells=[
                (met.get((p.pk, u.pk), 0), totals.get(u.pk, 0)) if u.pk in own[p.pk] else None
                for u in units
            ],
        )
        for p in items
    ]


def heatmap_columns(units: list[Unit]) -> list[str]:
    """The heatmap's spreadsheet header: learner, then each unit's share of criteria met."""
    return ["learner", *[f"{u.reference} {u.title} (% of criteria met)" for u in units]]


def heatmap_csv_rows(rows: list[HeatmapRow]) -> Iterator[list[object]]:
    for r in rows:
        yield [
            r.portfolio.learner.full_name,
            *[NOT_TAKEN if percent is None else percent for percent in r.percents()],
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
    """Every unit of the cohort's qualification, mandatory and optional, in its order: the
    heatmap's columns, where a learner's unchosen optional units read "not taken"."""
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
            "pk", "cohort_id", "assessor_id", "qualification_id", "start_date", "planned_end_date"
        )
    )
    found = measures(portfolios, [(pk, q) for pk, _, _, q, _, _ in plain])
    cohorts = {
        c.pk: CohortSummary(cohort=c)
        for c in Cohort.objects.filter(centre_id=user.centre_id).select_related("qualification")
    }
    totals: dict[int, list[int]] = defaultdict(list)
    caseloads: dict[int, list[QueueCounts]] = defaultdict(list)
    for pk, cohort_id, assessor_id, qualification_id, start, planned_end in plain:
        caseloads[assessor_id].append(found.queues.get(pk, QueueCounts()))
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
    assessors = []
    for person in centre_assessors(user.centre_id):
        queues = caseloads.get(person.pk, [])
        oldest = min((q.oldest_waiting for q in queues if q.oldest_waiting), default=None)
        assessors.append(
            {
                "person": person,
                "portfolios": len(queues),
                "waiting": sum(q.waiting for q in queues),
                "days_waiting": (timezone.now() - oldest).days if oldest else None,
            }
        )
    return sorted(cohorts.values(), key=lambda s: s.cohort.name), assessors


def cohort_list(user: User, *, query: str = "") -> QuerySet[Cohort]:
    """The cohorts the person follows by name, with their learner counts; those whose name or
    qualification's title holds `query` when given."""
    cohorts = Cohort.objects.visible_to(user)
    if query:
        cohorts = cohorts.filter(
            Q(name__icontains=query) | Q(qualification__title__icontains=query)
        )
    return (
        cohorts.select_related("qualification")
        .prefetch_related("tutors")
        .annotate(learner_total=Count("portfolios"))
        .order_by("name", "pk")
    )


def followed_portfolio_count(user: User) -> int:
    """Portfolios the person may open besides their own."""
    return Portfolio.objects.visible_to(user).exclude(learner=user).count()


def catalogue() -> QuerySet[Qualification]:
    """The current version of every qualification loaded, by title, for the home page."""
    return Qualification.objects.current().select_related("awarding_body").order_by("title")
