"""Each person's home page: what waits for them in each of their roles, their own portfolios,
what their roles open, the catalogue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import can_browse_people
from accounts.models import Role
from assessment import plans
from dashboards import selectors
from dashboards.waiting import waiting_for
from portfolio.selectors import hours_to_confirm, portfolio_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.has_role(Role.EQA):
        return _eqa_home(request)

    own_portfolios = portfolio_list(user, own_only=True)
    signs_reviews = user.has_role(Role.LEARNER, Role.EMPLOYER, Role.ASSESSOR)
    context = {
        "title": "Home",
        "own_portfolios": own_portfolios,
        "waiting": waiting_for(user, own_portfolios),
        "plan_items": plans.open_items([p.pk for p in own_portfolios]) if own_portfolios else [],
        "reviews_to_sign": list(plans.awaiting_signature(user)) if signs_reviews else [],
        "apprentices": plans.apprentices(user) if user.has_role(Role.EMPLOYER) else [],
        "visible_portfolio_count": selectors.followed_portfolio_count(user),
        "roles": [Role(role).label for role in Role.values if role in user.roles],
        "can_browse_people": can_browse_people(user),
        "qualifications": selectors.catalogue(),
        "hours_to_confirm": hours_to_confirm(user),
    }
    return render(request, "dashboards/home.html", context)


def _eqa_home(request: HttpRequest) -> HttpResponse:
    """An external quality assurer's home: their sample, and how long they can read it."""
    context = {
        "title": "Your sample",
        "grant": request.eqa_grant,
        "portfolios": portfolio_list(request.user),
    }
    return render(request, "dashboards/eqa_home.html", context)
