from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from dashboards import rag, selectors
from dashboards.access import get_cohort_for, require_cohort_role, require_overview_role
from dashboards.charts import line_chart
from portfolio.spreadsheet import csv_response


@login_required
def cohort_index(request: HttpRequest) -> HttpResponse:
    require_cohort_role(request.user)
    cohorts = (
        Cohort.objects.visible_to(request.user)
        .select_related("qualification")
        .prefetch_related("tutors")
        .annotate(learner_total=Count("portfolios"))
    )
    return render(request, "dashboards/cohort_index.html", {"title": "Cohorts", "cohorts": cohorts})


def _filtered(request: HttpRequest, rows: list[selectors.LearnerRow]) -> list[selectors.LearnerRow]:
    wanted_rag = request.GET.get("rag", "")
    assessor = request.GET.get("assessor", "")
    query = request.GET.get("q", "").strip().lower()
    if wanted_rag in rag.Rag.values:
        rows = [r for r in rows if r.rag == wanted_rag]
    if assessor.isdigit():
        rows = [r for r in rows if r.portfolio.assessor_id == int(assessor)]
    if query:
        rows = [
            r
            for r in rows
            if query in r.portfolio.learner.full_name.lower()
            or query in r.portfolio.learner.email.lower()
        ]
    sort = request.GET.get("sort", "name")
    key = selectors.SORTS.get(sort.lstrip("-"), selectors.SORTS["name"])
    return sorted(rows, key=key, reverse=sort.startswith("-"))


@login_required
def cohort_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk)
    all_rows = selectors.learner_rows(cohort.portfolios.all())
    rows = _filtered(request, all_rows)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"cohort-{cohort.name}.csv",
            [
                "learner",
                "email",
                "assessor",
                "criteria met",
                "criteria total",
                "percent met",
                "units signed off",
                "units total",
                "waiting for assessor",
                "referrals with learner",
                "days since last activity",
                "RAG",
            ],
            (
                [
                    r.portfolio.learner.full_name,
                    r.portfolio.learner.email,
                    str(r.portfolio.assessor or ""),
                    r.criteria_met,
                    r.criteria_total,
                    r.percent_met,
                    r.units_signed_off,
                    r.units_total,
                    r.waiting,
                    r.referrals,
                    "" if r.days_inactive is None else r.days_inactive,
                    r.rag.label,
                ]
                for r in rows
            ),
        )
    assessors = sorted(
        {r.portfolio.assessor for r in all_rows if r.portfolio.assessor},
        key=lambda person: person.full_name,
    )
    context = {
        "title": cohort.name,
        "cohort": cohort,
        "rows": rows,
        "total": len(all_rows),
        "counts": {value: sum(1 for r in all_rows if r.rag == value) for value in rag.Rag.values},
        "rag_choices": rag.Rag.choices,
        "assessors": assessors,
        "sort": request.GET.get("sort", "name"),
        "query_string": request.GET.urlencode(),
        "explanation": rag.explanation(),
        "filters": {k: request.GET.get(k, "") for k in ("rag", "assessor", "q")},
    }
    return render(request, "dashboards/cohort_dashboard.html", context)


@login_required
def cohort_heatmap(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk)
    units = selectors.cohort_units(cohort)
    rows = selectors.heatmap(cohort.portfolios.order_by("learner__full_name"), units)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"heatmap-{cohort.name}.csv",
            ["learner", *[f"{u.reference} {u.title} (% of criteria met)" for u in units]],
            ([r.portfolio.learner.full_name, *r.percents()] for r in rows),
        )
    context = {
        "title": f"{cohort.name}: unit heatmap",
        "cohort": cohort,
        "units": units,
        "rows": [(r, list(zip(r.cells, r.percents(), strict=True))) for r in rows],
    }
    return render(request, "dashboards/cohort_heatmap.html", context)


@login_required
def cohort_progress(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk)
    since = cohort.start_date or timezone.localdate()
    weeks = selectors.progress_by_week(cohort.portfolios.all(), since)
    context = {
        "title": f"{cohort.name}: progress over time",
        "cohort": cohort,
        "weeks": weeks,
        "chart": line_chart(weeks),
    }
    return render(request, "dashboards/cohort_progress.html", context)


@login_required
def centre_overview(request: HttpRequest) -> HttpResponse:
    require_overview_role(request.user)
    user: User = request.user
    cohorts, assessors = selectors.centre_overview(user)
    context = {
        "title": "Centre overview",
        "cohorts": cohorts,
        "assessors": assessors,
        "rag_choices": rag.Rag.choices,
    }
    return render(request, "dashboards/centre_overview.html", context)
