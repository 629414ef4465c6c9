from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Membership, Organisation, Team


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "readiness_threshold", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Team)
class TeamAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "discipline", "lead"]
    list_filter = ["organisation", "discipline"]
    search_fields = ["name"]
    list_select_related = ["organisation", "lead"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["organisation", "role"]
    search_fields = ["user__username", "organisation__name"]
    list_select_related = ["user", "organisation"]
