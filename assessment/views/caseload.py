from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.pagination import paginate
from accounts.params import search_words
from assessment import plans, selectors
from assessment.access import require_assessor_role


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The assessor's home: one queue of what is waiting and every assigned portfolio, a page of
    each at a time, both narrowed by a search for learners."""
    require_assessor_role(request.user)
    query = search_words(request.GET.get("q"))
    portfolios = selectors.assigned_portfolios(request.user, query=query)
    queue = paginate(
        request,
        selectors.waiting_queue(portfolios),
        label="Pages of the queue",
        kept={"q": query},
    )
    learners = paginate(
        request,
        portfolios,
        label="Pages of your portfolios",
        parameter="learners",
        kept={"q": query, "page": queue.number_kept},
        complete=selectors.caseload_rows,
    )
    queue.kept["learners"] = learners.number_kept
    context = {
        "title": "Your caseload",
        "query": query,
        "queue": queue,
        "learners": learners,
        "waiting_total": selectors.waiting_total(request.user),
        "reviews_due": selectors.reviews_due(request.user),
        "reviews_to_sign": list(plans.awaiting_signature(request.user)),
    }
    return render(request, "assessment/caseload.html", context)
