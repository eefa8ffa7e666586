from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.pagination import paginate
from assessment import selectors
from assessment.access import get_portfolio_timeline_for
from portfolio.audit import describe
from portfolio.spreadsheet import csv_response


@login_required
def portfolio_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_timeline_for(request.user, pk)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"timeline-{portfolio.learner.full_name}-{portfolio.qualification.reference}.csv",
            selectors.TIMELINE_COLUMNS,
            selectors.timeline_csv_rows(portfolio),
        )
    context = {
        "title": "Audit timeline",
        "portfolio": portfolio,
        "lines": paginate(
            request,
            selectors.timeline(portfolio),
            label="Pages of the audit timeline",
            complete=lambda entries: [describe(entry) for entry in entries],
        ),
    }
    return render(request, "assessment/timeline.html", context)
