from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import AuditPack


@admin.register(AuditPack)
class AuditPackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "organisation", "ai_system", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["status"]
