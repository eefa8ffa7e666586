from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessment.access import can_read_timeline
from assessment.progress import CriterionStatus, portfolio_is_complete, portfolio_progress
from portfolio import selectors
from portfolio.access import can_edit, get_portfolio_for


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    portfolios = selectors.portfolio_list(request.user)
    return render(
        request, "portfolio/portfolio_list.html", {"title": "Portfolios", "portfolios": portfolios}
    )


@login_required
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk)
    units = portfolio_progress(portfolio)
    context = {
        "title": f"{portfolio.qualification.title}",
        "portfolio": portfolio,
        "units": units,
        "complete": portfolio_is_complete(units),
        "referrals": selectors.referrals(portfolio),
        "can_read_timeline": can_read_timeline(request.user, portfolio),
        "gaps": [(unit, unit.gaps) for unit in units if unit.gaps],
        "criteria_total": sum(unit.total for unit in units),
        "criteria_met": sum(unit.met for unit in units),
        "can_edit": can_edit(request.user, portfolio),
        "statuses": CriterionStatus,
    }
    return render(request, "portfolio/portfolio_detail.html", context)


@login_required
def portfolio_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """Criteria down, evidence across, the mapping's status in each cell."""
    portfolio = get_portfolio_for(request.user, pk)
    all_units = portfolio_progress(portfolio)
    unit_reference = request.GET.get("unit", "")
    units = [unit for unit in all_units if unit.unit.reference == unit_reference] or all_units
    evidence_by_pk = {}
    for unit in units:
        for item in unit.criteria:
            for mapping in item.mappings:
                evidence_by_pk[mapping.evidence.pk] = mapping.evidence
    columns = sorted(evidence_by_pk.values(), key=lambda e: (e.activity_date, e.pk))
    rows = []
    for unit in units:
        for item in unit.criteria:
            cells = {mapping.evidence.pk: mapping for mapping in item.mappings}
            rows.append((unit.unit, item, [cells.get(evidence.pk) for evidence in columns]))
    context = {
        "title": "Tracking matrix",
        "portfolio": portfolio,
        "all_units": [unit.unit for unit in all_units],
        "unit_reference": unit_reference,
        "columns": columns,
        "rows": rows,
    }
    return render(request, "portfolio/portfolio_matrix.html", context)
