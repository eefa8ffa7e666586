from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio import selectors


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    portfolios = selectors.portfolio_list(request.user)
    return render(
        request, "portfolio/portfolio_list.html", {"title": "Portfolios", "portfolios": portfolios}
    )
