from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Evidence portfolio administration"
admin.site.site_title = "Evidence portfolio"

urlpatterns = [
    path("", include("accounts.urls")),
    path("catalogue/", include("qualifications.urls")),
    path("", include("portfolio.urls")),
    path("", include("assessment.urls")),
    path("", include("exports.urls")),
    path("centre/", include("enrolment.urls")),
    path("", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]
