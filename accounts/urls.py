"""Organisation-scoped account pages, mounted under /o/<org_slug>/."""

from django.urls import path

from . import invitation_views, views

app_name = "accounts"
urlpatterns = [
    path("settings/", views.organisation_edit, name="organisation_edit"),
    path("settings/members/", views.member_list, name="member_list"),
    path("settings/members/add/", invitation_views.member_add, name="member_add"),
    path("settings/invitations/<int:pk>/resend/", invitation_views.invitation_resend, name="invitation_resend"),
    path("settings/invitations/<int:pk>/revoke/", invitation_views.invitation_revoke, name="invitation_revoke"),
    path("settings/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
]
