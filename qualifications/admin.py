from __future__ import annotations

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


@admin.register(AwardingBody)
class AwardingBodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "qualification_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(qualification_total=Count("qualifications"))

    @admin.display(description="qualifications", ordering="qualification_total")
    def qualification_count(self, obj: AwardingBody) -> int:
        return obj.qualification_total


class QualificationUnitInline(admin.TabularInline):
    model = QualificationUnit
    extra = 0
    autocomplete_fields = ["unit"]
    ordering = ["position"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
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


class LearningOutcomeInline(admin.TabularInline):
    model = LearningOutcome
    extra = 0


class GuidanceItemInline(admin.TabularInline):
    model = GuidanceItem
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
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
class LearningOutcomeAdmin(admin.ModelAdmin):
    list_display = ["unit", "number", "text"]
    list_filter = ["unit"]
    search_fields = ["text", "unit__reference", "unit__title"]
    list_select_related = ["unit"]


@admin.register(AssessmentCriterion)
class AssessmentCriterionAdmin(admin.ModelAdmin):
    list_display = ["number", "unit", "outcome", "text"]
    list_filter = ["unit"]
    search_fields = ["number", "text", "unit__reference", "unit__title"]
    list_select_related = ["unit", "outcome__unit"]
    autocomplete_fields = ["unit"]


@admin.register(GuidanceItem)
class GuidanceItemAdmin(admin.ModelAdmin):
    list_display = ["unit", "section", "position", "term", "text"]
    list_filter = ["section", "unit"]
    search_fields = ["term", "text"]
    list_select_related = ["unit"]


@admin.register(QualificationUnit)
class QualificationUnitAdmin(admin.ModelAdmin):
    list_display = ["qualification", "unit", "position"]
    list_filter = ["qualification"]
    list_select_related = ["qualification", "unit"]
