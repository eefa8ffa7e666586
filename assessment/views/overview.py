"""The portfolio overview that the learner, their assessor and everyone who follows them read:
progress per unit, referrals, gaps, declarations and sign-offs; and the tracking matrix."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment import progress, selectors
from assessment.access import can_read_timeline, get_portfolio_to_assess, is_assessor_of
from portfolio.access import can_edit, get_portfolio_for, is_employer_of
from portfolio.selectors import off_the_job_paces


@login_required
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk)
    units = progress.portfolio_progress(portfolio)
    rules = progress.rules_progress(portfolio, units)
    context = {
        "title": f"{portfolio.qualification.title}",
        "portfolio": portfolio,
        "units": units,
        "rules": rules,
        "complete": rules.complete,
        "referrals": selectors.referrals(portfolio),
        "can_read_timeline": can_read_timeline(request.user, portfolio),
        "gaps": [(unit, unit.gaps) for unit in units if unit.gaps],
        "criteria_total": sum(unit.total for unit in units),
        "criteria_met": sum(unit.met for unit in units),
        "can_edit": can_edit(request.user, portfolio),
        "can_sign_off": is_assessor_of(request.user, portfolio),
        "versions": selectors.version_notice(request.user, portfolio),
        "hours_pace": off_the_job_paces([portfolio]).get(portfolio.pk),
        "is_employer": is_employer_of(request.user, portfolio),
    }
    # The records an external quality assurer looks for, for the centre's staff and the EQA.
    context["shows_records"] = (
        request.user.pk != portfolio.learner_id and not context["is_employer"]
    )
    return render(request, "assessment/portfolio_detail.html", context)


@login_required
def portfolio_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessor's old address for the overview, still in notifications already sent."""
    portfolio = get_portfolio_to_assess(request.user, pk)
    return redirect("assessment:portfolio_detail", portfolio.pk)


@login_required
def portfolio_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """Criteria down, evidence across, the mapping's status in each cell."""
    portfolio = get_portfolio_for(request.user, pk)
    unit_reference = request.GET.get("unit", "")
    matrix = selectors.tracking_matrix(portfolio, unit_reference=unit_reference)
    context = {
        "title": "Tracking matrix",
        "portfolio": portfolio,
        "all_units": matrix.all_units,
        "unit_reference": unit_reference,
        "columns": matrix.columns,
        "rows": matrix.rows,
    }
    return render(request, "assessment/portfolio_matrix.html", context)
