"""Organisation-scoped two-factor actions, under /o/<org_slug>/."""

from django.urls import path

from . import views

app_name = "authn_org"
urlpatterns = [
    path("settings/members/<int:pk>/two-factor/reset/", views.member_reset, name="member_reset"),
]
