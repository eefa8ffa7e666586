from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.pagination import paginate
from accounts.params import search_words
from dashboards import rag, selectors
from dashboards.access import get_cohort_for, require_cohort_role, require_overview_role
from dashboards.charts import line_chart
from portfolio.spreadsheet import csv_response


@login_required
def cohort_index(request: HttpRequest) -> HttpResponse:
    require_cohort_role(request.user)
    query = search_words(request.GET.get("q"))
    cohorts = paginate(
        request,
        selectors.cohort_list(request.user, query=query),
        label="Pages of cohorts",
        kept={"q": query},
    )
    context = {"title": "Cohorts", "cohorts": cohorts, "query": query}
    return render(request, "dashboards/cohort_index.html", context)


@login_required
def cohort_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk)
    filters = {key: request.GET.get(key, "") for key in ("rag", "assessor", "q")}
    sort = request.GET.get("sort", "name")
    table = selectors.learner_table(
        cohort.portfolios.all(),
        rag=filters["rag"],
        assessor=filters["assessor"],
        query=filters["q"],
        sort=sort,
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            f"cohort-{cohort.name}.csv",
            selectors.LEARNER_COLUMNS,
            selectors.learner_csv_rows(table.rows),
        )
    context = {
        "title": cohort.name,
        "cohort": cohort,
        "rows": table.rows,
        "total": table.total,
        "counts": table.counts,
        "rag_choices": rag.Rag.choices,
        "assessors": table.assessors,
        "sort": sort,
        "query_string": request.GET.urlencode(),
        "explanation": rag.explanation(),
        "filters": filters,
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
            selectors.heatmap_columns(units),
            selectors.heatmap_csv_rows(rows),
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
    cohorts, assessors = selectors.centre_overview(request.user)
    context = {"title": "Centre overview", "cohorts": cohorts, "assessors": assessors}
    return render(request, "dashboards/centre_overview.html", context)
