from __future__ import annotations

from django.urls import path

from qualifications import views

app_name = "qualifications"

# A reference alone shows the current version; /versions/<version>/ shows any one of them.
urlpatterns = [
    path("", views.qualification_list, name="qualification_list"),
    path("units/<str:reference>/", views.unit_detail, name="unit_detail"),
    path(
        "units/<str:reference>/versions/<str:version>/",
        views.unit_detail,
        name="unit_version",
    ),
    path("<str:reference>/", views.qualification_detail, name="qualification_detail"),
    path(
        "<str:reference>/versions/<str:version>/",
        views.qualification_detail,
        name="qualification_version",
    ),
    path(
        "<str:reference>/diff/<str:from_version>/<str:to_version>/",
        views.qualification_diff,
        name="qualification_diff",
    ),
]
