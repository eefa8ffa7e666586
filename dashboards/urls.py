from __future__ import annotations

from django.urls import path

from dashboards.views import cohorts as dashboards
from dashboards.views import home

app_name = "dashboards"

urlpatterns = [
    path("", home.home, name="home"),
    path("cohorts/", dashboards.cohort_index, name="cohort_index"),
    path("cohorts/<int:pk>/", dashboards.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:pk>/heatmap/", dashboards.cohort_heatmap, name="cohort_heatmap"),
    path("cohorts/<int:pk>/progress/", dashboards.cohort_progress, name="cohort_progress"),
    path("overview/", dashboards.centre_overview, name="centre_overview"),
]
