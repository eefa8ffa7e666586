from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessment import plans, selectors
from assessment.access import require_assessor_role


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The assessor's home: every assigned portfolio, and one queue of what is waiting."""
    require_assessor_role(request.user)
    rows = selectors.caseload(request.user)
    reviews_due = sorted(
        (row for row in rows if row.next_review and row.next_review.waiting),
        key=lambda row: row.next_review.date,
    )
    context = {
        "title": "Your caseload",
        "rows": rows,
        "page": selectors.queue_page(request.user, request.GET.get("page")),
        "waiting_total": sum(row.waiting for row in rows),
        "reviews_due": reviews_due,
        "reviews_to_sign": list(plans.awaiting_signature(request.user)),
    }
    return render(request, "assessment/caseload.html", context)
