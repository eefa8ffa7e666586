from __future__ import annotations

import csv
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessment import selectors
from assessment.access import get_portfolio_timeline_for


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_safe(value: str) -> str:
    # Spreadsheet apps run cells that start like a formula; learner text must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def portfolio_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_timeline_for(request.user, pk)
    entries = selectors.timeline(portfolio)
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        header = ["time", "person", "action", "object", "changes"]

        def rows():
            yield writer.writerow(header)
            for entry in entries.iterator(chunk_size=500):
                yield writer.writerow(
                    [
                        timezone.localtime(entry.at).isoformat(),
                        _csv_safe(str(entry.actor or "")),
                        entry.action,
                        _csv_safe(entry.object_repr),
                        _csv_safe(json.dumps(entry.changes, ensure_ascii=False)),
                    ]
                )

        name = f"timeline-{portfolio.learner.full_name}-{portfolio.qualification.reference}.csv"
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        safe_name = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in name)
        response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
        return response
    context = {"title": "Audit timeline", "portfolio": portfolio, "entries": entries}
    return render(request, "assessment/timeline.html", context)
