from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.admin import ReadOnlyAdminMixin

from .models import Invitation, Membership, Organisation, Profile, Team
from .services import NAME_FIELDS, person_update

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """Django's user admin, except that a new name goes through `person_update`: it is on the
    pages of the person's organisations, so each of them records it."""

    def save_model(self, request, obj, form, change):
        if change and any(name in form.changed_data for name in NAME_FIELDS):
            person_update(actor=request.user, user=obj, data={name: getattr(obj, name) for name in NAME_FIELDS})
        super().save_model(request, obj, form, change)


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


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["invitee", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["organisation", "role"]
    search_fields = ["invitee"]
    list_select_related = ["organisation"]
    exclude = ["salt"]  # with SECRET_KEY it gives the link; support never needs it


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "time_zone", "last_organisation"]
    search_fields = ["user__username"]
    list_select_related = ["user", "last_organisation"]
