from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Assessment, ControlAssignment, Evidence, OwnershipRule, RerouteJob


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ai_system", "organisation", "status", "due_date", "created_at", "approved_at"]
    list_filter = ["organisation", "status"]
    list_select_related = ["ai_system", "organisation"]


@admin.register(ControlAssignment)
class ControlAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["control", "ai_system", "owner_team", "cosigning_team", "status", "due_date", "retired_at"]
    list_filter = ["organisation", "status"]
    list_select_related = ["control", "ai_system", "owner_team", "cosigning_team"]
    search_fields = ["control__ref", "ai_system__name"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["assignment", "kind", "original_filename", "size", "sha256", "uploaded_at", "valid_until"]
    list_filter = ["organisation", "kind"]
    list_select_related = ["assignment__control", "assignment__ai_system"]
    exclude = ["file"]  # files leave only through the checked download view, never from the admin


@admin.register(OwnershipRule)
class OwnershipRuleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "domain", "practice", "team", "cosigning_team"]
    list_filter = ["organisation", "domain"]
    list_select_related = ["organisation", "team", "cosigning_team"]


@admin.register(RerouteJob)
class RerouteJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "status", "done", "total", "moved", "created_at", "finished_at"]
    list_filter = ["organisation", "status"]
