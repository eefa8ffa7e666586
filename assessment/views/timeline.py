from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessment import selectors
from assessment.access import get_portfolio_timeline_for
from portfolio.audit import describe
from portfolio.models import AuditEntry
from portfolio.spreadsheet import csv_response


def timeline_row(entry: AuditEntry) -> list[str]:
    """Readable columns for people, then the raw changes for auditors and scripts."""
    line = describe(entry, full=True)
    return [
        timezone.localtime(line.when).isoformat(),
        line.who,
        line.what,
        line.subject,
        "\n".join(line.details),
        json.dumps(entry.changes, ensure_ascii=False),
    ]


@login_required
def portfolio_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_timeline_for(request.user, pk)
    entries = selectors.timeline(portfolio)
    if request.GET.get("format") == "csv":
        rows = (timeline_row(entry) for entry in entries.iterator(chunk_size=500))
        return csv_response(
            f"timeline-{portfolio.learner.full_name}-{portfolio.qualification.reference}.csv",
            ["time", "person", "action", "object", "details", "changes"],
            rows,
        )
    lines = [describe(entry) for entry in entries]
    context = {"title": "Audit timeline", "portfolio": portfolio, "lines": lines}
    return render(request, "assessment/timeline.html", context)
