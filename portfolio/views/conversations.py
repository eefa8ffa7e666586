"""The portfolio's own thread of messages, and the thread about each piece of evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from portfolio import selectors, services
from portfolio.access import (
    can_post_message,
    can_read_messages,
    get_evidence_thread_for,
    get_portfolio_thread_for,
)
from portfolio.errors import ActionRefused
from portfolio.forms import MessageForm
from portfolio.models import Evidence, Portfolio


def _post(
    request: HttpRequest, form: MessageForm, portfolio: Portfolio, evidence: Evidence | None
) -> bool:
    """Send the message if the form holds one; on a problem the form keeps the words, says why."""
    if not form.is_valid():
        return False
    try:
        services.message_post(
            actor=request.user,
            portfolio=portfolio,
            evidence=evidence,
            body=form.cleaned_data["body"],
        )
    except ActionRefused as error:
        form.add_error("body", error.message)
        return False
    messages.success(request, "Message sent; the others in this conversation will be told.")
    return True


def evidence_thread_context(request: HttpRequest, evidence: Evidence, *, back: str) -> dict:
    """What a page showing evidence needs to show its thread beside it, with the form that
    posts to the thread and comes `back` to the page; nothing for someone outside it."""
    portfolio = evidence.portfolio
    if not can_read_messages(request.user, portfolio):
        return {"shows_thread": False}
    return {
        "shows_thread": True,
        "thread": selectors.thread(portfolio, evidence),
        "message_form": MessageForm(),
        "can_post": can_post_message(request.user, portfolio),
        "post_url": reverse("portfolio:evidence_messages", args=[evidence.pk]),
        "back": back,
    }


@login_required
def portfolio_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The portfolio's own thread, and a list of the conversations about its evidence."""
    writing = request.method == "POST"
    portfolio = get_portfolio_thread_for(request.user, pk, write=writing)
    form = MessageForm(request.POST if writing else None)
    if writing and _post(request, form, portfolio, None):
        return redirect(reverse("portfolio:portfolio_messages", args=[portfolio.pk]) + "#messages")
    context = {
        "title": "Messages",
        "portfolio": portfolio,
        "thread": selectors.thread(portfolio),
        "evidence_threads": selectors.evidence_threads(portfolio),
        "message_form": form,
        "can_post": can_post_message(request.user, portfolio),
        "post_url": reverse("portfolio:portfolio_messages", args=[portfolio.pk]),
    }
    return render(request, "portfolio/portfolio_messages.html", context)


@login_required
def evidence_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread about one piece of evidence. Its form sits on the evidence page and the
    assessor's review page too, and returns there once sent; a problem is shown here, with
    the words kept."""
    writing = request.method == "POST"
    evidence = get_evidence_thread_for(request.user, pk, write=writing)
    portfolio = evidence.portfolio
    back = "review" if request.POST.get("back") == "review" else "evidence"
    form = MessageForm(request.POST if writing else None)
    if writing and _post(request, form, portfolio, evidence):
        page = "assessment:evidence_review" if back == "review" else "portfolio:evidence_detail"
        return redirect(reverse(page, args=[evidence.pk]) + "#messages")
    context = {
        "title": f"Messages about “{evidence.title}”",
        "evidence": evidence,
        "portfolio": portfolio,
        "thread": selectors.thread(portfolio, evidence),
        "message_form": form,
        "back": back,
        "can_post": can_post_message(request.user, portfolio),
        "post_url": reverse("portfolio:evidence_messages", args=[evidence.pk]),
    }
    return render(request, "portfolio/evidence_messages.html", context)
