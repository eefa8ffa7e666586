"""Unit declarations (the learner's) and sign-offs (the assessor's)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment import progress, services
from assessment.access import get_portfolio_to_assess
from portfolio.access import get_portfolio_for
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio


def _unit_of(portfolio: Portfolio, unit_pk: int) -> progress.UnitProgress:
    for unit in progress.portfolio_progress(portfolio):
        if unit.unit.pk == unit_pk:
            return unit
    raise Http404("That unit is not part of this qualification.")


def _declaration_page(
    request: HttpRequest,
    *,
    portfolio: Portfolio,
    unit: progress.UnitProgress,
    wording: str,
    declare: Callable[[], object],
    done: str,
    then: HttpResponse,
    template: str,
    title: str,
) -> HttpResponse:
    """Show the exact wording; record it only when the person ticks the box."""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm the declaration.")
        else:
            try:
                declare()
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, done)
                return then
    context = {"title": title, "portfolio": portfolio, "unit": unit, "wording": wording}
    return render(request, template, context)


@login_required
def unit_declare(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk, write=True)
    unit = _unit_of(portfolio, unit_pk)
    return _declaration_page(
        request,
        portfolio=portfolio,
        unit=unit,
        wording=services.learner_declaration(request.user, unit.unit),
        declare=lambda: services.unit_declare(
            actor=request.user, portfolio=portfolio, unit=unit.unit
        ),
        done=f"You declared {unit.unit.title} your own work.",
        then=redirect("assessment:portfolio_detail", portfolio.pk),
        template="assessment/unit_declare.html",
        title=f"Declare {unit.unit.title}",
    )


@login_required
def unit_sign_off(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_assess(request.user, pk)
    unit = _unit_of(portfolio, unit_pk)
    return _declaration_page(
        request,
        portfolio=portfolio,
        unit=unit,
        wording=services.assessor_declaration(request.user, portfolio, unit.unit),
        declare=lambda: services.unit_sign_off(
            actor=request.user, portfolio=portfolio, unit=unit.unit
        ),
        done=f"You signed off {unit.unit.title}.",
        then=redirect("assessment:portfolio_detail", portfolio.pk),
        template="assessment/unit_sign_off.html",
        title=f"Sign off {unit.unit.title}",
    )
