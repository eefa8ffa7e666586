"""The IQA's countersignature of a signed-off unit or a complete portfolio: the exact words,
a tick box, and the service's refusal in plain words when it is not theirs to sign."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from assessment import services
from assessment.access import get_portfolio_to_countersign
from assessment.services.countersignatures import active_sign_off, refusal
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.units import works_towards
from qualifications.models import Unit


def _countersign_page(
    request: HttpRequest,
    *,
    portfolio: Portfolio,
    unit: Unit | None,
    wording: Callable[[], str],
    countersign: Callable[[], object],
    title: str,
) -> HttpResponse:
    """Show the words; record them only when the IQA ticks the box and the rules allow."""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm the countersignature.")
        else:
            try:
                countersign()
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"You countersigned {unit.title if unit else title}.")
                return redirect("assessment:portfolio_detail", portfolio.pk)
    reason = refusal(request.user, portfolio, unit)
    context = {
        "title": title,
        "portfolio": portfolio,
        "sign_off": active_sign_off(portfolio, unit) if unit else None,
        "refusal": reason,
        "wording": "" if reason else wording(),
    }
    return render(request, "assessment/countersign.html", context)


@login_required
def unit_countersign(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_countersign(request.user, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not works_towards(portfolio, unit.pk):
        raise Http404("That unit is not part of this portfolio.")
    return _countersign_page(
        request,
        portfolio=portfolio,
        unit=unit,
        wording=lambda: services.unit_countersignature_wording(
            request.user, portfolio, active_sign_off(portfolio, unit)
        ),
        countersign=lambda: services.unit_countersign(
            actor=request.user, portfolio=portfolio, unit=unit
        ),
        title=f"Countersign {unit.title}",
    )


@login_required
def portfolio_countersign(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_countersign(request.user, pk)
    return _countersign_page(
        request,
        portfolio=portfolio,
        unit=None,
        wording=lambda: services.portfolio_countersignature_wording(request.user, portfolio),
        countersign=lambda: services.portfolio_countersign(actor=request.user, portfolio=portfolio),
        title="Countersign the portfolio",
    )
