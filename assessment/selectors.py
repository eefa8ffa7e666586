"""Reads behind the assessor's caseload and queue, the IQA's sample and coverage, and the audit
timeline. Each aggregates in the database and runs a fixed number of queries."""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Role, User
from assessment import plans, progress
from assessment.models import Decision, IqaAgreement, IqaReview, Outcome, SamplingRate
from portfolio.audit import describe
from portfolio.models import AuditEntry, Evidence, EvidenceFile, Mapping, MappingStatus, Portfolio
from portfolio.progress import CriterionProgress, PortfolioIds
from portfolio.selectors import decisions_with_people
from portfolio.units import units_of
from qualifications.access import can_compare_versions
from qualifications.models import Qualification, Unit

DEFAULT_SAMPLING_PERCENT = 10


@dataclass
class QueueCounts:
    """What waits on one portfolio: mappings with the assessor, and referrals with the learner."""

    waiting: int = 0
    oldest_waiting: datetime.datetime | None = None
    referrals: int = 0


def queue_counts(portfolios: PortfolioIds) -> dict[int, QueueCounts]:
    """Waiting and referred mappings by portfolio id, with the oldest waiting submission; one
    query. Portfolios with neither are absent. The caseload and the dashboards both count here."""
    if not isinstance(portfolios, QuerySet):
        portfolios = list(portfolios)
    waiting = Q(status=MappingStatus.SUBMITTED)
    return {
        item["evidence__portfolio_id"]: QueueCounts(
            waiting=item["waiting"], oldest_waiting=item["oldest"], referrals=item["referrals"]
        )
        for item in Mapping.objects.filter(
            evidence__portfolio__in=portfolios,
            status__in=(MappingStatus.SUBMITTED, MappingStatus.REFERRED),
        )
        .values("evidence__portfolio_id")
        .annotate(
            waiting=Count("pk", filter=waiting),
            oldest=Min("submitted_at", filter=waiting),
            referrals=Count("pk", filter=Q(status=MappingStatus.REFERRED)),
        )
    }


@dataclass
class CaseloadRow:
    portfolio: Portfolio
    waiting: int = 0
    oldest_waiting: datetime.datetime | None = None
    referrals: int = 0
    units_ready: int = 0
    overdue_items: int = 0
    next_review: plans.ReviewDue | None = None

    @property
    def days_waiting(self) -> int | None:
        if self.oldest_waiting is None:
            return None
        return (timezone.now() - self.oldest_waiting).days


def assigned_portfolios(user: User, *, query: str = "") -> QuerySet[Portfolio]:
    """The portfolios assigned to the assessor by learner name; those whose learner's name,
    email or whole ULN, or whose qualification's title, matches `query` when given."""
    portfolios = (
        Portfolio.objects.visible_to(user)
        .filter(assessor=user)
        .select_related("learner", "qualification")
        .order_by("learner__full_name", "qualification__title", "pk")
    )
    if query:
        portfolios = portfolios.filter(
            Q(learner__full_name__icontains=query)
            | Q(learner__email__icontains=query)
            | Q(learner__uln=query)
            | Q(qualification__title__icontains=query)
        )
    return portfolios


def caseload_rows(portfolios: list[Portfolio]) -> list[CaseloadRow]:
    """What needs the assessor on each of these portfolios (a page of the caseload) and their
    overdue plan items; seven queries however many."""
    counts = queue_counts([p.pk for p in portfolios])
    ready = progress.units_ready_for_sign_off(portfolios)
    overdue = plans.overdue_counts([p.pk for p in portfolios])
    rows = []
    for portfolio in portfolios:
        found = counts.get(portfolio.pk, QueueCounts())
        rows.append(
            CaseloadRow(
                portfolio=portfolio,
                waiting=found.waiting,
                oldest_waiting=found.oldest_waiting,
                referrals=found.referrals,
                units_ready=len(ready.get(portfolio.pk, [])),
                overdue_items=overdue.get(portfolio.pk, 0),
            )
        )
    return rows


def reviews_due(user: User) -> list[CaseloadRow]:
    """The assessor's apprenticeships whose next three-way review is due or overdue, soonest
    first; two queries."""
    apprenticeships = list(assigned_portfolios(user).filter(is_apprenticeship=True))
    due = plans.reviews_due(apprenticeships)
    return sorted(
        (
            CaseloadRow(portfolio=portfolio, next_review=due[portfolio.pk])
            for portfolio in apprenticeships
            if portfolio.pk in due and due[portfolio.pk].waiting
        ),
        key=lambda row: row.next_review.date,
    )


