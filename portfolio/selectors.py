"""Scoped reads behind the portfolio pages; each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from accounts.models import Role, User
from portfolio.hours import Pace, pace
from portfolio.models import (
    Evidence,
    EvidenceFile,
    FileKind,
    Mapping,
    MappingStatus,
    Message,
    OffTheJobEntry,
    OffTheJobStatus,
    Portfolio,
)
from portfolio.units import criteria_progress, units_of
from qualifications.models import (
    AssessmentCriterion,
    GuidanceItem,
    GuidanceSection,
    Qualification,
    QualificationUnit,
    Unit,
)

HOURS_TO_CONFIRM_SHOWN = 50


PORTFOLIO_LIST_RELATED = ("learner", "qualification__awarding_body", "assessor", "tutor", "cohort")


def portfolio_list(user: User, *, own_only: bool = False) -> list[Portfolio]:
    """Visible portfolios (or only the person's own) with criteria met and total over their
    own units, in five queries."""
    visible = Portfolio.objects.visible_to(user)
    if own_only:
        visible = visible.filter(learner=user)
    return with_progress(list(visible.select_related(*PORTFOLIO_LIST_RELATED)))


def portfolio_search(
    user: User, *, query: str = "", qualification_id: int | None = None
) -> QuerySet[Portfolio]:
    """Visible portfolios by learner name, matching `query` in the learner's name, email or
    ULN, the qualification's title or the cohort's name; one qualification's when given."""
    portfolios = (
        Portfolio.objects.visible_to(user)
        .select_related(*PORTFOLIO_LIST_RELATED)
        .order_by("learner__full_name", "qualification__title", "pk")
    )
    if query:
        portfolios = portfolios.filter(
            Q(learner__full_name__icontains=query)
            | Q(learner__email__icontains=query)
            | Q(learner__uln=query)
            | Q(qualification__title__icontains=query)
            | Q(cohort__name__icontains=query)
        )
    if qualification_id is not None:
        portfolios = portfolios.filter(qualification_id=qualification_id)
    return portfolios


def portfolio_qualifications(user: User) -> QuerySet[Qualification]:
    """The qualifications of the portfolios the person may open, to filter the list by."""
    return (
        Qualification.objects.filter(portfolios__in=Portfolio.objects.visible_to(user))
        .distinct()
        .order_by("title", "sequence")
    )


def with_progress(portfolios: list[Portfolio]) -> list[Portfolio]:
    """Each portfolio with criteria met and total over its own units; a fixed number of
    queries however many portfolios."""
    progress = criteria_progress(portfolios)
    for portfolio in portfolios:
        portfolio.criteria_met, portfolio.criteria_total = progress[portfolio.pk]
    return portfolios


def portfolio_units(portfolio: Portfolio) -> QuerySet[Unit]:
    """The units the portfolio works towards, in the qualification's order."""
    return units_of(portfolio)


def evidence_library(portfolio: Portfolio, filters: dict[str, Any]) -> QuerySet[Evidence]:
    """The portfolio's evidence, filtered, with its mappings and first image prefetched."""
    evidence = portfolio.evidence.annotate(file_total=Count("files", distinct=True))
    if query := filters.get("q"):
        evidence = evidence.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if evidence_type := filters.get("type"):
        evidence = evidence.filter(type=evidence_type)
    if unit := filters.get("unit"):
        evidence = evidence.filter(
            Exists(Mapping.objects.filter(evidence=OuterRef("pk"), criterion__unit=unit))
        )
    if status := filters.get("status"):
        if status == "unmapped":
            evidence = evidence.filter(~Exists(Mapping.objects.filter(evidence=OuterRef("pk"))))
        else:
            evidence = evidence.filter(
                Exists(Mapping.objects.filter(evidence=OuterRef("pk"), status=status))
            )
    return evidence.prefetch_related(
        Prefetch(
            "mappings",
            queryset=Mapping.objects.select_related("criterion__unit").order_by(
                "criterion__unit__reference", "criterion__outcome__number", "criterion__position"
            ),
        ),
        Prefetch(
            "files",
            queryset=EvidenceFile.objects.filter(kind=FileKind.IMAGE).order_by("uploaded_at"),
            to_attr="images",
        ),
    ).order_by("-activity_date", "-pk")


def decisions_with_people() -> QuerySet:
    """Assessors' decisions on mappings, oldest first, with who made them and their credentials,
    and the IQA's review of each one sampled.

    Decisions belong to the assessment layer above this one, which portfolio never imports:
    they are reached through the mapping's reverse relation.
    """
    decisions = Mapping._meta.get_field("decisions").related_model
    return (
        decisions.objects.select_related("decided_by", "iqa_review__reviewer")
        .prefetch_related("decided_by__credentials")
        .order_by("decided_at", "pk")
    )


def referral_of(mapping: Mapping) -> Any | None:
    """The decision that referred this mapping back, with who made it, while it is referred."""
    if mapping.status != MappingStatus.REFERRED:
        return None
    return decisions_with_people().filter(mapping=mapping).order_by("-decided_at", "-pk").first()


def evidence_detail_queryset() -> QuerySet[Evidence]:
    """Evidence with its files, mappings and their decisions, for the evidence page."""
    return Evidence.objects.select_related(
        "portfolio__learner",
        "portfolio__qualification",
        "assessor_record__author",
        "assessor_record__acknowledged_by",
    ).prefetch_related(
        "assessor_record__items",
        "witness_statement__request__criteria__unit",
        Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")),
        Prefetch(
            "mappings",
            queryset=Mapping.objects.select_related("criterion__unit", "criterion__outcome")
            .prefetch_related(Prefetch("decisions", queryset=decisions_with_people()))
            .order_by(
                "criterion__unit__reference",
                "criterion__outcome__number",
                "criterion__position",
            ),
        ),
    )


def criteria_by_unit(
    portfolio: Portfolio, query: str = ""
) -> list[tuple[Unit, list[tuple[Any, list[AssessmentCriterion]]]]]:
    """The qualification's criteria grouped unit → outcome, optionally filtered by text."""
    units = list(portfolio_units(portfolio))
    criteria = AssessmentCriterion.objects.filter(unit__in=units).select_related("outcome")
    if query:
        criteria = criteria.filter(
            Q(text__icontains=query)
            | Q(number__startswith=query)
            | Q(outcome__text__icontains=query)
            | Q(unit__title__icontains=query)
        )
    grouped: dict[int, dict[Any, list[AssessmentCriterion]]] = defaultdict(dict)
    unit_by_id = {unit.pk: unit for unit in units}
    for criterion in criteria.order_by("outcome__number", "position"):
        criterion.unit = unit_by_id[criterion.unit_id]  # read already: no query per criterion
        grouped[criterion.unit_id].setdefault(criterion.outcome, []).append(criterion)
    return [(unit, list(grouped[unit.pk].items())) for unit in units if unit.pk in grouped]


def mapped_criterion_ids(evidence: Evidence) -> set[int]:
    """Criteria this evidence is already mapped to."""
    return set(evidence.mappings.values_list("criterion_id", flat=True))


def criteria_to_map(evidence: Evidence, criterion_ids: set[int]) -> list[AssessmentCriterion]:
    """The chosen criteria that belong to the portfolio's units and are not yet mapped from
    this evidence, in the picker's order: units as the qualification orders them, then
    outcome, then position."""
    unit_position = QualificationUnit.objects.filter(
        qualification_id=evidence.portfolio.qualification_id, unit_id=OuterRef("unit_id")
    ).values("position")[:1]
    return list(
        AssessmentCriterion.objects.filter(
            pk__in=criterion_ids, unit__in=units_of(evidence.portfolio)
        )
        .exclude(mappings__evidence=evidence)
        .select_related("unit", "outcome")
        .annotate(unit_position=Subquery(unit_position))
        .order_by("unit_position", "outcome__number", "position")
    )


def mapping_guidance(criteria: list[AssessmentCriterion]) -> dict[int, list[GuidanceItem]]:
    """Assessment guidance and common mistakes of the criteria's units, by unit id."""
    items = GuidanceItem.objects.filter(
        unit__in={c.unit_id for c in criteria},
        section__in=(GuidanceSection.ASSESSMENT_GUIDANCE, GuidanceSection.COMMON_MISTAKE),
    ).order_by("section", "position")
    guidance: dict[int, list[GuidanceItem]] = {}
    for item in items:
        guidance.setdefault(item.unit_id, []).append(item)
    return guidance


def accepted_mappings_by_criterion(criterion_ids: Iterable[int]) -> dict[int, int]:
    """Accepted mappings per criterion, in every centre: what the catalogue loader must not
    silently reword. Criteria with none are absent."""
    return dict(
        Mapping.objects.filter(criterion_id__in=list(criterion_ids), status=MappingStatus.ACCEPTED)
        .values("criterion_id")
        .annotate(total=Count("pk"))
        .values_list("criterion_id", "total")
    )


# Off-the-job hours ---------------------------------------------------------------------------


def off_the_job_totals(portfolios: QuerySet[Portfolio]) -> dict[int, tuple[Decimal, Decimal]]:
    """(logged, confirmed) hours by portfolio id, in one grouped query. Logged counts entries
    waiting and confirmed; a queried entry counts again once it is corrected."""
    rows = (
        OffTheJobEntry.objects.filter(portfolio__in=portfolios)
        .exclude(status=OffTheJobStatus.QUERIED)
        .values("portfolio_id")
        .annotate(
            logged=Sum("hours"),
            confirmed=Sum("hours", filter=Q(status=OffTheJobStatus.CONFIRMED)),
        )
    )
    return {
        row["portfolio_id"]: (row["logged"] or Decimal(0), row["confirmed"] or Decimal(0))
        for row in rows
    }


def off_the_job_paces(
    portfolios: Iterable[Portfolio], today: datetime.date | None = None
) -> dict[int, Pace]:
    """The pace of each apprenticeship among `portfolios` that plans its hours; one query."""
    planned = [p for p in portfolios if p.is_apprenticeship and p.off_the_job_planned_hours]
    if not planned:
        return {}
    today = today or timezone.localdate()
    totals = off_the_job_totals(Portfolio.objects.filter(pk__in=[p.pk for p in planned]))
    paces = {}
    for portfolio in planned:
        logged, confirmed = totals.get(portfolio.pk, (Decimal(0), Decimal(0)))
        paces[portfolio.pk] = pace(
            planned=portfolio.off_the_job_planned_hours,
            start=portfolio.start_date,
            end=portfolio.planned_end_date,
            today=today,
            logged=logged,
            confirmed=confirmed,
        )
    return paces


def off_the_job_entries(portfolio: Portfolio) -> QuerySet[OffTheJobEntry]:
    """The portfolio's entries with who logged, confirmed and queried them; one query."""
    return portfolio.off_the_job_entries.select_related(
        "evidence", "logged_by", "confirmed_by", "queried_by"
    )


def hours_to_confirm(user: User) -> list[OffTheJobEntry]:
    """Entries waiting for this person to confirm: on their apprentices' portfolios as employer
    contact, or on those they assess when the apprentice has no employer contact; one query."""
    rule = Q(portfolio__employer=user, portfolio__is_apprenticeship=True)
    if user.has_role(Role.ASSESSOR):
        rule |= Q(portfolio__assessor=user, portfolio__employer__isnull=True)
    if not user.has_role(Role.EMPLOYER, Role.ASSESSOR):
        return []
    return list(
        OffTheJobEntry.objects.filter(
            rule,
            status=OffTheJobStatus.LOGGED,
            portfolio__in=Portfolio.objects.visible_to(user),
        )
        .select_related("portfolio__learner", "portfolio__qualification")
        .order_by("date", "pk")[:HOURS_TO_CONFIRM_SHOWN]
    )


def thread(portfolio: Portfolio, evidence: Evidence | None = None) -> list[Message]:
    """A thread's messages, oldest first, with their authors; one query."""
    return list(
        Message.objects.filter(portfolio=portfolio, evidence=evidence)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def evidence_threads(portfolio: Portfolio) -> list[dict[str, Any]]:
    """Each piece of the portfolio's evidence that has messages: its number, title, how many
    and when the last was written, most recent first; one query."""
    return list(
        Message.objects.filter(portfolio=portfolio, evidence__isnull=False)
        .values("evidence_id", "evidence__number", "evidence__title")
        .annotate(count=Count("pk"), last_at=Max("created_at"))
        .order_by("-last_at", "evidence__number")
    )
