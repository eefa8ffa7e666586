from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.params import ids, search_words
from portfolio import selectors, services
from portfolio.access import get_evidence_for, get_mapping_for
from portfolio.errors import ActionRefused
from portfolio.forms import CommentaryForm, MappingCommentaryForm
from portfolio.models import Evidence
from portfolio.progress import criterion_statuses
from qualifications.models import AssessmentCriterion

STAR_PROMPTS = [
    ("Situation", "Where were you and what was happening?"),
    ("Task", "What did you need to achieve, and why?"),
    ("Action", "What did you do, step by step? Say “I”, not “we”."),
    ("Result", "What happened? Give numbers or feedback if you can."),
]


@login_required
def mapping_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the criteria this evidence meets, grouped unit → outcome → criterion."""
    evidence = get_evidence_for(request.user, pk, write=True)
    query = search_words(request.GET.get("q"))
    context = {
        "title": "Map evidence to criteria",
        "evidence": evidence,
        "portfolio": evidence.portfolio,
        "groups": selectors.criteria_by_unit(evidence.portfolio, query),
        "query": query,
        "statuses": criterion_statuses(evidence.portfolio),
        "mapped": selectors.mapped_criterion_ids(evidence),
    }
    return render(request, "portfolio/mapping_pick.html", context)


def _chosen_criteria(request: HttpRequest, evidence: Evidence) -> list[AssessmentCriterion]:
    raw = request.POST.getlist("criteria") or request.GET.getlist("criteria")
    return selectors.criteria_to_map(evidence, set(ids(raw)))


@login_required
def mapping_commentary(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the commentary for each chosen criterion, then save as drafts or submit."""
    evidence = get_evidence_for(request.user, pk, write=True)
    criteria = _chosen_criteria(request, evidence)
    if not criteria:
        messages.error(request, "Choose at least one criterion this evidence meets.")
        return redirect("portfolio:mapping_pick", evidence.pk)
    form = CommentaryForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            mappings = services.mappings_create(
                actor=request.user,
                evidence=evidence,
                commentaries=form.commentaries(),
                submit=submit,
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            numbers = ", ".join(m.criterion.reference for m in mappings)
            verb = "Submitted for assessment" if submit else "Saved as drafts"
            messages.success(request, f"{verb}: criteria {numbers}.")
            return redirect("portfolio:evidence_detail", evidence.pk)
    guidance = selectors.mapping_guidance(criteria)
    context = {
        "title": "Explain how the evidence meets each criterion",
        "evidence": evidence,
        "portfolio": evidence.portfolio,
        "form": form,
        "entries": [(c, form.field_for(c), guidance.get(c.unit_id, [])) for c in criteria],
        "star_prompts": STAR_PROMPTS,
    }
    return render(request, "portfolio/mapping_commentary.html", context)


@login_required
def mapping_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Revise a draft or referred mapping's commentary: save it and submit it in one step
    (answering a referral, "Save and resubmit"), or save it as a draft."""
    mapping = get_mapping_for(request.user, pk, write=True)
    referral = selectors.referral_of(mapping)
    form = MappingCommentaryForm(request.POST or None, initial={"commentary": mapping.commentary})
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        service = (
            services.mapping_update_and_submit if submit else services.mapping_update_commentary
        )
        try:
            service(actor=request.user, mapping=mapping, commentary=form.cleaned_data["commentary"])
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            reference = mapping.criterion.reference
            if submit:
                again = "resubmitted" if referral else "submitted"
                messages.success(request, f"Commentary for {reference} saved and {again}.")
            else:
                kept = "It stays referred" if referral else "It is a draft"
                messages.success(
                    request,
                    f"Commentary for {reference} saved. {kept} and is not with your assessor "
                    "until you choose “Submit for assessment”.",
                )
            return redirect("portfolio:evidence_detail", mapping.evidence_id)
    context = {
        "title": f"Commentary for criterion {mapping.criterion.reference}",
        "mapping": mapping,
        "referral": referral,
        "evidence": mapping.evidence,
        "portfolio": mapping.evidence.portfolio,
        "form": form,
        "guidance": selectors.mapping_guidance([mapping.criterion]).get(
            mapping.criterion.unit_id, []
        ),
        "star_prompts": STAR_PROMPTS,
    }
    return render(request, "portfolio/mapping_edit.html", context)


def _mapping_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    mapping = get_mapping_for(request.user, pk, write=True)
    service, done = {
        "submit": (services.mapping_submit, "submitted for assessment"),
        "withdraw": (services.mapping_withdraw, "withdrawn; it is a draft again"),
        "delete": (services.mapping_delete, "deleted"),
    }[action]
    try:
        service(actor=request.user, mapping=mapping)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"The mapping to criterion {mapping.criterion.reference} was {done}."
        )
    return redirect("portfolio:evidence_detail", mapping.evidence_id)


@login_required
@require_POST
def mapping_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_action(request, pk, "submit")


@login_required
@require_POST
def mapping_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_action(request, pk, "withdraw")


@login_required
@require_POST
def mapping_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _mapping_action(request, pk, "delete")


@login_required
@require_POST
def evidence_submit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for(request.user, pk, write=True)
    try:
        count = services.mappings_submit_all(actor=request.user, evidence=evidence)
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Submitted {count} mapping{'s' if count != 1 else ''} for assessment."
        )
    return redirect("portfolio:evidence_detail", evidence.pk)
