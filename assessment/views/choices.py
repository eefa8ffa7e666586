"""The units page: a portfolio's units and its rules of combination. Everyone who can see the
portfolio reads it; the assessor and the centre's administrators choose and remove optional
units on it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.params import id_or_none
from assessment import services
from assessment.access import can_choose_units
from assessment.choices import UnitChoices, unit_choices
from assessment.services.units import NOT_YOURS
from portfolio.access import get_portfolio_for
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from qualifications.models import Unit

ACTIONS = ("choose", "remove")
NO_UNIT = "Choose a unit from the list below, then press its Choose or Remove button."


@dataclass(frozen=True)
class Refusal:
    """Why the change asked for was not made: the message, and what was asked of which unit."""

    message: str
    action: str = ""
    unit: Unit | None = None

    def target(self, choices: UnitChoices) -> str:
        """The id of the button that asked, when it is on the page; else the list of units."""
        if self.action == "remove":
            listed = [chosen.unit for chosen in choices.chosen]
        else:
            listed = [u.unit for u in choices.remaining]
        if self.unit is not None and self.unit in listed:
            return f"{self.action}-{self.unit.reference}"
        return "optional-heading"


def _change(request: HttpRequest, portfolio: Portfolio) -> Refusal | HttpResponse:
    """Make the change the form asked for; the refusal to show, or where to go next."""
    action = request.POST.get("action", "")
    unit_id = id_or_none(request.POST.get("unit"))
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit is None or action not in ACTIONS:
        return Refusal(NO_UNIT)
    change = services.choose_unit if action == "choose" else services.remove_unit
    try:
        change(actor=request.user, portfolio=portfolio, unit=unit)
    except ActionRefused as error:
        return Refusal(error.message, action, unit)
    done = "Chose" if action == "choose" else "Removed"
    messages.success(request, f"{done} optional unit {unit.reference} {unit.title}.")
    return redirect("assessment:portfolio_units", portfolio.pk)


@login_required
def portfolio_units(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk)
    may_choose = can_choose_units(request.user, portfolio)
    refused = None
    if request.method == "POST":
        if not may_choose:
            raise PermissionDenied(NOT_YOURS)
        outcome = _change(request, portfolio)
        if isinstance(outcome, HttpResponse):
            return outcome
        refused = outcome
    choices = unit_choices(portfolio)
    context = {
        "title": "Units and rules of combination",
        "portfolio": portfolio,
        "choices": choices,
        "can_choose": may_choose,
        "refused": refused,
        "refused_target": refused.target(choices) if refused else "",
    }
    return render(request, "assessment/portfolio_units.html", context)
