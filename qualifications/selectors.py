"""Reads of the catalogue for its pages. The catalogue is reference data every signed-in
person may read, so these need no per-user scoping."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from qualifications.models import (
    PASS_BANDS,
    AssessmentCriterion,
    BarredCombination,
    GuidanceItem,
    GuidanceSection,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    RuleGroup,
    Unit,
)
from qualifications.rules import Group, Rules, UnitFacts


def qualification_list() -> QuerySet[Qualification]:
    """The current version of each qualification: what new learners are enrolled on."""
    return (
        Qualification.objects.current()
        .select_related("awarding_body")
        .annotate(unit_total=Count("unit_links", distinct=True))
        .order_by("awarding_body__name", "title")
    )


def _version_lookup(version: str | None) -> dict[str, object]:
    return {"is_current": True} if version is None else {"version": version}


def qualification_detail(reference: str, version: str | None = None) -> Qualification:
    """One version of a qualification (the current one when no version is named) with its
    units, rule groups and barred pairs; four queries."""
    links = (
        QualificationUnit.objects.select_related("unit")
        .annotate(
            outcome_total=Count("unit__outcomes", distinct=True),
            criterion_total=Count("unit__criteria", distinct=True),
        )
        .order_by("position")
    )
    barred = BarredCombination.objects.select_related("first", "second").order_by("pk")
    return get_object_or_404(
        Qualification.objects.select_related("awarding_body").prefetch_related(
            Prefetch("unit_links", queryset=links),
            Prefetch("rule_groups", queryset=RuleGroup.objects.order_by("position")),
            Prefetch("barred_combinations", queryset=barred),
        ),
        reference=reference,
        **_version_lookup(version),
    )


def qualification_versions(reference: str) -> list[Qualification]:
    """Every version of a qualification, oldest first, each with `previous` (the version
    before it, to compare with); one query."""
    versions = list(Qualification.objects.filter(reference=reference).order_by("sequence"))
    for index, version in enumerate(versions):
        version.previous = versions[index - 1] if index else None
    return versions


def qualification_version(reference: str, version: str) -> Qualification:
    """One version of a qualification; a 404 for a reference or version there is not."""
    return get_object_or_404(
        Qualification.objects.select_related("awarding_body"), reference=reference, version=version
    )


def unit_detail(reference: str, version: str | None = None) -> Unit:
    """One version of a unit (the current one when no version is named) with its outcomes,
    criteria, guidance and the qualification versions that link it; five queries."""
    outcomes = LearningOutcome.objects.prefetch_related(
        Prefetch("criteria", queryset=AssessmentCriterion.objects.order_by("position"))
    ).order_by("number")
    return get_object_or_404(
        Unit.objects.prefetch_related(
            Prefetch("outcomes", queryset=outcomes),
            Prefetch("guidance", queryset=GuidanceItem.objects.order_by("position")),
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.select_related("awarding_body").order_by(
                    "title", "sequence"
                ),
            ),
        ),
        reference=reference,
        **_version_lookup(version),
    )


def unit_versions(reference: str) -> QuerySet[Unit]:
    """Every version of a unit, oldest first; one query."""
    return Unit.objects.filter(reference=reference).order_by("sequence")


def guidance_sections(unit: Unit) -> list[tuple[str, str, list[GuidanceItem]]]:
    """The unit's guidance grouped by section, in display order, empty sections left out."""
    grouped: dict[str, list[GuidanceItem]] = {section: [] for section in GuidanceSection.values}
    for item in unit.guidance.all():
        grouped[item.section].append(item)
    return [
        (section, GuidanceSection(section).label, items)
        for section, items in grouped.items()
        if items
    ]


def criteria_count_by_unit(unit_ids: Iterable[int]) -> dict[int, int]:
    """How many criteria of each unit every learner must meet (all of an ungraded unit's, a
    graded unit's pass criteria); one query. Units with none are absent."""
    return dict(
        AssessmentCriterion.objects.filter(unit_id__in=set(unit_ids), grade__in=PASS_BANDS)
        .values("unit_id")
        .annotate(total=Count("pk"))
        .values_list("unit_id", "total")
    )


def unit_facts(unit: Unit, *, reference: str | None = None) -> UnitFacts:
    """What the rules of combination need to know about a unit."""
    return UnitFacts(
        reference=reference or unit.reference,
        title=unit.title,
        credits=unit.credits or 0,
        level=unit.level,
    )


def rules_by_qualification(qualification_ids: Iterable[int]) -> dict[int, Rules]:
    """Each qualification's rules of combination, built from its rows; four queries."""
    ids = set(qualification_ids)
    qualifications = Qualification.objects.filter(pk__in=ids).only(
        "pk", "min_credits", "level_rule_level", "level_rule_credits"
    )
    links = (
        QualificationUnit.objects.filter(qualification_id__in=ids)
        .select_related("unit")
        .order_by("position")
    )
    units: dict[int, dict[str, UnitFacts]] = defaultdict(dict)
    members: dict[int, list[str]] = defaultdict(list)
    for link in links:
        units[link.qualification_id][link.unit.reference] = unit_facts(link.unit)
        if link.group_id:
            members[link.group_id].append(link.unit.reference)
    groups: dict[int, list[RuleGroup]] = defaultdict(list)
    for group in RuleGroup.objects.filter(qualification_id__in=ids).order_by("position"):
        groups[group.qualification_id].append(group)
    barred: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pair in BarredCombination.objects.filter(qualification_id__in=ids).values_list(
        "qualification_id", "first__reference", "second__reference"
    ):
        barred[pair[0]].append((pair[1], pair[2]))

    def tree(rows: list[RuleGroup], parent_id: int | None) -> tuple[Group, ...]:
        return tuple(
            Group(
                name=row.name,
                units=tuple(members[row.pk]),
                groups=tree(rows, row.pk),
                min_credits=row.min_credits,
                max_credits=row.max_credits,
                min_units=row.min_units,
                max_units=row.max_units,
            )
            for row in rows
            if row.parent_id == parent_id
        )

    return {
        q.pk: Rules(
            units=units[q.pk],
            groups=tree(groups[q.pk], None),
            min_credits=q.min_credits,
            level_rule=(q.level_rule_level, q.level_rule_credits or 0)
            if q.level_rule_level
            else None,
            barred=tuple(barred[q.pk]),
        )
        for q in qualifications
    }
