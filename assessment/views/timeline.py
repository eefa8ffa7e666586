from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessment import selectors
from assessment.access import get_portfolio_timeline_for
from portfolio.spreadsheet import csv_response


@login_required
def portfolio_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_timeline_for(request.user, pk)
    entries = selectors.timeline(portfolio)
    if request.GET.get("format") == "csv":
        rows = (
            [
                timezone.localtime(entry.at).isoformat(),
                str(entry.actor or ""),
                entry.action,
                entry.object_repr,
                json.dumps(entry.changes, ensure_ascii=False),
            ]
            for entry in entries.iterator(chunk_size=500)
        )
        return csv_response(
            f"timeline-{portfolio.learner.full_name}-{portfolio.qualification.reference}.csv",
            ["time", "person", "action", "object", "changes"],
            rows,
        )
    context = {"title": "Audit timeline", "portfolio": portfolio, "entries": entries}
    return render(request, "assessment/timeline.html", context)
