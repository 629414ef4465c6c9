from django.urls import path

from records.views import record_urls

from . import redteam_views as rt
from . import views
from .workflow import EXERCISE_KIND, KIND

app_name = "threats"
urlpatterns = [
    path("threat-models/", views.threat_model_list, name="threat_model_list"),
    path("systems/<int:pk>/threat-models/", views.system_threat_models, name="system_threat_models"),
    path("systems/<int:pk>/threat-models/new/", views.threat_model_create, name="threat_model_create"),
    path("threat-models/<int:pk>/", views.threat_model_detail, name="threat_model_detail"),
    path("threat-models/<int:pk>/edit/", views.threat_model_edit, name="threat_model_edit"),
    path("threat-models/<int:pk>/suggest/", views.threat_model_suggest, name="threat_model_suggest"),
    path("threat-models/<int:pk>/threats/new/", views.entry_add, name="entry_add"),
    path("threat-entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("threat-entries/<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    *record_urls(KIND, "threat-models/"),
    path("red-team/", rt.exercise_list, name="exercise_list"),
    path("systems/<int:pk>/red-team/", rt.system_exercises, name="system_exercises"),
    path("systems/<int:pk>/red-team/new/", rt.exercise_create, name="exercise_create"),
    path("red-team/<int:pk>/", rt.exercise_detail, name="exercise_detail"),
    path("red-team/<int:pk>/edit/", rt.exercise_edit, name="exercise_edit"),
    path("red-team/<int:pk>/findings/new/", rt.finding_add, name="finding_add"),
    path("red-team/<int:pk>/findings/import/", rt.findings_import, name="findings_import"),
    path("findings/<int:pk>/", rt.finding_edit, name="finding_edit"),
    *record_urls(EXERCISE_KIND, "red-team/"),
]