def waiting_total(user: User) -> int:
    """Mappings waiting for this assessor's decision across their caseload; one query."""
    return Mapping.objects.filter(
        evidence__portfolio__in=assigned_portfolios(user).values("pk"),
        status=MappingStatus.SUBMITTED,
    ).count()


def waiting_queue(portfolios: QuerySet[Portfolio]) -> QuerySet[Evidence]:
    """Evidence in these portfolios with mappings waiting for assessment, oldest submission
    first, with how many wait and since when."""
    waiting = Q(mappings__status=MappingStatus.SUBMITTED)
    return (
        Evidence.objects.filter(portfolio__in=portfolios.values("pk"))
        .filter(waiting)
        .annotate(
            waiting_total=Count("mappings", filter=waiting, distinct=True),
            oldest=Min("mappings__submitted_at", filter=waiting),
        )
        .select_related("portfolio__learner", "portfolio__qualification")
        .order_by("oldest", "pk")
    )


def waiting_evidence(user: User) -> QuerySet[Evidence]:
    """The assessor's whole queue, oldest submission first: the assessor's home page."""
    return waiting_queue(assigned_portfolios(user))


def referrals(portfolio: Portfolio) -> list[Mapping]:
    """Mappings referred back to the learner, each with its decisions (latest feedback last)."""
    return list(
        Mapping.objects.filter(evidence__portfolio=portfolio, status=MappingStatus.REFERRED)
        .select_related("criterion__unit", "evidence")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("decided_by").order_by("decided_at", "pk"),
            )
        )
        .order_by("criterion__unit__reference", "criterion__outcome__number", "criterion__position")
    )


@dataclass
class TrackingMatrix:
    all_units: list[Unit]
    columns: list[Evidence]
    rows: list[tuple[Unit, CriterionProgress, list[Mapping | None]]]


def tracking_matrix(portfolio: Portfolio, *, unit_reference: str = "") -> TrackingMatrix:
    """Criteria down, evidence across (oldest first), the mapping in each cell; one unit when
    `unit_reference` names one of the portfolio's units (mandatory or chosen), else all of
    them. Five queries."""
    all_units = progress.portfolio_progress(portfolio)
    units = [unit for unit in all_units if unit.unit.reference == unit_reference] or all_units
    evidence_by_pk = {
        mapping.evidence.pk: mapping.evidence
        for unit in units
        for item in unit.criteria
        for mapping in item.mappings
    }
    columns = sorted(evidence_by_pk.values(), key=lambda e: (e.activity_date, e.pk))
    rows = []
    for unit in units:
        for item in unit.criteria:
            cells = {mapping.evidence.pk: mapping for mapping in item.mappings}
            rows.append((unit.unit, item, [cells.get(evidence.pk) for evidence in columns]))
    return TrackingMatrix(all_units=[u.unit for u in all_units], columns=columns, rows=rows)


def evidence_for_review(evidence: Evidence) -> Evidence:
    decisions = decisions_with_people()
    return (
        Evidence.objects.select_related(
            "portfolio__learner",
            "portfolio__assessor",
            "portfolio__qualification",
            "assessor_record__author",
            "assessor_record__acknowledged_by",
            "witness_statement__request__requested_by",
        )
        .prefetch_related(
            "assessor_record__items",
            "witness_statement__request__criteria__unit",
            Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")),
            Prefetch(
                "mappings",
                queryset=Mapping.objects.select_related("criterion__unit", "criterion__outcome")
                .prefetch_related(Prefetch("decisions", queryset=decisions))
                .order_by(
                    "criterion__unit__reference",
                    "criterion__outcome__number",
                    "criterion__position",
                ),
            ),
        )
        .get(pk=evidence.pk)
    )


# IQA ---------------------------------------------------------------------------------------


def centre_assessors(centre_id: int) -> QuerySet[User]:
    """The centre's assessors by name: whom sampling rates and caseloads are about."""
    return User.objects.filter(centre_id=centre_id, memberships__role=Role.ASSESSOR).order_by(
        "full_name"
    )


def units_in_use(centre_id: int) -> list[Unit]:
    """Units of the qualifications the centre's learners follow, by title: those a per-unit
    sampling rate can apply to."""
    return list(
        Unit.objects.filter(qualification_links__qualification__portfolios__centre_id=centre_id)
        .distinct()
        .order_by("title")
    )


def sampling_rates(centre_id: int) -> tuple[int, dict[int, int], dict[int, int]]:
    """(default percent, percent by assessor id, percent by unit id) for a centre."""
    default, by_assessor, by_unit = DEFAULT_SAMPLING_PERCENT, {}, {}
    for rate in SamplingRate.objects.filter(centre_id=centre_id):
        if rate.assessor_id:
            by_assessor[rate.assessor_id] = rate.percent
        elif rate.unit_id:
            by_unit[rate.unit_id] = rate.percent
        else:
            default = rate.percent
    return default, by_assessor, by_unit


