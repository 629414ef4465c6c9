from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "readiness"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/snapshot/", views.snapshot_now, name="snapshot_now"),
    path("readiness/work/", views.work, name="work"),
    path("readiness/findings/", views.findings, name="findings"),
    path("coverage/", views.coverage, name="coverage"),
    path("systems/<int:pk>/coverage/", views.system_coverage, name="system_coverage"),
    path("systems/<int:pk>/coverage/<int:framework>/", views.system_framework, name="system_framework"),
]
