"""Reads behind the assessor's caseload and queue, the IQA's sample and coverage, and the audit
timeline. Each aggregates in the database and runs a fixed number of queries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import User
from assessment import progress
from assessment.models import Decision, IqaAgreement, IqaReview, Outcome, SamplingRate
from portfolio.models import AuditEntry, Evidence, EvidenceFile, Mapping, MappingStatus, Portfolio
from portfolio.progress import CriterionProgress
from qualifications.models import Unit

DEFAULT_SAMPLING_PERCENT = 10


@dataclass
class CaseloadRow:
    portfolio: Portfolio
    waiting: int = 0
    oldest_waiting: object = None
    referrals: int = 0
    units_ready: int = 0

    @property
    def days_waiting(self) -> int | None:
        if self.oldest_waiting is None:
            return None
        return (timezone.now() - self.oldest_waiting).days


def caseload(user: User) -> list[CaseloadRow]:
    """Every portfolio assigned to the assessor, with what needs them; six queries."""
    portfolios = list(
        Portfolio.objects.visible_to(user)
        .filter(assessor=user)
        .select_related("learner", "qualification")
        .order_by("learner__full_name", "qualification__title")
    )
    rows = {p.pk: CaseloadRow(portfolio=p) for p in portfolios}
    mappings = Mapping.objects.filter(evidence__portfolio__in=list(rows))
    for item in (
        mappings.filter(status=MappingStatus.SUBMITTED)
        .values("evidence__portfolio_id")
        .annotate(total=Count("pk"), oldest=Min("submitted_at"))
    ):
        row = rows[item["evidence__portfolio_id"]]
        row.waiting, row.oldest_waiting = item["total"], item["oldest"]
    for item in (
        mappings.filter(status=MappingStatus.REFERRED)
        .values("evidence__portfolio_id")
        .annotate(total=Count("pk"))
    ):
        rows[item["evidence__portfolio_id"]].referrals = item["total"]
    for portfolio_id, ready in progress.units_ready_for_sign_off(portfolios).items():
        rows[portfolio_id].units_ready = len(ready)
    return list(rows.values())


def queue(user: User) -> QuerySet[Evidence]:
    """Evidence with mappings waiting for this assessor, oldest submission first."""
    waiting = Q(mappings__status=MappingStatus.SUBMITTED)
    return (
        Evidence.objects.visible_to(user)
        .filter(portfolio__assessor=user)
        .filter(waiting)
        .annotate(
            waiting_total=Count("mappings", filter=waiting, distinct=True),
            oldest=Min("mappings__submitted_at", filter=waiting),
        )
        .select_related("portfolio__learner", "portfolio__qualification")
        .order_by("oldest", "pk")
    )


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
    `unit_reference` names one of the qualification's, else all. Five queries."""
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
    decisions = Decision.objects.select_related("decided_by").order_by("decided_at", "pk")
    return (
        Evidence.objects.select_related(
            "portfolio__learner", "portfolio__assessor", "portfolio__qualification"
        )
        .prefetch_related(
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


def _sampleable(user: User) -> QuerySet[Decision]:
    return Decision.objects.filter(
        mapping__evidence__portfolio__centre_id=user.centre_id,
        outcome__in=(Outcome.ACCEPTED, Outcome.REFERRED),
    ).exclude(decided_by=user)


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


def sample_proposal(user: User) -> list[SampleGroup]:
    """Per assessor and unit, the decisions to sample next so the reviewed share reaches the
    rate (the higher of the assessor's and the unit's, else the centre default), oldest
    first. Never the IQA's own decisions. Five queries."""
    default, by_assessor, by_unit = sampling_rates(user.centre_id)
    decisions = _sampleable(user)
    counts = list(
        decisions.values("decided_by_id", "mapping__criterion__unit_id").annotate(
            total=Count("pk"), reviewed=Count("iqa_review")
        )
    )
    people = User.objects.in_bulk({c["decided_by_id"] for c in counts})
    units = Unit.objects.in_bulk({c["mapping__criterion__unit_id"] for c in counts})
    groups: dict[tuple[int, int], SampleGroup] = {}
    for c in counts:
        assessor_id, unit_id = c["decided_by_id"], c["mapping__criterion__unit_id"]
        rates = [r for r in (by_assessor.get(assessor_id), by_unit.get(unit_id)) if r is not None]
        groups[(assessor_id, unit_id)] = SampleGroup(
            assessor=people[assessor_id],
            unit=units[unit_id],
            percent=max(rates) if rates else default,
            total=c["total"],
            reviewed=c["reviewed"],
        )
    most_needed = max((g.target - g.reviewed for g in groups.values()), default=0)
    if most_needed > 0:
        candidates = (
            decisions.filter(iqa_review__isnull=True)
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
            group = groups[(decision.decided_by_id, decision.mapping.criterion.unit_id)]
            if len(group.proposed) < group.target - group.reviewed:
                group.proposed.append(decision)
    return sorted(groups.values(), key=lambda g: (g.assessor.full_name, g.unit.reference))


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
    decisions = Decision.objects.filter(
        mapping__evidence__portfolio__centre_id=user.centre_id,
        outcome__in=(Outcome.ACCEPTED, Outcome.REFERRED),
    )
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


def timeline(portfolio: Portfolio) -> QuerySet[AuditEntry]:
    """The portfolio's audit entries, oldest first, with who made each: one query to read."""
    return portfolio.audit_entries.select_related("actor").order_by("at", "pk")
