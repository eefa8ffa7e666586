"""The catalogue in the admin, to look things up: it changes only through its fixtures and
`manage.py load_qualifications`, which check every reference and renumbering before writing
(a criterion reworded here would change what learners' accepted evidence claims to meet)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    GuidanceItem,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)

CATALOGUE_NOTE = (
    "Read-only here. The catalogue changes through its fixture files and "
    "`manage.py load_qualifications`, which checks every change against the evidence "
    "already mapped before writing it."
)


class CatalogueAdmin(admin.ModelAdmin):
    """Shows catalogue rows with the note saying where they change; adds, edits and deletes
    are refused."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        return super().changelist_view(
            request, {**(extra_context or {}), "subtitle": CATALOGUE_NOTE}
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> Any:
        context = {**(extra_context or {}), "subtitle": CATALOGUE_NOTE}
        return super().change_view(request, object_id, form_url, context)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CatalogueInline(admin.TabularInline):
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AwardingBody)
class AwardingBodyAdmin(CatalogueAdmin):
    list_display = ["code", "name", "qualification_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(qualification_total=Count("qualifications"))

    @admin.display(description="qualifications", ordering="qualification_total")
    def qualification_count(self, obj: AwardingBody) -> int:
        return obj.qualification_total


class QualificationUnitInline(CatalogueInline):
    model = QualificationUnit
    ordering = ["position"]


@admin.register(Qualification)
class QualificationAdmin(CatalogueAdmin):
    list_display = ["title", "reference", "awarding_body", "level", "framework", "unit_count"]
    list_filter = ["awarding_body", "level", "framework"]
    search_fields = ["title", "reference"]
    list_select_related = ["awarding_body"]
    inlines = [QualificationUnitInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(unit_total=Count("unit_links"))

    @admin.display(description="units", ordering="unit_total")
    def unit_count(self, obj: Qualification) -> int:
        return obj.unit_total


class LearningOutcomeInline(CatalogueInline):
    model = LearningOutcome


class GuidanceItemInline(CatalogueInline):
    model = GuidanceItem


@admin.register(Unit)
class UnitAdmin(CatalogueAdmin):
    list_display = ["reference", "title", "level", "guided_learning_hours", "criterion_count"]
    list_filter = ["level", "qualifications"]
    search_fields = ["reference", "title"]
    inlines = [LearningOutcomeInline, GuidanceItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super().get_queryset(request).annotate(criterion_total=Count("criteria", distinct=True))
        )

    @admin.display(description="criteria", ordering="criterion_total")
    def criterion_count(self, obj: Unit) -> int:
        return obj.criterion_total


@admin.register(LearningOutcome)
class LearningOutcomeAdmin(CatalogueAdmin):
    list_display = ["unit", "number", "text"]
    list_filter = ["unit"]
    search_fields = ["text", "unit__reference", "unit__title"]
    list_select_related = ["unit"]


@admin.register(AssessmentCriterion)
class AssessmentCriterionAdmin(CatalogueAdmin):
    list_display = ["number", "unit", "outcome", "text"]
    list_filter = ["unit"]
    search_fields = ["number", "text", "unit__reference", "unit__title"]
    list_select_related = ["unit", "outcome__unit"]


@admin.register(GuidanceItem)
class GuidanceItemAdmin(CatalogueAdmin):
    list_display = ["unit", "section", "position", "term", "text"]
    list_filter = ["section", "unit"]
    search_fields = ["term", "text"]
    list_select_related = ["unit"]


@admin.register(QualificationUnit)
class QualificationUnitAdmin(CatalogueAdmin):
    list_display = ["qualification", "unit", "position"]
    list_filter = ["qualification"]
    list_select_related = ["qualification", "unit"]
