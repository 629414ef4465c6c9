from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "incidents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/report/", views.incident_report, name="incident_report"),
    path("systems/<int:pk>/incidents/", views.system_incidents, name="system_incidents"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/act/", views.incident_act, name="incident_act"),
    path("incidents/<int:pk>/timeline/", views.timeline_add, name="timeline_add"),
    path("incidents/<int:pk>/review/", views.incident_review, name="incident_review"),
    path("incidents/<int:pk>/follow-ups/new/", views.incident_follow_up, name="incident_follow_up"),
    path("incidents/<int:pk>/raise-risk/", views.incident_raise_risk, name="incident_raise_risk"),
]
