from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import AISystem


@admin.register(AISystem)
class AISystemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "system_type", "exposure", "eu_ai_act_tier", "retired_at"]
    list_filter = ["organisation", "system_type", "eu_ai_act_tier"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
