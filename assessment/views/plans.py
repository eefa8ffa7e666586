"""The plan and reviews page everyone who can see the portfolio reads; the assessor's pages to
write plan items and reviews; and the page where each party reads a review and signs it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessment import plans, services
from assessment.access import (
    get_plan_item_to_change,
    get_portfolio_to_assess,
    get_progress_review_for,
    is_assessor_of,
)
from assessment.plan_forms import PlanItemForm, ProgressReviewForm
from portfolio.access import get_portfolio_for
from portfolio.errors import ActionRefused


@login_required
def portfolio_plan(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk)
    rows = plans.plan_rows(portfolio)
    reviews = plans.reviews(portfolio)
    context = {
        "title": "Plan and reviews",
        "portfolio": portfolio,
        "rows": rows,
        "reviews": reviews,
        "next_review": plans.reviews_due([portfolio]).get(portfolio.pk),
        "can_plan": is_assessor_of(request.user, portfolio),
    }
    return render(request, "assessment/portfolio_plan.html", context)


def _item_form_page(
    request: HttpRequest, form: PlanItemForm, *, title: str, portfolio: object, item: object
) -> HttpResponse:
    context = {"title": title, "form": form, "portfolio": portfolio, "item": item}
    return render(request, "assessment/plan_item_form.html", context)


@login_required
def plan_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_assess(request.user, pk)
    form = PlanItemForm(request.POST or None, portfolio=portfolio)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_create(
                actor=request.user, portfolio=portfolio, content=form.content()
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The item is added to the plan.")
            return redirect("assessment:portfolio_plan", portfolio.pk)
    return _item_form_page(request, form, title="Add to the plan", portfolio=portfolio, item=None)


@login_required
def plan_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item_to_change(request.user, pk)
    portfolio = item.portfolio
    if plans.plan_item_met(item):
        messages.error(request, "This item is met, so it stays as it was agreed.")
        return redirect("assessment:portfolio_plan", portfolio.pk)
    form = PlanItemForm(request.POST or None, portfolio=portfolio, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_update(actor=request.user, item=item, content=form.content())
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your changes to the plan are saved.")
            return redirect("assessment:portfolio_plan", portfolio.pk)
    return _item_form_page(
        request, form, title="Change a plan item", portfolio=portfolio, item=item
    )


@login_required
@require_POST
def plan_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item_to_change(request.user, pk)
    portfolio_pk = item.portfolio_id
    try:
        services.plan_item_remove(actor=request.user, item=item)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The item is removed from the plan.")
    return redirect("assessment:portfolio_plan", portfolio_pk)


@login_required
def progress_review_create(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_assess(request.user, pk)
    form = ProgressReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.progress_review_create(
                actor=request.user, portfolio=portfolio, **form.cleaned_data
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "The review is saved. Sign it below; the others are asked to."
            )
            return redirect("assessment:progress_review", review.pk)
    context = {
        "title": "Write up a progress review",
        "form": form,
        "portfolio": portfolio,
        "next_review": plans.reviews_due([portfolio]).get(portfolio.pk),
    }
    return render(request, "assessment/progress_review_form.html", context)


@login_required
def progress_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review as written and signed; the signing form for a party who has not signed."""
    review = get_progress_review_for(request.user, pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to agree to the review.")
        else:
            try:
                services.progress_review_sign(actor=request.user, review=review)
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "You signed the review.")
        return redirect("assessment:progress_review", review.pk)
    signatures = {s.party: s for s in review.signatures.select_related("signed_by")}
    party = plans.party_of(request.user, review)
    context = {
        "title": f"Progress review of {review.held_on:%-d %B %Y}",
        "review": review,
        "portfolio": review.portfolio,
        "signatures": [(p, signatures.get(p)) for p in review.parties],
        "wording": (
            services.review_wording(request.user, party, review)
            if party and party not in signatures
            else ""
        ),
    }
    return render(request, "assessment/progress_review.html", context)
