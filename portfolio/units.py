"""Which units a portfolio works towards: its qualification's mandatory units and the
optional units chosen for it, in the qualification's order. Every count of progress reads
the portfolio's units from here, so an unchosen optional unit never counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from portfolio.models import Portfolio, UnitChoice
from portfolio.progress import criteria_met_by_unit
from qualifications.models import QualificationUnit, Unit
from qualifications.selectors import criteria_count_by_unit


def unit_ids_by_portfolio(portfolios: Iterable[Portfolio]) -> dict[int, list[int]]:
    """Unit ids each portfolio works towards, in qualification order; two queries."""
    return unit_ids_by_pair((p.pk, p.qualification_id) for p in portfolios)


def unit_ids_by_pair(pairs: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """As unit_ids_by_portfolio, from (portfolio id, qualification id) pairs, for pages that
    read thousands of portfolios as plain values; two queries."""
    pairs = list(pairs)
    chosen: dict[int, set[int]] = defaultdict(set)
    for portfolio_id, unit_id in UnitChoice.objects.filter(
        portfolio_id__in=[pk for pk, _ in pairs]
    ).values_list("portfolio_id", "unit_id"):
        chosen[portfolio_id].add(unit_id)
    links: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for qualification_id, unit_id, mandatory in (
        QualificationUnit.objects.filter(qualification_id__in={q for _, q in pairs})
        .order_by("position")
        .values_list("qualification_id", "unit_id", "mandatory")
    ):
        links[qualification_id].append((unit_id, mandatory))
    return {
        pk: [
            unit_id
            for unit_id, mandatory in links[qualification_id]
            if mandatory or unit_id in chosen[pk]
        ]
        for pk, qualification_id in pairs
    }


def portfolio_unit_ids(portfolio: Portfolio) -> list[int]:
    return unit_ids_by_portfolio([portfolio])[portfolio.pk]


def units_of(portfolio: Portfolio) -> QuerySet[Unit]:
    """The portfolio's units as a queryset, in the qualification's order; one query."""
    return Unit.objects.filter(
        Q(qualification_links__mandatory=True)
        | Q(pk__in=UnitChoice.objects.filter(portfolio=portfolio).values("unit_id")),
        qualification_links__qualification_id=portfolio.qualification_id,
    ).order_by("qualification_links__position")


def works_towards(portfolio: Portfolio, unit_id: int) -> bool:
    """Whether the unit is one of the portfolio's: mandatory, or optional and chosen."""
    return units_of(portfolio).filter(pk=unit_id).exists()


def criteria_progress(portfolios: Iterable[Portfolio]) -> dict[int, tuple[int, int]]:
    """(criteria met, criteria to meet) for each portfolio over its own units, counting the
    criteria every learner must meet (a graded unit's pass criteria); four queries."""
    portfolios = list(portfolios)
    units = unit_ids_by_portfolio(portfolios)
    totals = criteria_count_by_unit(u for ids in units.values() for u in ids)
    met = criteria_met_by_unit(p.pk for p in portfolios)
    return {
        p.pk: (
            sum(met.get((p.pk, unit_id), 0) for unit_id in units[p.pk]),
            sum(totals.get(unit_id, 0) for unit_id in units[p.pk]),
        )
        for p in portfolios
    }
