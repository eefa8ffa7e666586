from __future__ import annotations

from django.urls import path

from enrolment import views as enrolment

app_name = "enrolment"

urlpatterns = [
    path("cohorts/", enrolment.cohort_list, name="cohort_list"),
    path("cohorts/new/", enrolment.cohort_create, name="cohort_create"),
    path("learners/", enrolment.learner_list, name="learner_list"),
    path("learners/enrol/", enrolment.learner_enrol, name="learner_enrol"),
    path("learners/import/", enrolment.intake_upload, name="intake_upload"),
    path("learners/import/template.csv", enrolment.intake_template, name="intake_template"),
    path("learners/import/check/", enrolment.intake_preview, name="intake_preview"),
    path("learners/import/done/", enrolment.intake_result, name="intake_result"),
    path("portfolios/<int:pk>/reassign/", enrolment.portfolio_reassign, name="portfolio_reassign"),
    path(
        "portfolios/<int:pk>/apprenticeship/",
        enrolment.portfolio_apprenticeship,
        name="portfolio_apprenticeship",
    ),
    path("portfolios/<int:pk>/version/", enrolment.portfolio_version, name="portfolio_version"),
    path("eqa/", enrolment.eqa_grant_list, name="eqa_grant_list"),
    path("eqa/new/", enrolment.eqa_grant_create, name="eqa_grant_create"),
    path("eqa/<int:pk>/", enrolment.eqa_grant_detail, name="eqa_grant_detail"),
    path("eqa/<int:pk>/revoke/", enrolment.eqa_grant_revoke, name="eqa_grant_revoke"),
]
