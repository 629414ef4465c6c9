from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import AISystem, Control, Framework, Threat


@admin.register(AISystem)
class AISystemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "system_type", "exposure", "eu_ai_act_tier", "retired_at"]
    list_filter = ["organisation", "system_type", "eu_ai_act_tier"]
    search_fields = ["name"]
    list_select_related = ["organisation"]


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "name", "organisation", "licence", "retired_at"]
    list_filter = ["organisation", "licence"]
    search_fields = ["key", "name"]
    list_select_related = ["organisation"]


@admin.register(Control)
class ControlAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ref", "title", "organisation", "domain", "practice", "retired_at"]
    list_filter = ["domain", "practice", "organisation"]
    search_fields = ["ref", "title"]
    list_select_related = ["organisation"]


@admin.register(Threat)
class ThreatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ref", "title", "organisation", "domain", "surface", "retired_at"]
    list_filter = ["domain", "surface", "organisation"]
    search_fields = ["ref", "title"]
    list_select_related = ["organisation"]
