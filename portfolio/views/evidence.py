from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.pagination import paginate
from portfolio import selectors, services
from portfolio.access import can_edit, get_evidence_for, get_portfolio_for
from portfolio.errors import ActionRefused, UploadRefused
from portfolio.forms import EvidenceFilterForm, EvidenceForm, upload_limit_text
from portfolio.models import Evidence, MappingStatus, assessor_record_of, witness_statement_of
from portfolio.services.witness import can_request_witness
from portfolio.uploads import clean_display_name
from portfolio.views.conversations import evidence_thread_context

# The upload script asks for JSON: details first, then one request per file.
JSON_FLOW_HEADER = "X-Upload-Flow"


def wants_json(request: HttpRequest) -> bool:
    return request.headers.get(JSON_FLOW_HEADER) == "1"


def _add_files(request: HttpRequest, evidence: Evidence) -> tuple[list[str], list[UploadRefused]]:
    """Keep every good file of the batch; report each refused one with its reason."""
    added, refused = [], []
    for uploaded in request.FILES.getlist("files") + request.FILES.getlist("camera"):
        try:
            evidence_file = services.evidence_file_add(
                actor=request.user, evidence=evidence, uploaded=uploaded
            )
        except UploadRefused as error:
            refused.append(error)
        except ActionRefused as error:
            refused.append(UploadRefused(clean_display_name(uploaded.name), error.message))
        else:
            added.append(evidence_file.original_name)
    return added, refused


def _report_files(request: HttpRequest, added: list[str], refused: list[UploadRefused]) -> None:
    if added:
        messages.success(
            request, f"Added {len(added)} file{'s' if len(added) != 1 else ''}: {', '.join(added)}."
        )
    for error in refused:
        messages.error(request, f"Not added: {error}")


@login_required
def evidence_library(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk)
    form = EvidenceFilterForm(request.GET or None, units=selectors.portfolio_units(portfolio))
    filters: dict = {}
    if form.is_bound:
        form.is_valid()
        # An invalid field (a stale unit, say) drops only itself; the valid ones still apply.
        filters = form.cleaned_data
    kept = {name: str(value) for name, value in filters.items() if value and name != "unit"}
    if filters.get("unit"):
        kept["unit"] = str(filters["unit"].pk)
    page = paginate(
        request,
        selectors.evidence_library(portfolio, filters),
        label="Pages of evidence",
        kept=kept,
    )
    context = {
        "title": "Evidence",
        "portfolio": portfolio,
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "can_edit": can_edit(request.user, portfolio),
        "can_ask_witness": can_request_witness(request.user, portfolio),
    }
    return render(request, "portfolio/evidence_library.html", context)


@login_required
def evidence_create(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, pk, write=True)
    form = EvidenceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                evidence = services.evidence_create(
                    actor=request.user, portfolio=portfolio, **form.cleaned_data
                )
            except ActionRefused as error:
                form.add_error(None, error.message)
            else:
                if wants_json(request):
                    return JsonResponse(
                        {
                            "upload_url": reverse("portfolio:file_upload", args=[evidence.pk]),
                            "next_url": reverse("portfolio:evidence_detail", args=[evidence.pk]),
                        }
                    )
                added, refused = _add_files(request, evidence)
                _report_files(request, added, refused)
                messages.success(request, f"Saved “{evidence.title}”.")
                return redirect("portfolio:evidence_detail", evidence.pk)
        if wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=422)
        if request.FILES:
            messages.warning(
                request,
                "Your files were not kept because the form had a problem: choose them again.",
            )
    context = {
        "title": "Add evidence",
        "portfolio": portfolio,
        "form": form,
        "upload_help": upload_limit_text(),
    }
    return render(request, "portfolio/evidence_form.html", context)


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for(request.user, pk, queryset=selectors.evidence_detail_queryset())
    mappings = list(evidence.mappings.all())
    record = assessor_record_of(evidence)
    context = {
        "title": f"{evidence.reference} {evidence.title}",
        "evidence": evidence,
        "portfolio": evidence.portfolio,
        "files": list(evidence.files.all()),
        "mappings": mappings,
        # The assessor's own record is theirs to change, never the learner's.
        "can_edit": record is None and can_edit(request.user, evidence.portfolio),
        "record": record,
        "can_correct_record": bool(
            record and not record.is_acknowledged and record.author_id == request.user.pk
        ),
        "can_acknowledge": bool(
            record
            and not record.is_acknowledged
            and evidence.portfolio.learner_id == request.user.pk
        ),
        "is_submitted": any(m.status != MappingStatus.DRAFT for m in mappings),
        "is_accepted": any(m.status == MappingStatus.ACCEPTED for m in mappings),
        "details_locked": any(
            m.status in (MappingStatus.SUBMITTED, MappingStatus.ACCEPTED) for m in mappings
        ),
        "submittable": [
            m for m in mappings if m.status in (MappingStatus.DRAFT, MappingStatus.REFERRED)
        ],
        "upload_help": upload_limit_text(),
        "statuses": MappingStatus,
        "witness_statement": witness_statement_of(evidence),
        **evidence_thread_context(request, evidence, back="evidence"),
    }
    return render(request, "portfolio/evidence_detail.html", context)


@login_required
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for(request.user, pk, write=True)
    form = EvidenceForm(request.POST or None, instance=evidence)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(actor=request.user, evidence=evidence, **form.cleaned_data)
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    # A bound ModelForm writes its cleaned values onto the instance; show the stored title.
    evidence.refresh_from_db(fields=["title"])
    context = {
        "title": f"Edit “{evidence.title}”",
        "evidence": evidence,
        "portfolio": evidence.portfolio,
        "form": form,
    }
    return render(request, "portfolio/evidence_edit.html", context)


@login_required
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for(request.user, pk, write=True)
    if request.method == "POST":
        try:
            services.evidence_delete(actor=request.user, evidence=evidence)
        except ActionRefused as error:
            messages.error(request, error.message)
            return redirect("portfolio:evidence_detail", evidence.pk)
        messages.success(request, f"Deleted “{evidence.title}”.")
        return redirect("portfolio:evidence_library", evidence.portfolio_id)
    context = {
        "title": f"Delete “{evidence.title}”?",
        "evidence": evidence,
        "portfolio": evidence.portfolio,
    }
    return render(request, "portfolio/evidence_confirm_delete.html", context)


@login_required
@require_POST
def file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for(request.user, pk, write=True)
    added, refused = _add_files(request, evidence)
    if wants_json(request):
        return JsonResponse(
            {
                "added": added,
                "refused": [{"name": e.filename, "message": e.message} for e in refused],
            },
            status=200 if added or not refused else 422,
        )
    if not added and not refused:
        messages.error(request, "Choose at least one file to add.")
    _report_files(request, added, refused)
    return redirect("portfolio:evidence_detail", evidence.pk)
