"""Governance pages, mounted under /o/<org_slug>/."""

from django.urls import path

from .views import inventory

app_name = "governance"
urlpatterns = [
    path("systems/", inventory.system_list, name="system_list"),
    path("systems/new/", inventory.system_create, name="system_create"),
    path("systems/<int:pk>/", inventory.system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", inventory.system_edit, name="system_edit"),
    path("systems/<int:pk>/retire/", inventory.system_retire, name="system_retire"),
    path("systems/<int:pk>/history/", inventory.system_history, name="system_history"),
]
