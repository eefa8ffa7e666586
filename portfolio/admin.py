from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portfolio.models import AuditEntry, Evidence, EvidenceFile, Mapping, Portfolio

# Shown on the admin's portfolio pages: the app's pages change a portfolio and audit it.
ENROLMENT_NOTE = (
    "Read-only here, because changes made in the admin are not recorded in the audit trail. "
    "A centre administrator enrols learners and reassigns a portfolio's assessor or tutor on "
    "the app's Enrolment pages (Enrolment → Learners → Reassign), which record each change."
)


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    """For site operators to look up a portfolio; it changes only on the Enrolment pages,
    whose services write the audit entry the admin would skip."""

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
    date_hierarchy = "start_date"
    fieldsets = [
        (
            None,
            {
                "description": ENROLMENT_NOTE,
                "fields": [
                    "learner",
                    "centre",
                    "qualification",
                    "assessor",
                    "tutor",
                    "iqa",
                    "registration_number",
                    "cohort",
                    "start_date",
                    "planned_end_date",
                    "created_at",
                ],
            },
        )
    ]
    readonly_fields = fieldsets[0][1]["fields"]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        return super().changelist_view(
            request, {**(extra_context or {}), "subtitle": ENROLMENT_NOTE}
        )

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
