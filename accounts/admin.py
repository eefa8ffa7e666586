from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.models import Centre, Membership, User


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "centre_number", "people_count", "created_at"]
    search_fields = ["name", "centre_number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(people_total=Count("people"))

    @admin.display(description="people", ordering="people_total")
    def people_count(self, obj: Centre) -> int:
        return obj.people_total


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name", "email"]
    list_display = ["email", "full_name", "centre", "role_list", "is_active", "is_staff"]
    list_filter = ["centre", "memberships__role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_select_related = ["centre"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "centre", "uln"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "centre", "password1", "password2"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("memberships")

    @admin.display(description="roles")
    def role_list(self, obj: User) -> str:
        return ", ".join(m.get_role_display() for m in obj.memberships.all())


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "centre", "created_at"]
    list_filter = ["role", "user__centre"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user__centre"]
    autocomplete_fields = ["user"]

    @admin.display(description="centre", ordering="user__centre__name")
    def centre(self, obj: Membership) -> str:
        return str(obj.user.centre or "–")
