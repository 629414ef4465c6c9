"""What the API reads and writes for governed records (risk scenarios, threat models, red-team
exercises) and red-team findings. As in serializers.py: they describe and type-check, the pages'
forms validate and the pages' services save."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alignment.models import AlignmentFinding, AlignmentReview, EvaluationMetric
from components.models import Component
from governance.models import Surface
from incidents.models import Incident, IncidentSeverity, TimelineEntry
from records.models import GovernedRecord
from regulatory.models import FundamentalRightsAssessment
from reports.models import AuditPack
from response.models import IncidentResponsePlan, Playbook, TabletopExercise
from risks.models import RiskScenario, Treatment
from threats.models import (
    FindingStatus,
    RedTeamExercise,
    RedTeamFinding,
    RetestResult,
    Severity,
    ThreatEntry,
    ThreatModel,
)

from .serializers import USERNAME, HiddenCharactersField

MAX_ID = 2**63 - 1
LIFECYCLE = [*GovernedRecord.RECORD_AUDITED_FIELDS, "is_latest", "version"]
RECORD_FIELDS = [
    "id",
    "ai_system",
    *GovernedRecord.RECORD_AUDITED_FIELDS,
    "submitted_at",
    "approved_at",
    "is_latest",
    "created_at",
    "updated_at",
    "version",
]


def own_fields(model) -> list[str]:
    """A record type's own audited fields (the lifecycle's come from RECORD_FIELDS)."""
    return [name for name in model.AUDITED_FIELDS if name not in LIFECYCLE]


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def ids_field(help_text) -> serializers.ListField:
    return serializers.ListField(child=id_field(), required=False, max_length=500, help_text=help_text)


def framework_refs(items) -> list[str]:
    return sorted(f"{i.framework.key}:{i.ref}" for i in items)


class RecordSerializer(serializers.ModelSerializer):
    """The lifecycle fields every governed record shares (records.models.GovernedRecord)."""

    author = serializers.SlugRelatedField(**USERNAME)
    submitted_by = serializers.SlugRelatedField(**USERNAME)
    approved_by = serializers.SlugRelatedField(**USERNAME)


class RecordWriteSerializer(serializers.Serializer):
    """Fields shared by every record write: PATCH sends `version`, the version it read."""

    title = serializers.CharField(required=False, max_length=200)
    version = id_field(required=False, help_text=_("Required for PATCH: the version you read."))
    hidden_characters = HiddenCharactersField()


# --- Risk scenarios ---------------------------------------------------------------------------


class RiskSerializer(RecordSerializer):
    controls = serializers.SlugRelatedField(slug_field="ref", many=True, read_only=True)
    accepted_by = serializers.SlugRelatedField(**USERNAME)
    acceptance_cosigned_by = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = RiskScenario
        fields = [*RECORD_FIELDS, *own_fields(RiskScenario)]
        read_only_fields = fields


LEVEL = {"min_value": 1, "max_value": 5, "required": False}


class RiskWriteSerializer(RecordWriteSerializer):
    description = serializers.CharField(required=False, max_length=4000)
    hostile_intent = serializers.BooleanField(required=False, help_text=_("Yes → a security risk."))
    harm_in_benign_use = serializers.BooleanField(required=False, help_text=_("Yes → a safety risk."))
    inherent_likelihood = serializers.IntegerField(**LEVEL)
    inherent_impact = serializers.IntegerField(**LEVEL)
    residual_likelihood = serializers.IntegerField(**LEVEL)
    residual_impact = serializers.IntegerField(**LEVEL)
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False)
    controls = ids_field(_("Ids of library controls."))
    owner_team = id_field(required=False, allow_null=True, help_text=_("Empty: routed to the domain's team."))
    cosigning_team = id_field(required=False, allow_null=True)


# --- Threat models ----------------------------------------------------------------------------


class ThreatEntrySerializer(serializers.ModelSerializer):
    threat = serializers.SlugRelatedField(slug_field="ref", read_only=True, allow_null=True)

    class Meta:
        model = ThreatEntry
        fields = ["id", *ThreatEntry.AUDITED_FIELDS]
        read_only_fields = fields


class ThreatModelSerializer(RecordSerializer):
    entries = ThreatEntrySerializer(many=True, read_only=True)

    class Meta:
        model = ThreatModel
        fields = [*RECORD_FIELDS, "scope", "architecture", "data_flows", "surfaces", "entries"]
        read_only_fields = fields


class ThreatModelWriteSerializer(RecordWriteSerializer):
    scope = serializers.CharField(required=False, max_length=8000)
    architecture = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    data_flows = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    surfaces = serializers.ListField(
        child=serializers.ChoiceField(choices=Surface.choices),
        required=False,
        max_length=20,
        help_text=_("Attack surfaces; on a new threat model, the system profile's when left out."),
    )


# --- Red-team exercises and findings ---------------------------------------------------------


class ExerciseSerializer(RecordSerializer):
    participants = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    threats_tried = serializers.SlugRelatedField(slug_field="ref", many=True, read_only=True)
    techniques = serializers.SerializerMethodField(help_text=_("Framework items as `framework-key:item-id`."))

    class Meta:
        model = RedTeamExercise
        fields = [*RECORD_FIELDS, *own_fields(RedTeamExercise)]
        read_only_fields = fields

    def get_techniques(self, obj) -> list[str]:
        return framework_refs(obj.techniques.all())


class ExerciseWriteSerializer(RecordWriteSerializer):
    objectives = serializers.CharField(required=False, max_length=8000)
    scope = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    surfaces = serializers.ListField(
        child=serializers.ChoiceField(choices=Surface.choices), required=False, max_length=20
    )
    also_in_scope = ids_field(_("Ids of other AI systems in scope."))
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    team = id_field(required=False, allow_null=True, help_text=_("Id of the red team."))
    participants = ids_field(_("Ids of users of the organisation."))
    threats_tried = ids_field(_("Ids of library threats."))
    techniques = ids_field(_("Ids of ATLAS / OWASP framework items."))


class FindingSerializer(serializers.ModelSerializer):
    threat = serializers.SlugRelatedField(slug_field="ref", read_only=True, allow_null=True)
    control = serializers.SlugRelatedField(slug_field="ref", read_only=True, allow_null=True)
    framework_items = serializers.SerializerMethodField(
        help_text=_("OWASP LLM and ATLAS entries as `framework-key:item-id`.")
    )

    class Meta:
        model = RedTeamFinding
        fields = [
            "id",
            "exercise",
            *(name for name in RedTeamFinding.AUDITED_FIELDS if name != "natural_key"),
            "created_at",
        ]
        read_only_fields = fields

    def get_framework_items(self, obj) -> list[str]:
        return framework_refs(obj.framework_items.all())


class FindingWriteSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    hostile_intent = serializers.BooleanField(required=False)
    harm_in_benign_use = serializers.BooleanField(required=False)
    reproduction = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    prompt = serializers.CharField(required=False, allow_blank=True, max_length=20000, trim_whitespace=False)
    output = serializers.CharField(required=False, allow_blank=True, max_length=20000, trim_whitespace=False)
    threat = id_field(required=False, allow_null=True, help_text=_("Id of a library threat."))
    control = id_field(required=False, allow_null=True, help_text=_("Id of a library control."))
    status = serializers.ChoiceField(choices=FindingStatus.choices, required=False)
    retest_on = serializers.DateField(required=False, allow_null=True)
    retest_result = serializers.ChoiceField(choices=RetestResult.choices, required=False, allow_blank=True)
    version = id_field(required=False, help_text=_("Required for PATCH: the version you read."))
    hidden_characters = HiddenCharactersField()


class FindingImportSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=["csv", "garak", "promptfoo"],
        help_text=_(
            "`garak`: its JSONL report; `promptfoo`: `promptfoo eval --output results.json`; `csv`: Bastion's "
            "columns (docs/red-team-import.md)."
        ),
    )
    file = serializers.FileField(help_text=_("The result file (multipart/form-data)."))


class FindingImportResultSerializer(serializers.Serializer):
    added = FindingSerializer(many=True, help_text=_("The findings this import created."))
    already_imported = serializers.IntegerField(
        help_text=_("Results of the file already imported into this exercise: left as they are.")
    )


# --- Alignment reviews ------------------------------------------------------------------------


class MetricSerializer(serializers.ModelSerializer):
    passes = serializers.BooleanField(read_only=True)

    class Meta:
        model = EvaluationMetric
        fields = ["id", *EvaluationMetric.AUDITED_FIELDS, "passes"]
        read_only_fields = fields


class AlignmentFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlignmentFinding
        fields = ["id", *AlignmentFinding.AUDITED_FIELDS]
        read_only_fields = fields


class AlignmentReviewSerializer(RecordSerializer):
    decided_by = serializers.SlugRelatedField(**USERNAME)
    metrics = MetricSerializer(many=True, read_only=True)
    findings = AlignmentFindingSerializer(many=True, read_only=True)

    class Meta:
        model = AlignmentReview
        fields = [*RECORD_FIELDS, *own_fields(AlignmentReview), "decided_at", "metrics", "findings"]
        read_only_fields = fields


# --- Incidents and their timelines ------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    reported_by = serializers.SlugRelatedField(**USERNAME)
    closed_by = serializers.SlugRelatedField(**USERNAME)
    reviewed_by = serializers.SlugRelatedField(**USERNAME)
    threats = serializers.SlugRelatedField(slug_field="ref", many=True, read_only=True)
    controls = serializers.SlugRelatedField(slug_field="ref", many=True, read_only=True)

    class Meta:
        model = Incident
        fields = ["id", *Incident.AUDITED_FIELDS[:-1], "reviewed_at", "created_at", "updated_at", "version"]
        read_only_fields = fields


class IncidentReportSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=8000)
    detected_at = serializers.DateTimeField(help_text=_("When it was noticed (ISO 8601); not in the future."))
    systems = serializers.ListField(
        child=id_field(), min_length=1, max_length=200, help_text=_("Ids of the affected AI systems (at least one).")
    )
    severity = serializers.ChoiceField(choices=IncidentSeverity.choices)
    hostile_intent = serializers.BooleanField(required=False, help_text=_("Yes → a security incident."))
    harm_in_benign_use = serializers.BooleanField(required=False, help_text=_("Yes → a safety incident."))
    owner_team = id_field(required=False, allow_null=True, help_text=_("Empty: routed to the domain's team."))
    cosigning_team = id_field(required=False, allow_null=True)
    hidden_characters = HiddenCharactersField()


class TimelineEntrySerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = TimelineEntry
        fields = ["id", "incident", *TimelineEntry.AUDITED_FIELDS, "created_at"]
        read_only_fields = fields


class TimelineAddSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField(help_text=_("When it happened (ISO 8601); not in the future."))
    text = serializers.CharField(max_length=4000, help_text=_("What happened then."))
    hidden_characters = HiddenCharactersField()


# --- Readiness --------------------------------------------------------------------------------


class DomainReadinessSerializer(serializers.Serializer):
    domain = serializers.CharField()
    verified = serializers.IntegerField()
    applicable = serializers.IntegerField()
    awaiting_verification = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text=_("Null when no control of the domain applies."))


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The gate (`threat_model`, `red_team`, …) or `controls_<domain>`."))
    label = serializers.CharField()
    passed = serializers.BooleanField()
    reason = serializers.CharField()
    since = serializers.DateField(allow_null=True)
    page = serializers.CharField(source="url", help_text=_("The page where the work that would change it is."))


class SystemReadinessSerializer(serializers.Serializer):
    system = serializers.IntegerField(source="system_id")
    name = serializers.CharField()
    audit_ready = serializers.BooleanField()
    threshold = serializers.IntegerField(help_text=_("The organisation's control readiness threshold, in %."))
    domains = DomainReadinessSerializer(source="controls.domains", many=True)
    checks = CheckSerializer(many=True, help_text=_("Every gate, then control readiness per domain."))


class OrganisationReadinessSerializer(serializers.Serializer):
    threshold = serializers.IntegerField()
    total = serializers.IntegerField(help_text=_("Systems in service."))
    ready = serializers.SerializerMethodField(help_text=_("How many are audit-ready."))
    systems = SystemReadinessSerializer(many=True)

    def get_ready(self, obj) -> int:
        return len(obj.ready)


# --- Audit packs ------------------------------------------------------------------------------


class AuditPackSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(**USERNAME)
    stage = serializers.CharField(source="get_stage_display", help_text=_("What the job is doing now."))
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField(help_text=_("The zip's URL once `status` is `done`."))

    class Meta:
        model = AuditPack
        fields = [
            "id",
            "ai_system",
            "requested_by",
            "status",
            "stage",
            "percent",
            "message",
            "sha256",
            "size",
            "head_hash",
            "chain_intact",
            "created_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, obj) -> str | None:
        if not obj.is_ready:
            return None
        return reverse("api:audit_pack_download", kwargs={"org_slug": self.context["org_slug"], "pk": obj.pk})


class AuditPackRequestSerializer(serializers.Serializer):
    ai_system = id_field(
        required=False, allow_null=True, help_text=_("Id of one AI system; empty or left out: the whole organisation.")
    )


class PlaybookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Playbook
        fields = ["id", "template_key", "title", "domain", "detection", "technical_steps", "communication_steps"]
        read_only_fields = fields


class PlanSerializer(RecordSerializer):
    playbooks = PlaybookSerializer(many=True, read_only=True)

    class Meta:
        model = IncidentResponsePlan
        fields = [*RECORD_FIELDS, *own_fields(IncidentResponsePlan), "playbooks"]
        read_only_fields = fields


class TabletopSerializer(RecordSerializer):
    participants = serializers.SlugRelatedField(many=True, **USERNAME)

    class Meta:
        model = TabletopExercise
        fields = [*RECORD_FIELDS, *own_fields(TabletopExercise)]
        read_only_fields = fields


class FRIASerializer(RecordSerializer):
    class Meta:
        model = FundamentalRightsAssessment
        fields = [*RECORD_FIELDS, *own_fields(FundamentalRightsAssessment)]
        read_only_fields = fields


# --- The AI-BOM -------------------------------------------------------------------------------


class ComponentSerializer(serializers.ModelSerializer):
    proposed_by = serializers.SlugRelatedField(**USERNAME)
    decided_by = serializers.SlugRelatedField(**USERNAME)
    created_by = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = Component
        fields = [
            "id",
            "ai_system",
            *[name for name in Component.AUDITED_FIELDS if name not in ("retired_by", "version")],
            "decided_at",
            "created_by",
            "created_at",
            "updated_at",
            "retired_at",
            "version",
        ]
        read_only_fields = fields


class BomImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A CycloneDX JSON BOM (1.5 to 1.7), at most 2 MB (multipart/form-data)."))


class BomImportResultSerializer(serializers.Serializer):
    created = ComponentSerializer(many=True, help_text=_("Components the file added."))
    updated = ComponentSerializer(many=True, help_text=_("Components whose stated fields the file changed."))
    unchanged = serializers.IntegerField(help_text=_("Entries that matched a component and changed nothing."))
    skipped = serializers.IntegerField(
        help_text=_("Entries of other types (libraries, files…), not part of the AI-BOM.")
    )
