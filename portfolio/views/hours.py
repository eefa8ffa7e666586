"""Off-the-job hours on an apprenticeship portfolio: the entries and the pace (everyone who
sees the portfolio), logging and correcting (the apprentice), confirming and querying (the
employer contact or assessor); and the employer contact's witness statement from their
account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portfolio.access import (
    can_confirm_hours,
    can_edit,
    get_off_the_job_entry_for,
    get_portfolio_for,
    is_employer_of,
)
from portfolio.errors import ActionRefused
from portfolio.forms import EmployerStatementForm, OffTheJobForm, OffTheJobQueryForm
from portfolio.hours import explanation
from portfolio.models import OffTheJobEntry, Portfolio
from portfolio.selectors import off_the_job_entries, off_the_job_paces
from portfolio.services import hours as services
from portfolio.services import witness


def _apprenticeship(request: HttpRequest, pk: int) -> Portfolio:
    portfolio = get_portfolio_for(request.user, pk)
    if not portfolio.is_apprenticeship:
        raise Http404("Only an apprenticeship has off-the-job hours.")
    return portfolio


def _refused_into(form: OffTheJobForm, error: ActionRefused) -> None:
    form.add_error(getattr(error, "field", None), error.message)


@login_required
def hours_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries, the totals against the plan, and (for the apprentice) the log form."""
    portfolio = _apprenticeship(request, pk)
    may_log = can_edit(request.user, portfolio)
    if request.method == "POST" and not may_log:
        raise PermissionDenied("Only the apprentice logs their off-the-job hours.")
    form = OffTheJobForm(request.POST or None, portfolio=portfolio) if may_log else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.hours_log(
                actor=request.user,
                portfolio=portfolio,
                date=data["date"],
                hours=data["hours"],
                activity=data["activity"],
                evidence=data["evidence"],
            )
        except ActionRefused as error:
            _refused_into(form, error)
        else:
            messages.success(
                request, f"Logged {services.hours_text(entry.hours)} hours for confirming."
            )
            return redirect("portfolio:hours_list", portfolio.pk)
    context = {
        "title": "Off-the-job hours",
        "portfolio": portfolio,
        "entries": off_the_job_entries(portfolio),
        "pace": off_the_job_paces([portfolio]).get(portfolio.pk),
        "pace_explanation": explanation(),
        "form": form,
        "can_confirm": can_confirm_hours(request.user, portfolio),
        "can_log": may_log,
    }
    return render(request, "portfolio/hours_list.html", context)


def _entry_to_correct(request: HttpRequest, pk: int) -> OffTheJobEntry:
    entry = get_off_the_job_entry_for(request.user, pk)
    if not can_edit(request.user, entry.portfolio):
        raise PermissionDenied("Only the apprentice corrects their off-the-job hours.")
    return entry


@login_required
def hours_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_to_correct(request, pk)
    portfolio = entry.portfolio
    if entry.is_confirmed:
        messages.info(request, "Those hours are confirmed, so they can no longer change.")
        return redirect("portfolio:hours_list", portfolio.pk)
    initial = {
        "date": entry.date,
        "hours": entry.hours,
        "activity": entry.activity,
        "evidence": entry.evidence_id,
    }
    form = OffTheJobForm(request.POST or None, portfolio=portfolio, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hours_correct(
                actor=request.user,
                entry=entry,
                date=data["date"],
                hours=data["hours"],
                activity=data["activity"],
                evidence=data["evidence"],
            )
        except ActionRefused as error:
            _refused_into(form, error)
        else:
            messages.success(request, "Corrected and sent for confirming again.")
            return redirect("portfolio:hours_list", portfolio.pk)
    context = {
        "title": "Correct off-the-job hours",
        "portfolio": portfolio,
        "entry": entry,
        "form": form,
    }
    return render(request, "portfolio/hours_edit.html", context)


def _entry_to_confirm(request: HttpRequest, pk: int) -> OffTheJobEntry:
    entry = get_off_the_job_entry_for(request.user, pk)
    if not can_confirm_hours(request.user, entry.portfolio):
        raise PermissionDenied("Only the employer contact or assessor confirms hours.")
    return entry


@login_required
@require_POST
def hours_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_to_confirm(request, pk)
    try:
        entry = services.hours_confirm(actor=request.user, entry=entry)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Confirmed {services.hours_text(entry.hours)} hours on {entry.date:%d %B %Y}.",
        )
    return redirect("portfolio:hours_list", entry.portfolio_id)


@login_required
def hours_query(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_to_confirm(request, pk)
    form = OffTheJobQueryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_query(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ActionRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Sent back to {entry.portfolio.learner} to correct.")
        return redirect("portfolio:hours_list", entry.portfolio_id)
    context = {
        "title": "Query off-the-job hours",
        "portfolio": entry.portfolio,
        "entry": entry,
        "form": form,
    }
    return render(request, "portfolio/hours_query.html", context)


@login_required
def employer_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The employer contact's witness statement, given from their account without a link."""
    portfolio = _apprenticeship(request, pk)
    if not is_employer_of(request.user, portfolio):
        raise PermissionDenied("Only the apprentice’s employer contact writes this statement.")
    form = EmployerStatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statement = witness.witness_statement_by_employer(
                actor=request.user,
                portfolio=portfolio,
                job_title=data["job_title"],
                relationship=data["relationship"],
                observed=data["observed"],
                observed_on=data["observed_on"],
                activities=data["activities"],
                signed_name=data["signed_name"],
                declared=data["declared"],
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Your statement is now evidence in {portfolio.learner}’s portfolio; their "
                "assessor will judge it.",
            )
            return redirect("portfolio:evidence_detail", statement.evidence_id)
    context = {
        "title": "Give a witness statement",
        "portfolio": portfolio,
        "form": form,
        "declaration": witness.WITNESS_DECLARATION,
    }
    return render(request, "portfolio/employer_statement.html", context)
