"""Governance pages, mounted under /o/<org_slug>/."""

from django.urls import path

from .views import inventory, library, library_edit, search

app_name = "governance"
urlpatterns = [
    path("search/", search.search, name="search"),
    path("systems/", inventory.system_list, name="system_list"),
    path("systems/new/", inventory.system_create, name="system_create"),
    path("systems/<int:pk>/", inventory.system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", inventory.system_edit, name="system_edit"),
    path("systems/<int:pk>/retire/", inventory.system_retire, name="system_retire"),
    path("systems/<int:pk>/history/", inventory.system_history, name="system_history"),
    # The library: built-in content plus the organisation's own (views/library*.py).
    path("library/", library.control_list, name="control_list"),
    path("library/controls/new/", library_edit.control_create, name="control_create"),
    path("library/controls/<int:pk>/", library.control_detail, name="control_detail"),
    path("library/controls/<int:pk>/edit/", library_edit.control_edit, name="control_edit"),
    path("library/controls/<int:pk>/retire/", library_edit.control_retire, name="control_retire"),
    path("library/threats/", library.threat_list, name="threat_list"),
    path("library/threats/<int:pk>/", library.threat_detail, name="threat_detail"),
    path("library/frameworks/", library.framework_list, name="framework_list"),
    path("library/frameworks/new/", library_edit.framework_create, name="framework_create"),
    path("library/frameworks/<int:pk>/edit/", library_edit.framework_edit, name="framework_edit"),
    path("library/crosswalk/", library.crosswalk, name="crosswalk"),
    path("library/triage/", library.triage, name="triage"),
    path("library/import/", library_edit.library_import, name="library_import"),
    path("library/export/", library_edit.library_export, name="library_export"),
]
