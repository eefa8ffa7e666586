"""Unit declarations (the learner's) and sign-offs (the assessor's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import User
from assessment import progress, services
from assessment.access import get_portfolio_to_assess
from portfolio.access import get_portfolio_for
from portfolio.models import Portfolio
from portfolio.services import ActionRefused


def _unit_of(portfolio: Portfolio, unit_pk: int) -> progress.UnitProgress:
    for unit in progress.portfolio_progress(portfolio):
        if unit.unit.pk == unit_pk:
            return unit
    raise Http404("That unit is not part of this qualification.")


@login_required
def unit_declare(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk, write=True)
    unit = _unit_of(portfolio, unit_pk)
    learner: User = request.user
    wording = services.LEARNER_DECLARATION.format(
        learner=learner.full_name, unit=unit.unit.title, reference=unit.unit.reference
    )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm the declaration.")
        else:
            try:
                services.unit_declare(actor=request.user, portfolio=portfolio, unit=unit.unit)
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"You declared {unit.unit.title} your own work.")
                return redirect("portfolio:portfolio_detail", portfolio.pk)
    context = {
        "title": f"Declare {unit.unit.title}",
        "portfolio": portfolio,
        "unit": unit,
        "wording": wording,
    }
    return render(request, "assessment/unit_declare.html", context)


@login_required
def portfolio_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessor's view of a portfolio: each unit's progress, declaration and sign-off."""
    portfolio = get_portfolio_to_assess(request.user, pk)
    units = progress.portfolio_progress(portfolio)
    context = {
        "title": f"{portfolio.learner} · {portfolio.qualification.title}",
        "portfolio": portfolio,
        "units": units,
        "complete": progress.portfolio_is_complete(units),
    }
    return render(request, "assessment/portfolio_review.html", context)


@login_required
def unit_sign_off(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_assess(request.user, pk)
    unit = _unit_of(portfolio, unit_pk)
    wording = services.ASSESSOR_DECLARATION.format(
        assessor=request.user.full_name,
        unit=unit.unit.title,
        reference=unit.unit.reference,
        learner=portfolio.learner.full_name,
    )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm your declaration.")
        else:
            try:
                services.unit_sign_off(actor=request.user, portfolio=portfolio, unit=unit.unit)
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"You signed off {unit.unit.title}.")
                return redirect("assessment:portfolio_review", portfolio.pk)
    context = {
        "title": f"Sign off {unit.unit.title}",
        "portfolio": portfolio,
        "unit": unit,
        "wording": wording,
    }
    return render(request, "assessment/unit_sign_off.html", context)
