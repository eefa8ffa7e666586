from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.pagination import paginate
from accounts.params import id_or_none, search_words
from portfolio import selectors


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    """The portfolios the person may open, a page at a time, searchable by learner."""
    query = search_words(request.GET.get("q"))
    qualifications = list(selectors.portfolio_qualifications(request.user))
    chosen = id_or_none(request.GET.get("qualification"))
    if chosen not in {qualification.pk for qualification in qualifications}:
        chosen = None
    portfolios = paginate(
        request,
        selectors.portfolio_search(request.user, query=query, qualification_id=chosen),
        label="Pages of portfolios",
        kept={"q": query, "qualification": str(chosen or "")},
        complete=selectors.with_progress,
    )
    context = {
        "title": "Portfolios",
        "portfolios": portfolios,
        "query": query,
        "qualifications": qualifications,
        "chosen": chosen,
        "filtered": bool(query or chosen),
        # A learner sees only their own few; everyone who follows others can search them.
        "searchable": bool(request.user.roles - {Role.LEARNER}),
    }
    return render(request, "portfolio/portfolio_list.html", context)
