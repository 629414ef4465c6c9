"""`/api/…`: the schema, the docs and version 1 of the organisation endpoints."""

from django.urls import include, path

from .views import docs
from .views import resources as r

app_name = "api"

org_patterns = [
    path("systems/", r.SystemList.as_view(), name="system_list"),
    path("systems/<int:pk>/", r.SystemDetail.as_view(), name="system_detail"),
    path("systems/<int:pk>/assessments/", r.AssessmentStart.as_view(), name="assessment_start"),
    path("systems/<int:pk>/controls/<str:ref>/evidence/", r.ControlEvidence.as_view(), name="control_evidence"),
    path("teams/", r.TeamList.as_view(), name="team_list"),
    path("teams/<int:pk>/", r.TeamDetail.as_view(), name="team_detail"),
    path("library/controls/", r.ControlList.as_view(), name="control_list"),
    path("library/controls/<int:pk>/", r.ControlDetail.as_view(), name="control_detail"),
    path("library/threats/", r.ThreatList.as_view(), name="threat_list"),
    path("library/threats/<int:pk>/", r.ThreatDetail.as_view(), name="threat_detail"),
    path("library/frameworks/", r.FrameworkList.as_view(), name="framework_list"),
    path("library/frameworks/<int:pk>/", r.FrameworkDetail.as_view(), name="framework_detail"),
    path("assessments/", r.AssessmentList.as_view(), name="assessment_list"),
    path("assessments/<int:pk>/", r.AssessmentDetail.as_view(), name="assessment_detail"),
    path("assignments/", r.AssignmentList.as_view(), name="assignment_list"),
    path("assignments/<int:pk>/", r.AssignmentDetail.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/actions/", r.AssignmentAction.as_view(), name="assignment_action"),
    path("assignments/<int:pk>/evidence/", r.EvidenceList.as_view(), name="evidence_list"),
    path("audit/events/", r.AuditEventList.as_view(), name="audit_event_list"),
]

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("v1/o/<slug:org_slug>/", include(org_patterns)),
]
