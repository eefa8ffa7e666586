"""The assessor's observation and discussion records: writing, correcting, and the learner's
acknowledgement that a record is fair."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from assessment import services
from assessment.access import get_portfolio_to_assess
from assessment.record_forms import RecordForm
from assessment.services.records import a_kind
from portfolio.access import get_evidence_for
from portfolio.errors import ActionRefused, UploadRefused
from portfolio.models import AssessorRecord, EvidenceType, Portfolio

# The URL's word for each kind of record.
KINDS = {
    "observation": EvidenceType.OBSERVATION,
    "discussion": EvidenceType.PROFESSIONAL_DISCUSSION,
}


def _record_of(request: HttpRequest, pk: int) -> AssessorRecord:
    """The record behind evidence the person can see; 404 for evidence that has none."""
    evidence = get_evidence_for(request.user, pk)
    return get_object_or_404(
        AssessorRecord.objects.select_related("evidence__portfolio__learner", "author"),
        evidence=evidence,
    )


def _form_page(
    request: HttpRequest,
    form: RecordForm,
    *,
    title: str,
    record: AssessorRecord | None,
    portfolio: Portfolio,
) -> HttpResponse:
    context = {"title": title, "form": form, "record": record, "portfolio": portfolio}
    return render(request, "assessment/record_form.html", context)


@login_required
def record_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    record_type = KINDS.get(kind)
    if record_type is None:
        raise Http404("There is no such kind of record.")
    portfolio = get_portfolio_to_assess(request.user, pk)
    form = RecordForm(
        request.POST or None, request.FILES or None, portfolio=portfolio, record_type=record_type
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_create(
                actor=request.user,
                portfolio=portfolio,
                type=record_type,
                content=form.content(),
                audio=form.cleaned_data.get("audio"),
            )
        except (ActionRefused, UploadRefused) as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Saved “{record.evidence.title}”. {portfolio.learner} is asked to acknowledge it.",
            )
            return redirect("portfolio:evidence_detail", record.evidence_id)
    return _form_page(
        request, form, title=f"Record {a_kind(record_type)}", record=None, portfolio=portfolio
    )


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_of(request, pk)
    portfolio = record.evidence.portfolio
    if record.author_id != request.user.pk:
        raise PermissionDenied("Only the assessor who wrote this record can change it.")
    if record.is_acknowledged:
        messages.error(
            request, f"{portfolio.learner} acknowledged this record, so it can no longer change."
        )
        return redirect("portfolio:evidence_detail", record.evidence_id)
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        portfolio=portfolio,
        record_type=record.evidence.type,
        record=record,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_update(
                actor=request.user,
                record=record,
                content=form.content(),
                audio=form.cleaned_data.get("audio"),
            )
        except (ActionRefused, UploadRefused) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your changes to the record are saved.")
            return redirect("portfolio:evidence_detail", record.evidence_id)
    return _form_page(
        request,
        form,
        title=f"Correct “{record.evidence.title}”",
        record=record,
        portfolio=portfolio,
    )


@login_required
def record_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner reads the exact words and ticks to confirm the record is fair."""
    record = _record_of(request, pk)
    portfolio = record.evidence.portfolio
    if portfolio.learner_id != request.user.pk:
        raise PermissionDenied("Only the learner the record is about can acknowledge it.")
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm the record is fair.")
        else:
            try:
                services.record_acknowledge(actor=request.user, record=record)
            except ActionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "You acknowledged the record; your assessor is told.")
            return redirect("portfolio:evidence_detail", record.evidence_id)
    context = {
        "title": f"Acknowledge “{record.evidence.title}”",
        "record": record,
        "evidence": record.evidence,
        "portfolio": portfolio,
        "wording": services.acknowledgement_wording(request.user, record),
    }
    return render(request, "assessment/record_acknowledge.html", context)
