"""External quality assurers' guest accounts: read only, within the grant, and every page logged.

On each request from a person holding the EQA role this asks for their active grant: once it
has expired or been revoked they are signed out and shown one plain page, so ending access
needs no background job and takes effect on the next request. While it lasts they may open
only the read-only pages below (by URL name, with GET); everything else, and every POST but
signing out, is refused with a 403. Each request is logged against the grant with its status,
refusals included, for the centre to see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from portfolio.services import eqa

# The pages an external quality assurer reads: their sample, its evidence, files, decisions
# and PDFs, and the catalogue. A URL is an address, not an import, so naming higher apps'
# pages here is allowed (docs/architecture.md, Layers).
READ_ONLY_PAGES = frozenset(
    {
        "dashboards:home",
        "portfolio:portfolio_list",
        "assessment:portfolio_detail",
        "assessment:portfolio_matrix",
        "assessment:portfolio_units",
        "portfolio:evidence_library",
        "portfolio:evidence_detail",
        "portfolio:file_download",
        "portfolio:file_thumbnail",
        "exports:export_list",
        "exports:export_detail",
        "exports:export_download",
        "portfolio:hours_list",
        "assessment:portfolio_plan",
        "assessment:progress_review",
    }
)
READ_ONLY_NAMESPACES = frozenset({"qualifications"})
# Open to them whatever the method: signing out, and the sign-in pages of their link.
ALWAYS_OPEN = frozenset({"accounts:logout", "portfolio:eqa_link", "portfolio:eqa_code"})
READ_METHODS = frozenset({"GET", "HEAD"})


def eqa_may_open(view_name: str, namespace: str, method: str) -> bool:
    if view_name in ALWAYS_OPEN:
        return True
    if method not in READ_METHODS:
        return False
    return view_name in READ_ONLY_PAGES or namespace in READ_ONLY_NAMESPACES


class ExternalAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.has_role(Role.EQA)):
            return self.get_response(request)
        grant = eqa.active_grant_for(user)
        if grant is None:
            logout(request)
            return render(
                request,
                "portfolio/eqa_ended.html",
                {"title": "Your access has ended"},
                status=403,
            )
        request.eqa_grant = grant
        response = self.get_response(request)
        eqa.eqa_page_view_record(
            grant=grant, path=request.get_full_path(), status=response.status_code
        )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(request, "eqa_grant", None) is None:
            return None
        match = request.resolver_match
        if not eqa_may_open(match.view_name, match.namespace, request.method or ""):
            raise PermissionDenied(
                "External quality assurers have read-only access to their sample."
            )
        return None
