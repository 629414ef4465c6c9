from django.contrib import admin

from .models import Component


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    """Read-only: components change through the pages and the import (audited)."""

    list_display = ["name", "kind", "ai_system", "approval", "retired_at"]
    list_filter = ["kind", "approval"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
