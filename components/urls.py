from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "components"

urlpatterns: list[URLPattern | URLResolver] = [
    path("components/", views.component_list, name="component_list"),
    path("components/aibom.cdx.json", views.organisation_bom, name="organisation_bom"),
    path("systems/<int:pk>/components/", views.system_components, name="system_components"),
    path("systems/<int:pk>/components/new/<slug:kind>/", views.component_create, name="component_create"),
    path("systems/<int:pk>/components/import/", views.bom_import, name="bom_import"),
    path("systems/<int:pk>/components/aibom.cdx.json", views.system_bom, name="system_bom"),
    path("systems/<int:pk>/components/profile/", views.profile_suggestion_apply, name="profile_suggestion_apply"),
    path("components/<int:pk>/", views.component_detail, name="component_detail"),
    path("components/<int:pk>/edit/", views.component_edit, name="component_edit"),
    path("components/<int:pk>/retire/", views.component_retire, name="component_retire"),
    path("components/<int:pk>/act/", views.component_act, name="component_act"),
]
