from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from portfolio.models import AuditEntry, Evidence, EvidenceFile, Mapping, Portfolio


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    """For site operators; centre administrators enrol learners on the enrolment pages."""

    list_display = [
        "learner",
        "qualification",
        "centre",
        "assessor",
        "tutor",
        "cohort",
        "start_date",
        "planned_end_date",
    ]
    list_filter = ["centre", "qualification", "cohort"]
    search_fields = ["learner__full_name", "learner__email", "qualification__title"]
    list_select_related = ["learner", "qualification", "centre", "assessor", "tutor", "cohort"]
    autocomplete_fields = ["learner", "assessor", "tutor"]
    date_hierarchy = "start_date"


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    can_delete = False
    fields = ["original_name", "kind", "size", "sha256", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Read-only: evidence changes only through the learner's pages, which audit them."""

    list_display = ["title", "portfolio", "type", "activity_date", "created_at"]
    list_filter = ["type", "portfolio__centre"]
    search_fields = ["title", "description", "portfolio__learner__full_name"]
    list_select_related = ["portfolio__learner", "portfolio__qualification"]
    inlines = [EvidenceFileInline]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EvidenceFile)
class EvidenceFileAdmin(EvidenceAdmin):
    list_display = ["original_name", "evidence", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["evidence"]
    inlines = []


@admin.register(Mapping)
class MappingAdmin(EvidenceAdmin):
    list_display = ["criterion", "evidence", "status", "submitted_at"]
    list_filter = ["status", "criterion__unit"]
    search_fields = ["commentary", "evidence__title"]
    list_select_related = ["criterion__unit", "evidence"]
    inlines = []


@admin.register(AuditEntry)
class AuditEntryAdmin(EvidenceAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr", "portfolio"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor__email"]
    list_select_related = ["actor", "portfolio__learner", "portfolio__qualification"]
    inlines = []
