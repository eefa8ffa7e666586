from __future__ import annotations

from django.contrib import admin

from cohorts.models import Cohort


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "centre"]
    list_filter = ["centre"]
    search_fields = ["name"]
    filter_horizontal = ["tutors"]
