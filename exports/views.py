from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.throttle import over_limit
from exports import selectors, services, verification
from exports.access import get_export_for
from exports.forms import ExportForm, VerifyFileForm
from exports.models import ExportState
from portfolio.access import get_portfolio_for
from portfolio.errors import ActionRefused
from portfolio.selectors import portfolio_units
from portfolio.views.files import FILE_CSP

VERIFY_ATTEMPTS_PER_MINUTE = 10


@login_required
def export_list(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk)
    form = ExportForm(request.POST or None, units=portfolio_units(portfolio))
    if request.method == "POST" and form.is_valid():
        try:
            export = services.export_request(
                actor=request.user,
                portfolio=portfolio,
                scope=form.cleaned_data["scope"],
                unit=form.cleaned_data["unit"],
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            return redirect("exports:export_detail", export.pk)
    history = selectors.export_history(portfolio)
    context = {
        "title": "PDF portfolio",
        "portfolio": portfolio,
        "form": form,
        "history": history,
        "changed_since": selectors.changed_since_last_export(portfolio, history),
    }
    return render(request, "exports/export_list.html", context)


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_export_for(request.user, pk)
    template = "exports/_export_progress.html" if request.htmx else "exports/export_detail.html"
    return render(
        request,
        template,
        {"title": "PDF portfolio", "export": export, "portfolio": export.portfolio},
    )


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_export_for(request.user, pk)
    if export.state != ExportState.DONE or not export.file:
        raise Http404("This PDF is not ready.")
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone holding a PDF checks it by its verification code (GET), by the SHA-256
    their browser computed of it (POST `sha256`: the file stays with them), or by sending the
    file (POST `file`). A wrong code or an unknown file reveals nothing."""
    code = request.GET.get("code", "").strip()[:40]
    form = VerifyFileForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"title": "Check a PDF portfolio", "code": code, "form": form}
    asked = bool(code) or request.method == "POST"
    if asked and over_limit(request, "verify", VERIFY_ATTEMPTS_PER_MINUTE):
        context["limited"] = True
        return render(request, "exports/verify.html", context, status=429)
    if code:
        context["export"] = selectors.verified_export(services.normalise_code(code))
        context["checked"] = True
    elif request.method == "POST" and form.is_valid():
        if uploaded := form.cleaned_data.get("file"):
            context["check"] = verification.check_file(uploaded)
            context["by_file"] = True
        else:
            context["check"] = verification.check_fingerprint(form.cleaned_data["sha256"])
    return render(request, "exports/verify.html", context)


@login_required
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_export_for(request.user, pk)
    if request.method != "POST":
        return redirect("exports:export_detail", export.pk)
    try:
        new = services.export_request(
            actor=request.user, portfolio=export.portfolio, scope=export.scope, unit=export.unit
        )
    except ActionRefused as error:
        messages.error(request, error.message)
        return redirect("exports:export_detail", export.pk)
    return redirect("exports:export_detail", new.pk)
