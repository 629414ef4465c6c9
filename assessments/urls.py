"""Assessment pages, mounted under /o/<org_slug>/."""

from django.urls import path

from .views import assessments, assignments, routing, work

app_name = "assessments"
urlpatterns = [
    path("work/", work.work_list, name="work_list"),
    path("work/bulk/", work.work_bulk, name="work_bulk"),
    path("assessments/", assessments.assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/questions/<slug:section>/", assessments.assessment_section, name="assessment_section"),
    path("assessments/<int:pk>/plan/", assessments.assessment_plan, name="assessment_plan"),
    path("assessments/<int:pk>/submit/", assessments.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/review/", assessments.assessment_review, name="assessment_review"),
    path("systems/<int:pk>/assessment/", assessments.system_assessment, name="system_assessment"),
    path("systems/<int:pk>/assessment/start/", assessments.assessment_start, name="assessment_start"),
    path("systems/<int:pk>/controls/", work.system_controls, name="system_controls"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/act/", assignments.assignment_act, name="assignment_act"),
    path("assignments/<int:pk>/edit/", assignments.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/evidence/", assignments.evidence_add, name="evidence_add"),
    path("assignments/<int:pk>/comments/", assignments.comment_add, name="comment_add"),
    path("evidence/<int:pk>/", assignments.evidence_download, name="evidence_download"),
    path("routing/", routing.routing_list, name="routing_list"),
    path("routing/new/", routing.rule_create, name="rule_create"),
    path("routing/<int:pk>/", routing.rule_edit, name="rule_edit"),
    path("routing/<int:pk>/delete/", routing.rule_delete, name="rule_delete"),
    path("routing/reroute/", routing.reroute_preview, name="reroute_preview"),
    path("routing/reroute/<int:pk>/", routing.reroute_status, name="reroute_status"),
]
