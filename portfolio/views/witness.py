"""Witness testimony: the requests on a portfolio (asked, revoked, resent) and the page a
witness without an account opens from their email.

The witness page is public: it is reached only through the secret in its link, shows nothing
but what the witness needs, and a link that no longer works says so without a word about
the portfolio.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.throttle import over_limit
from portfolio.access import get_portfolio_for
from portfolio.errors import ActionRefused
from portfolio.forms import WitnessRequestForm, WitnessStatementForm
from portfolio.models import Portfolio, WitnessRequest
from portfolio.services import witness as services
from portfolio.units import units_of
from qualifications.models import AssessmentCriterion

GONE = {
    "used": ("This link has already been used", 410),
    "expired": ("This link has expired", 410),
    "revoked": ("This link has been withdrawn", 410),
    "unknown": ("This link is not recognised", 404),
    "limited": ("Too many tries", 429),
}
# A witness opens their page a few times at most; an address trying many links is guessing.
WITNESS_LINK_TRIES_PER_MINUTE = 30


def _criteria_of(portfolio: Portfolio) -> object:
    return (
        AssessmentCriterion.objects.filter(unit__in=units_of(portfolio))
        .select_related("unit", "outcome")
        .order_by("unit__reference", "outcome__number", "position")
    )


def _requester_portfolio(request: HttpRequest, pk: int) -> Portfolio:
    """Anyone who sees the portfolio reads its requests; the learner and assessor make them."""
    portfolio = get_portfolio_for(request.user, pk)
    if not services.can_request_witness(request.user, portfolio):
        raise PermissionDenied("Only the learner or their assessor asks witnesses.")
    return portfolio


def _request_to_change(request: HttpRequest, pk: int) -> WitnessRequest:
    queryset = WitnessRequest.objects.visible_to(request.user).select_related("portfolio")
    witness_request = get_object_or_404(queryset, pk=pk)
    if not services.can_request_witness(request.user, witness_request.portfolio):
        raise PermissionDenied("Only the learner or their assessor changes witness requests.")
    return witness_request


@login_required
def witness_request_list(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _requester_portfolio(request, pk)
    witness_requests = portfolio.witness_requests.select_related(
        "requested_by", "statement__evidence"
    )
    context = {
        "title": "Witness statements",
        "portfolio": portfolio,
        "witness_requests": witness_requests,
    }
    return render(request, "portfolio/witness_request_list.html", context)


@login_required
def witness_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _requester_portfolio(request, pk)
    form = WitnessRequestForm(request.POST or None, criteria=_criteria_of(portfolio))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.witness_request_create(
                actor=request.user,
                portfolio=portfolio,
                witness=services.Witness(
                    name=data["witness_name"],
                    job_title=data["witness_job_title"],
                    relationship=data["witness_relationship"],
                    email=data["witness_email"],
                ),
                activity=data["activity"],
                criteria=data["criteria"],
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"{data['witness_name']} has been emailed a link to give a statement."
            )
            return redirect("portfolio:witness_request_list", portfolio.pk)
    context = {
        "title": "Ask a witness for a statement",
        "portfolio": portfolio,
        "form": form,
        "link_days": settings.WITNESS_LINK_DAYS,
    }
    return render(request, "portfolio/witness_request_form.html", context)


@login_required
@require_POST
def witness_request_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    witness_request = _request_to_change(request, pk)
    try:
        services.witness_request_revoke(actor=request.user, request=witness_request)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"The link sent to {witness_request.witness_name} no longer works."
        )
    return redirect("portfolio:witness_request_list", witness_request.portfolio_id)


@login_required
@require_POST
def witness_request_resend(request: HttpRequest, pk: int) -> HttpResponse:
    witness_request = _request_to_change(request, pk)
    try:
        services.witness_request_resend(actor=request.user, request=witness_request)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{witness_request.witness_name} has been emailed a new link; the old one no "
            "longer works.",
        )
    return redirect("portfolio:witness_request_list", witness_request.portfolio_id)


def _gone(request: HttpRequest, state: str) -> HttpResponse:
    heading, status = GONE[state]
    return render(
        request, "portfolio/witness_gone.html", {"title": heading, "state": state}, status=status
    )


@never_cache
def witness_statement(request: HttpRequest, token: str) -> HttpResponse:
    """The witness's page: who the learner is, what to describe, and the declaration. An
    address trying link after link is slowed down before any link is looked up."""
    if over_limit(request, "witness-link", WITNESS_LINK_TRIES_PER_MINUTE):
        return _gone(request, "limited")
    try:
        witness_request = services.witness_request_for_link(token)
    except services.LinkGone as gone:
        return _gone(request, gone.state)
    if witness_request is None:
        return _gone(request, "unknown")
    form = WitnessStatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.witness_statement_submit(
                token=token,
                observed=data["observed"],
                observed_on=data["observed_on"],
                activities=data["activities"],
                signed_name=data["signed_name"],
                declared=data["declared"],
            )
        except services.LinkGone as gone:
            return _gone(request, gone.state)
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            return redirect("portfolio:witness_thanks")
    context = {
        "title": "Give a witness statement",
        "witness_request": witness_request,
        "learner_name": witness_request.portfolio.learner.full_name,
        "criteria": witness_request.criteria.select_related("unit"),
        "declaration": services.WITNESS_DECLARATION,
        "form": form,
    }
    return render(request, "portfolio/witness_statement.html", context)


def witness_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/witness_thanks.html", {"title": "Thank you"})