def _centre_decisions(centre_id: int) -> QuerySet[Decision]:
    """Accept and refer decisions at the centre: the ones IQA sampling is about."""
    return Decision.objects.filter(
        mapping__evidence__portfolio__centre_id=centre_id,
        outcome__in=(Outcome.ACCEPTED, Outcome.REFERRED),
    )


def _sampleable(user: User) -> QuerySet[Decision]:
    """Never the IQA's own decisions: another IQA must sample those."""
    return _centre_decisions(user.centre_id).exclude(decided_by=user)


@dataclass
class SampleGroup:
    assessor: User
    unit: Unit
    percent: int
    total: int
    reviewed: int
    proposed: list[Decision] = field(default_factory=list)

    @property
    def target(self) -> int:
        return math.ceil(self.total * self.percent / 100)


def sample_groups(user: User, *, query: str = "") -> list[SampleGroup]:
    """Per assessor and unit, how many decisions there are, how many reviewed and the rate
    (the higher of the assessor's and the unit's, else the centre default), by assessor and
    unit; those whose assessor's name or unit's title or reference holds `query` when given.
    Never the IQA's own decisions. Four queries; `with_proposed_sample` fills in the sample."""
    default, by_assessor, by_unit = sampling_rates(user.centre_id)
    counts = list(
        _sampleable(user)
        .values("decided_by_id", "mapping__criterion__unit_id")
        .annotate(total=Count("pk"), reviewed=Count("iqa_review"))
    )
    people = User.objects.in_bulk({c["decided_by_id"] for c in counts})
    units = Unit.objects.in_bulk({c["mapping__criterion__unit_id"] for c in counts})
    groups = []
    for c in counts:
        assessor_id, unit_id = c["decided_by_id"], c["mapping__criterion__unit_id"]
        rates = [r for r in (by_assessor.get(assessor_id), by_unit.get(unit_id)) if r is not None]
        groups.append(
            SampleGroup(
                assessor=people[assessor_id],
                unit=units[unit_id],
                percent=max(rates) if rates else default,
                total=c["total"],
                reviewed=c["reviewed"],
            )
        )
    if query:
        wanted = query.casefold()
        groups = [
            g
            for g in groups
            if wanted in g.assessor.full_name.casefold()
            or wanted in g.unit.title.casefold()
            or wanted in g.unit.reference.casefold()
        ]
    return sorted(groups, key=lambda g: (g.assessor.full_name, g.unit.reference, g.unit.pk))


def sample_proposal(user: User) -> list[SampleGroup]:
    """Every group at the IQA's centre with the decisions to sample next: the IQA's home page
    (the sample page reads a page of groups at a time). Five queries."""
    return with_proposed_sample(user, sample_groups(user))


def with_proposed_sample(user: User, groups: list[SampleGroup]) -> list[SampleGroup]:
    """These groups (a page of them) with the decisions to sample next so each reviewed share
    reaches its rate, oldest first; one query however many groups."""
    by_key = {(g.assessor.pk, g.unit.pk): g for g in groups}
    most_needed = max((g.target - g.reviewed for g in groups), default=0)
    if most_needed <= 0:
        return groups
    candidates = (
        _sampleable(user)
        .filter(
            iqa_review__isnull=True,
            decided_by_id__in={key[0] for key in by_key},
            mapping__criterion__unit_id__in={key[1] for key in by_key},
        )
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("decided_by_id"), F("mapping__criterion__unit_id")],
                order_by=[F("decided_at").asc(), F("pk").asc()],
            )
        )
        .filter(place__lte=most_needed)
        .select_related(
            "mapping__criterion__unit", "mapping__evidence__portfolio__learner", "decided_by"
        )
        .order_by("decided_at", "pk")
    )
    for decision in candidates:
        group = by_key.get((decision.decided_by_id, decision.mapping.criterion.unit_id))
        if group is not None and len(group.proposed) < group.target - group.reviewed:
            group.proposed.append(decision)
    return groups


@dataclass
class Coverage:
    label: str
    decisions: int
    sampled: int
    agreed: int
    disagreed: int

    @property
    def percent(self) -> int:
        return round(100 * self.sampled / self.decisions) if self.decisions else 0


