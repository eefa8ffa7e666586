from __future__ import annotations

from django.urls import path

from assessment.views import (
    caseload,
    choices,
    countersign,
    iqa,
    overview,
    plans,
    records,
    review,
    timeline,
    units,
)

app_name = "assessment"

urlpatterns = [
    path("assess/", caseload.caseload, name="caseload"),
    path("assess/evidence/<int:pk>/", review.evidence_review, name="evidence_review"),
    path("assess/mappings/<int:pk>/reopen/", review.mapping_reopen, name="mapping_reopen"),
    path("portfolios/<int:pk>/", overview.portfolio_detail, name="portfolio_detail"),
    path("portfolios/<int:pk>/units/", choices.portfolio_units, name="portfolio_units"),
    path("portfolios/<int:pk>/matrix/", overview.portfolio_matrix, name="portfolio_matrix"),
    path("assess/portfolios/<int:pk>/", overview.portfolio_review, name="portfolio_review"),
    path(
        "assess/portfolios/<int:pk>/units/<int:unit_pk>/sign-off/",
        units.unit_sign_off,
        name="unit_sign_off",
    ),
    path(
        "portfolios/<int:pk>/units/<int:unit_pk>/declare/",
        units.unit_declare,
        name="unit_declare",
    ),
    path(
        "assess/portfolios/<int:pk>/records/<str:kind>/new/",
        records.record_create,
        name="record_create",
    ),
    path("assess/evidence/<int:pk>/record/", records.record_edit, name="record_edit"),
    path("evidence/<int:pk>/acknowledge/", records.record_acknowledge, name="record_acknowledge"),
    path("portfolios/<int:pk>/timeline/", timeline.portfolio_timeline, name="portfolio_timeline"),
    path("iqa/", iqa.sampling, name="iqa_sampling"),
    path("iqa/rates/", iqa.sampling_rates, name="iqa_rates"),
    path("iqa/decisions/<int:pk>/", iqa.decision_sample, name="decision_sample"),
    path(
        "iqa/portfolios/<int:pk>/countersign/",
        countersign.portfolio_countersign,
        name="portfolio_countersign",
    ),
    path(
        "iqa/portfolios/<int:pk>/units/<int:unit_pk>/countersign/",
        countersign.unit_countersign,
        name="unit_countersign",
    ),
    path("portfolios/<int:pk>/plan/", plans.portfolio_plan, name="portfolio_plan"),
    path("assess/portfolios/<int:pk>/plan/new/", plans.plan_item_create, name="plan_item_create"),
    path("assess/plan-items/<int:pk>/", plans.plan_item_edit, name="plan_item_edit"),
    path("assess/plan-items/<int:pk>/remove/", plans.plan_item_remove, name="plan_item_remove"),
    path(
        "assess/portfolios/<int:pk>/reviews/new/",
        plans.progress_review_create,
        name="progress_review_create",
    ),
    path("reviews/<int:pk>/", plans.progress_review, name="progress_review"),
    path("iqa/coverage/", iqa.iqa_overview, name="iqa_overview"),
]
