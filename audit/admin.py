from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import AuditEvent, Verification


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The trail is written by services and never edited by hand."""

    list_display = ["organisation", "seq", "created_at", "actor_label", "action", "object_repr"]
    list_filter = ["organisation", "action"]
    search_fields = ["object_repr", "actor_label", "action"]
    list_select_related = ["organisation"]


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "status", "events_checked", "created_at", "finished_at"]
    list_filter = ["status"]
