from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment import selectors, services
from assessment.access import get_evidence_to_assess, get_mapping_to_assess
from assessment.forms import DecisionsForm, ReasonForm
from assessment.models import Decision, Outcome
from assessment.resubmissions import since_referrals
from portfolio.errors import ActionRefused
from portfolio.models import MappingStatus, witness_statement_of
from portfolio.views.conversations import evidence_thread_context


def _referred_for_vacsr(
    decision_requests: list[services.DecisionRequest], decisions: list[Decision]
) -> str:
    """The sentence that tells the assessor their acceptances became referrals, and why."""
    numbers = [
        d.mapping.criterion.reference
        for r, d in zip(decision_requests, decisions, strict=True)
        if r.outcome == Outcome.ACCEPTED and d.outcome == Outcome.REFERRED
    ]
    if not numbers:
        return ""
    # The page sends one VACSR block for the evidence, the same on every acceptance.
    refused = next((r.vacsr.refused() for r in decision_requests if r.vacsr), [])
    words = " or ".join(c.label.lower() for c in refused)
    return (
        f" The evidence was not confirmed {words}, so {', '.join(numbers)} "
        f"{'was' if len(numbers) == 1 else 'were'} referred with your notes as the reason."
    )


@login_required
def evidence_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One evidence item: its files and description, and a decision on each submitted mapping."""
    evidence = selectors.evidence_for_review(get_evidence_to_assess(request.user, pk))
    mappings = list(evidence.mappings.all())
    waiting = [m for m in mappings if m.status == MappingStatus.SUBMITTED]
    if request.method == "POST":
        # A mapping decided elsewhere since this page loaded stays in the form, so the
        # service can say what happened instead of the decision vanishing.
        waiting += [
            m for m in mappings if m not in waiting and request.POST.get(f"decision-{m.pk}")
        ]
    form = DecisionsForm(request.POST or None, mappings=waiting)
    if request.method == "POST" and form.is_valid():
        decision_requests = form.requests()
        try:
            decisions = services.mappings_decide(
                actor=request.user, evidence=evidence, requests=decision_requests
            )
        except ActionRefused as error:
            messages.error(request, error.message)
            return redirect("assessment:evidence_review", evidence.pk)
        messages.success(
            request,
            f"Recorded {len(decisions)} decision{'s' if len(decisions) != 1 else ''}; "
            f"{evidence.portfolio.learner} will be told."
            + _referred_for_vacsr(decision_requests, decisions),
        )
        return redirect("assessment:evidence_review", evidence.pk)
    files = list(evidence.files.all())
    context = {
        "title": f"Review {evidence.reference} “{evidence.title}”",
        "evidence": evidence,
        "portfolio": evidence.portfolio,
        "files": files,
        "since_referral": since_referrals(form.mappings, files),
        "form": form,
        "decided": [m for m in mappings if m.status != MappingStatus.SUBMITTED],
        "statuses": MappingStatus,
        "witness_statement": witness_statement_of(evidence),
        **evidence_thread_context(request, evidence, back="review"),
    }
    return render(request, "assessment/evidence_review.html", context)


@login_required
def mapping_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_mapping_to_assess(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mapping_reopen(
                actor=request.user, mapping=mapping, reason=form.cleaned_data["reason"]
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Criterion {mapping.criterion.reference} is reopened and back in your queue.",
            )
            return redirect("assessment:evidence_review", mapping.evidence_id)
    context = {
        "title": f"Reopen criterion {mapping.criterion.reference}",
        "mapping": mapping,
        "portfolio": mapping.evidence.portfolio,
        "form": form,
    }
    return render(request, "assessment/mapping_reopen.html", context)
