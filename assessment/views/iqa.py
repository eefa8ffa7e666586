from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.pagination import paginate
from accounts.params import search_words
from assessment import selectors, services
from assessment.access import get_decision_to_sample, require_iqa_role
from assessment.forms import IqaReviewForm, SamplingRatesForm
from portfolio.errors import ActionRefused

# Each assessor-and-unit group lists its proposed decisions, so a page holds fewer of them.
SAMPLE_GROUPS_PER_PAGE = 20


def _rates_form(request: HttpRequest) -> SamplingRatesForm:
    centre_id = request.user.centre_id
    return SamplingRatesForm(
        request.POST or None,
        assessors=list(selectors.centre_assessors(centre_id)),
        units=selectors.units_in_use(centre_id),
        current=selectors.sampling_rates(centre_id),
    )


def _sampling_page(
    request: HttpRequest, rates_form: SamplingRatesForm, status: int
) -> HttpResponse:
    query = search_words(request.GET.get("q"))
    groups = paginate(
        request,
        selectors.sample_groups(request.user, query=query),
        label="Pages of the proposed sample",
        kept={"q": query},
        per_page=SAMPLE_GROUPS_PER_PAGE,
        complete=lambda page: selectors.with_proposed_sample(request.user, page),
    )
    context = {
        "title": "IQA sampling",
        "groups": groups,
        "query": query,
        "rates_form": rates_form,
        "review_form": IqaReviewForm(),
    }
    return render(request, "assessment/iqa_sampling.html", context, status=status)


@login_required
def sampling(request: HttpRequest) -> HttpResponse:
    """The proposed sample per assessor and unit, and the rates that size it."""
    require_iqa_role(request.user)
    return _sampling_page(request, _rates_form(request), 200)


@login_required
@require_POST
def sampling_rates(request: HttpRequest) -> HttpResponse:
    require_iqa_role(request.user)
    form = _rates_form(request)
    if not form.is_valid():
        return _sampling_page(request, form, 400)
    try:
        services.sampling_rates_set(
            actor=request.user,
            default=form.cleaned_data["default"],
            by_assessor=form.by_assessor(),
            by_unit=form.by_unit(),
        )
    except ActionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Sampling rates saved; the proposed sample is updated.")
    return redirect("assessment:iqa_sampling")


@login_required
def decision_sample(request: HttpRequest, pk: int) -> HttpResponse:
    """Record agree or disagree on one sampled decision."""
    decision = get_decision_to_sample(request.user, pk)
    form = IqaReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.iqa_review_record(
                actor=request.user,
                decision=decision,
                verdict=form.cleaned_data["verdict"],
                feedback=form.cleaned_data["feedback"],
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your review is recorded and the assessor will be told.")
            return redirect("assessment:iqa_sampling")
    mapping = decision.mapping
    context = {
        "title": "Sample a decision",
        "decision": decision,
        "mapping": mapping,
        "history": selectors.decision_history(mapping),
        "files": selectors.evidence_files(mapping.evidence),
        "form": form,
    }
    return render(request, "assessment/decision_sample.html", context)


@login_required
def iqa_overview(request: HttpRequest) -> HttpResponse:
    require_iqa_role(request.user)
    by_assessor, by_unit = selectors.coverage(request.user)
    context = {
        "title": "Sampling coverage",
        "by_assessor": by_assessor,
        "by_unit": by_unit,
        "recent": selectors.recent_reviews(request.user),
    }
    return render(request, "assessment/iqa_overview.html", context)