def coverage(user: User) -> tuple[list[Coverage], list[Coverage]]:
    """Sampling coverage per assessor and per unit across the IQA's centre; four queries."""
    decisions = _centre_decisions(user.centre_id)
    aggregates = {
        "decisions": Count("pk"),
        "sampled": Count("iqa_review"),
        "agreed": Count("iqa_review", filter=Q(iqa_review__verdict=IqaAgreement.AGREE)),
        "disagreed": Count("iqa_review", filter=Q(iqa_review__verdict=IqaAgreement.DISAGREE)),
    }
    by_assessor = list(decisions.values("decided_by_id").annotate(**aggregates))
    by_unit = list(decisions.values("mapping__criterion__unit_id").annotate(**aggregates))
    people = User.objects.in_bulk({row["decided_by_id"] for row in by_assessor})
    units = Unit.objects.in_bulk({row["mapping__criterion__unit_id"] for row in by_unit})

    def rows(items: list[dict], key: str, names: dict) -> list[Coverage]:
        return sorted(
            (
                Coverage(
                    label=str(names[item[key]]),
                    decisions=item["decisions"],
                    sampled=item["sampled"],
                    agreed=item["agreed"],
                    disagreed=item["disagreed"],
                )
                for item in items
            ),
            key=lambda c: c.label,
        )

    return rows(by_assessor, "decided_by_id", people), rows(
        by_unit, "mapping__criterion__unit_id", units
    )


def recent_reviews(user: User) -> QuerySet[IqaReview]:
    return (
        IqaReview.objects.filter(reviewer__centre_id=user.centre_id)
        .select_related(
            "reviewer",
            "decision__decided_by",
            "decision__mapping__criterion__unit",
            "decision__mapping__evidence__portfolio__learner",
        )
        .order_by("-reviewed_at")[:20]
    )


def decision_history(mapping: Mapping) -> list[Decision]:
    """Every decision on the mapping, oldest first, so a sampled one is seen in its place."""
    return list(decisions_with_people().filter(mapping=mapping))


def evidence_files(evidence: Evidence) -> list[EvidenceFile]:
    return list(evidence.files.order_by("uploaded_at", "pk"))


def timeline(portfolio: Portfolio) -> QuerySet[AuditEntry]:
    """The portfolio's audit entries, oldest first, with who made each: one query to read."""
    return portfolio.audit_entries.select_related("actor").order_by("at", "pk")


TIMELINE_COLUMNS = ["time", "person", "action", "object", "details", "changes"]


def timeline_csv_rows(portfolio: Portfolio) -> Iterator[list[str]]:
    """The audit timeline under TIMELINE_COLUMNS, streamed in chunks: readable columns for
    people (hashes in full), then the raw changes for auditors and scripts."""
    for entry in timeline(portfolio).iterator(chunk_size=500):
        line = describe(entry, full=True)
        yield [
            timezone.localtime(line.when).isoformat(),
            line.who,
            line.what,
            line.subject,
            "\n".join(line.details),
            json.dumps(entry.changes, ensure_ascii=False),
        ]


# Versions of the portfolio's qualification ---------------------------------------------------


def newer_version(portfolio: Portfolio) -> Qualification | None:
    """The current version of the portfolio's qualification, when the portfolio is on an
    older one; no query for a portfolio on the current version, else one."""
    qualification = portfolio.qualification
    if qualification.is_current:
        return None
    return (
        Qualification.objects.current()
        .filter(reference=qualification.reference, sequence__gt=qualification.sequence)
        .first()
    )


def mappings_outside_units(portfolio: Portfolio) -> list[Mapping]:
    """Mappings to criteria of units the portfolio no longer works towards: an earlier
    version's criteria that did not carry across when it moved, or an optional unit no longer
    chosen. They count for nothing until the assessor maps the evidence again; one query."""
    return list(
        Mapping.objects.filter(evidence__portfolio=portfolio)
        .exclude(criterion__unit__in=units_of(portfolio).values("pk"))
        .select_related("evidence", "criterion__unit")
        .order_by("criterion__unit__reference", "criterion__unit__sequence", "criterion__number")
    )


@dataclass(frozen=True)
class VersionNotice:
    """What the portfolio page says about versions: a newer one to move to, and evidence left
    on criteria outside the portfolio's units."""

    newer: Qualification | None
    can_move: bool
    can_compare: bool
    outside: list[Mapping]


def version_notice(user: User, portfolio: Portfolio) -> VersionNotice:
    """Administrators of the centre move portfolios; assessors, IQAs and they compare versions."""
    return VersionNotice(
        newer=newer_version(portfolio),
        can_move=user.has_role(Role.CENTRE_ADMIN) and user.centre_id == portfolio.centre_id,
        can_compare=can_compare_versions(user),
        outside=mappings_outside_units(portfolio),
    )
