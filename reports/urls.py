from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("audit-packs/", views.pack_list, name="pack_list"),
    path("audit-packs/new/", views.pack_create, name="pack_create"),
    path("audit-packs/<int:pk>/", views.pack_status, name="pack_status"),
    path("audit-packs/<int:pk>/retry/", views.pack_retry, name="pack_retry"),
    path("audit-packs/<int:pk>/download/", views.pack_download, name="pack_download"),
]
