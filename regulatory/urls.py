from django.urls import path

from records.views import record_urls

from . import views
from .workflow import KIND

app_name = "regulatory"

urlpatterns = [
    path("regulatory/soa/", views.soa_view, name="soa"),
    path("regulatory/soa/items/<int:item_pk>/", views.soa_decide, name="soa_decide"),
    path("regulatory/soa/export/<str:fmt>/", views.soa_export, name="soa_export"),
    path("systems/<int:pk>/regulatory/", views.system_regulatory, name="system_regulatory"),
    path("systems/<int:pk>/regulatory/technical-file/", views.technical_file, name="technical_file"),
    path("systems/<int:pk>/regulatory/technical-file/edit/", views.technical_file_edit, name="technical_file_edit"),
    path(
        "systems/<int:pk>/regulatory/technical-file/<str:fmt>/",
        views.technical_file_export,
        name="technical_file_export",
    ),
    path("systems/<int:pk>/regulatory/fria/new/", views.fria_create, name="fria_create"),
    path("fria/<int:pk>/", views.fria_detail, name="fria_detail"),
    path("fria/<int:pk>/edit/", views.fria_edit, name="fria_edit"),
    path("fria/<int:pk>/export/<str:fmt>/", views.fria_export, name="fria_export"),
    *record_urls(KIND, "fria/"),
]
