"""Evidence files are served only through these views, after the access check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from portfolio import services
from portfolio.access import get_file_for
from portfolio.errors import ActionRefused

# A file response can run nothing and load nothing but itself (and Chrome's PDF viewer), and
# `sandbox` gives it an opaque origin, so a hostile PDF shown inline cannot act as our site.
# Chromium's PDF viewer renders under it (checked with Chromium 156).
FILE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "object-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


def _serve(stored: FieldFile, *, filename: str, content_type: str, inline: bool) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("This file is missing from storage.") from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@xframe_options_sameorigin
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence_file = get_file_for(request.user, pk)
    inline = evidence_file.shows_inline and request.GET.get("download") != "1"
    return _serve(
        evidence_file.file,
        filename=evidence_file.original_name,
        content_type=evidence_file.content_type,
        inline=inline,
    )


@login_required
def file_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    evidence_file = get_file_for(request.user, pk)
    stored = evidence_file.thumbnail or (evidence_file.file if evidence_file.is_image else None)
    if not stored:
        raise Http404("This file has no preview.")
    content_type = "image/jpeg" if evidence_file.thumbnail else evidence_file.content_type
    return _serve(stored, filename="preview.jpg", content_type=content_type, inline=True)


@login_required
@require_POST
def file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence_file = get_file_for(request.user, pk, write=True)
    try:
        services.evidence_file_delete(actor=request.user, evidence_file=evidence_file)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Deleted {evidence_file.original_name}.")
    return redirect("portfolio:evidence_detail", evidence_file.evidence_id)
