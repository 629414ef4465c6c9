"""`/api/…`: the schema, the docs and version 1 of the organisation endpoints."""

from django.urls import include, path, register_converter

from .views import components as comp
from .views import docs
from .views import incidents as inc
from .views import records as rec
from .views import resources as r

app_name = "api"


class IdConverter:
    """A record id: at most 18 digits, so it fits the database's 64-bit integers. A longer one
    cannot name a record: 404 from the URL, not a database overflow (500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

org_patterns = [
    path("systems/", r.SystemList.as_view(), name="system_list"),
    path("systems/<id:pk>/", r.SystemDetail.as_view(), name="system_detail"),
    path("systems/<id:pk>/assessments/", r.AssessmentStart.as_view(), name="assessment_start"),
    path("systems/<id:pk>/controls/<str:ref>/evidence/", r.ControlEvidence.as_view(), name="control_evidence"),
    path("teams/", r.TeamList.as_view(), name="team_list"),
    path("teams/<id:pk>/", r.TeamDetail.as_view(), name="team_detail"),
    path("library/controls/", r.ControlList.as_view(), name="control_list"),
    path("library/controls/<id:pk>/", r.ControlDetail.as_view(), name="control_detail"),
    path("library/threats/", r.ThreatList.as_view(), name="threat_list"),
    path("library/threats/<id:pk>/", r.ThreatDetail.as_view(), name="threat_detail"),
    path("library/frameworks/", r.FrameworkList.as_view(), name="framework_list"),
    path("library/frameworks/<id:pk>/", r.FrameworkDetail.as_view(), name="framework_detail"),
    path("assessments/", r.AssessmentList.as_view(), name="assessment_list"),
    path("assessments/<id:pk>/", r.AssessmentDetail.as_view(), name="assessment_detail"),
    path("assignments/", r.AssignmentList.as_view(), name="assignment_list"),
    path("assignments/<id:pk>/", r.AssignmentDetail.as_view(), name="assignment_detail"),
    path("assignments/<id:pk>/actions/", r.AssignmentAction.as_view(), name="assignment_action"),
    path("assignments/<id:pk>/evidence/", r.EvidenceList.as_view(), name="evidence_list"),
    path("audit/events/", r.AuditEventList.as_view(), name="audit_event_list"),
    path("risks/", rec.RiskList.as_view(), name="risk_list"),
    path("systems/<id:pk>/risks/", rec.RiskCreate.as_view(), name="risk_create"),
    path("risks/<id:pk>/", rec.RiskDetail.as_view(), name="risk_detail"),
    path("risks/<id:pk>/actions/", rec.RiskStep.as_view(), name="risk_action"),
    path("threat-models/", rec.ThreatModelList.as_view(), name="threat_model_list"),
    path("systems/<id:pk>/threat-models/", rec.ThreatModelCreate.as_view(), name="threat_model_create"),
    path("threat-models/<id:pk>/", rec.ThreatModelDetail.as_view(), name="threat_model_detail"),
    path("threat-models/<id:pk>/actions/", rec.ThreatModelStep.as_view(), name="threat_model_action"),
    path("red-team/", rec.ExerciseList.as_view(), name="exercise_list"),
    path("systems/<id:pk>/red-team/", rec.ExerciseCreate.as_view(), name="exercise_create"),
    path("red-team/<id:pk>/", rec.ExerciseDetail.as_view(), name="exercise_detail"),
    path("red-team/<id:pk>/actions/", rec.ExerciseStep.as_view(), name="exercise_action"),
    path("red-team/<id:pk>/findings/", rec.FindingList.as_view(), name="finding_list"),
    path("red-team/<id:pk>/findings/import/", rec.FindingImport.as_view(), name="finding_import"),
    path("findings/<id:pk>/", rec.FindingDetail.as_view(), name="finding_detail"),
    path("alignment-reviews/", inc.AlignmentReviewList.as_view(), name="alignment_review_list"),
    path("alignment-reviews/<id:pk>/", inc.AlignmentReviewDetail.as_view(), name="alignment_review_detail"),
    path("alignment-reviews/<id:pk>/actions/", inc.AlignmentReviewStep.as_view(), name="alignment_review_action"),
    path("components/", comp.ComponentList.as_view(), name="component_list"),
    path("components/<id:pk>/", comp.ComponentDetail.as_view(), name="component_detail"),
    path("systems/<id:pk>/aibom/", comp.SystemBom.as_view(), name="system_bom"),
    path("ir-plans/", inc.PlanList.as_view(), name="plan_list"),
    path("ir-plans/<id:pk>/", inc.PlanDetail.as_view(), name="plan_detail"),
    path("ir-plans/<id:pk>/actions/", inc.PlanStep.as_view(), name="plan_action"),
    path("tabletops/", inc.TabletopList.as_view(), name="tabletop_list"),
    path("tabletops/<id:pk>/", inc.TabletopDetail.as_view(), name="tabletop_detail"),
    path("tabletops/<id:pk>/actions/", inc.TabletopStep.as_view(), name="tabletop_action"),
    path("fria/", inc.FRIAList.as_view(), name="fria_list"),
    path("fria/<id:pk>/", inc.FRIADetail.as_view(), name="fria_detail"),
    path("fria/<id:pk>/actions/", inc.FRIAStep.as_view(), name="fria_action"),
    path("incidents/", inc.IncidentList.as_view(), name="incident_list"),
    path("incidents/<id:pk>/", inc.IncidentDetail.as_view(), name="incident_detail"),
    path("incidents/<id:pk>/timeline/", inc.TimelineList.as_view(), name="timeline_list"),
    path("audit-packs/", inc.AuditPackList.as_view(), name="audit_pack_list"),
    path("audit-packs/<id:pk>/", inc.AuditPackDetail.as_view(), name="audit_pack_detail"),
    path("audit-packs/<id:pk>/download/", inc.AuditPackDownload.as_view(), name="audit_pack_download"),
    path("readiness/", inc.OrganisationReadinessView.as_view(), name="organisation_readiness"),
    path("systems/<id:pk>/readiness/", inc.SystemReadinessView.as_view(), name="system_readiness"),
]

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("v1/o/<slug:org_slug>/", include(org_patterns)),
]
