"""The pages an external quality assurer opens from their email: the link, which sends a
one-time code, and the code, which signs them in as their guest account until the grant ends.

Both are public and reached only through the secret in the link. A link that is unknown,
expired or revoked shows one plain page that says nothing about the centre or the grant.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.client_address import client_address
from portfolio.errors import ActionRefused
from portfolio.forms import EqaCodeForm
from portfolio.services import eqa as services

CODE_TRIES_PER_MINUTE = 10


def _gone(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portfolio/eqa_gone.html",
        {"title": "This link has expired or has been withdrawn"},
        status=404,
    )


@never_cache
def eqa_link(request: HttpRequest, token: str) -> HttpResponse:
    """Whose access this is, and a button that emails a one-time code (a GET sends nothing,
    so a mail scanner that follows the link does not use up a code)."""
    try:
        grant = services.eqa_grant_for_link(token)
    except services.LinkGone:
        return _gone(request)
    if request.method == "POST":
        try:
            services.eqa_code_send(token=token)
        except services.LinkGone:
            return _gone(request)
        except ActionRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"We have emailed a sign-in code to {grant.assurer.email}.")
        return redirect("portfolio:eqa_code", token)
    return render(request, "portfolio/eqa_link.html", {"title": "Sign in", "grant": grant})


@never_cache
def eqa_code(request: HttpRequest, token: str) -> HttpResponse:
    """Enter the code; the right one signs the assurer in until the grant ends."""
    try:
        grant = services.eqa_grant_for_link(token)
    except services.LinkGone:
        return _gone(request)
    form = EqaCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # Counted per address in the cache every process shares, as /verify/ counts.
        key = f"eqa-code-tries:{client_address(request)}"
        cache.add(key, 0, timeout=60)
        if cache.incr(key) > CODE_TRIES_PER_MINUTE:
            form.add_error(None, "Too many tries from here. Wait a minute, then try again.")
            status = 429
        else:
            try:
                grant = services.eqa_code_check(token=token, code=form.cleaned_data["code"])
            except services.LinkGone:
                return _gone(request)
            except ActionRefused as error:
                form.add_error("code", error.message)
            else:
                login(request, grant.assurer, backend="accounts.backends.EmailBackend")
                request.session.set_expiry(grant.expires_at)
                return redirect("dashboards:home")
    context = {"title": "Enter your sign-in code", "grant": grant, "form": form}
    return render(request, "portfolio/eqa_code.html", context, status=status)
