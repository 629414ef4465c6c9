"""What the API reads and writes. Serializers describe and type-check; they never save.

Writes are validated a second time by the very form the UI uses (governance and assessments
forms) and saved through the same services, so the API cannot accept what a page would refuse.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Team
from assessments.models import Assessment, ControlAssignment, Evidence
from assessments.workflow import ASSIGNMENT
from audit.models import AuditEvent
from core.forms_hidden import CHOICES as HIDDEN_CHOICES
from governance.models import AISystem, Control, Framework, Threat

SYSTEM_FIELDS = AISystem.EDITABLE_FIELDS


class HiddenCharactersField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[c for c, _label in HIDDEN_CHOICES],
            required=False,
            help_text=_(
                "When a text holds hidden or look-alike characters the request is refused (400) until it says "
                "what to do with them: `strip` removes them, `keep` saves the text as sent. The choice is audited."
            ),
            **kwargs,
        )


# --- AI systems -----------------------------------------------------------------------------


class AISystemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AISystem
        fields = ["id", *SYSTEM_FIELDS, "created_at", "updated_at", "retired_at", "version"]
        read_only_fields = fields


class AISystemWriteSerializer(serializers.ModelSerializer):
    """A system's profile. Creating needs the required fields; PATCH sends only what changes, with
    `version`, the version it was read at."""

    owner_team = serializers.IntegerField(min_value=1, help_text=_("Id of a team of the organisation."))
    version = serializers.IntegerField(
        min_value=1, required=False, help_text=_("Required for PATCH: the version you read.")
    )
    hidden_characters = HiddenCharactersField()

    class Meta:
        model = AISystem
        fields = [*SYSTEM_FIELDS, "version", "hidden_characters"]
        validators: list = []  # uniqueness and the profile rules are the UI form's (AISystemForm)


# --- Teams and library ----------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    lead = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "discipline", "description", "lead", "members", "version"]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer):
    builtin = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ["id", "key", "edition", "name", "url", "licence", "notice", "builtin", "retired_at", "version"]
        read_only_fields = fields

    def get_builtin(self, obj) -> bool:
        return obj.organisation_id is None


def _mapping_refs(obj) -> list[str]:
    return sorted(f"{item.framework.key}:{item.ref}" for item in obj.mappings.all())


class ControlSerializer(serializers.ModelSerializer):
    builtin = serializers.SerializerMethodField()
    mappings = serializers.SerializerMethodField(help_text=_("Framework items as `framework-key:item-id`."))

    class Meta:
        model = Control
        fields = [
            "id",
            "ref",
            "title",
            "objective",
            "guidance",
            "evidence_hint",
            "domain",
            "practice",
            "applies_when",
            "review_cadence_days",
            "concerns",
            "mappings",
            "builtin",
            "retired_at",
            "version",
        ]
        read_only_fields = fields

    def get_builtin(self, obj) -> bool:
        return obj.organisation_id is None

    def get_mappings(self, obj) -> list[str]:
        return _mapping_refs(obj)


class ThreatSerializer(serializers.ModelSerializer):
    builtin = serializers.SerializerMethodField()
    mappings = serializers.SerializerMethodField(help_text=_("Framework items as `framework-key:item-id`."))
    controls = serializers.SlugRelatedField(slug_field="ref", many=True, read_only=True)

    class Meta:
        model = Threat
        fields = [
            "id",
            "ref",
            "title",
            "description",
            "domain",
            "surface",
            "concerns",
            "mappings",
            "controls",
            "builtin",
            "retired_at",
        ]
        read_only_fields = fields

    def get_builtin(self, obj) -> bool:
        return obj.organisation_id is None

    def get_mappings(self, obj) -> list[str]:
        return _mapping_refs(obj)


# --- Assessments and assignments ------------------------------------------------------------

USERNAME = {"slug_field": "username", "read_only": True, "allow_null": True}


class AssessmentSerializer(serializers.ModelSerializer):
    started_by = serializers.SlugRelatedField(**USERNAME)
    submitted_by = serializers.SlugRelatedField(**USERNAME)
    approved_by = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "ai_system",
            "status",
            "due_date",
            "started_by",
            "created_at",
            "plan_confirmed_at",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "version",
        ]
        read_only_fields = fields


class AssessmentStartSerializer(serializers.Serializer):
    due_date = serializers.DateField(help_text=_("When the controls should be in place; today or later."))


class AssignmentSerializer(serializers.ModelSerializer):
    control = serializers.SlugRelatedField(slug_field="ref", read_only=True)
    control_title = serializers.CharField(source="control.title", read_only=True)
    assignee = serializers.SlugRelatedField(**USERNAME)
    implemented_by = serializers.SlugRelatedField(**USERNAME)
    verified_by = serializers.SlugRelatedField(**USERNAME)
    cosigned_by = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = ControlAssignment
        fields = [
            "id",
            "ai_system",
            "control",
            "control_title",
            "assessment",
            "owner_team",
            "cosigning_team",
            "assignee",
            "status",
            "due_date",
            "implemented_by",
            "implemented_at",
            "verified_by",
            "verified_at",
            "cosigned_by",
            "cosigned_at",
            "justification",
            "retired_at",
            "version",
        ]
        read_only_fields = fields


def step_serializer(workflow, name: str, help_text) -> type[serializers.Serializer]:
    """The body of a lifecycle step on one kind of row: the step (its choices are the workflow's
    table), the version read, a comment. One class per workflow, named for the schema."""
    fields = {
        "action": serializers.ChoiceField(
            choices=[(t.name, t.label) for t in workflow.transitions], help_text=help_text
        ),
        "version": serializers.IntegerField(
            min_value=1, help_text=_("The version you read; a stale one changes nothing and answers 409.")
        ),
        "text": serializers.CharField(
            required=False, allow_blank=True, max_length=4000, help_text=_("Justification or comment.")
        ),
        "hidden_characters": HiddenCharactersField(),
    }
    return type(name, (serializers.Serializer,), fields)


# The steps of each table as (name, label), named for the schema (settings.SPECTACULAR_SETTINGS):
# the governed records share one table's steps, alignment reviews add theirs, assignments have
# their own.
def assignment_steps() -> list[tuple[str, str]]:
    return [(t.name, str(t.label)) for t in ASSIGNMENT.transitions]


def record_steps() -> list[tuple[str, str]]:
    from risks.workflow import RISK

    return [(t.name, str(t.label)) for t in RISK.transitions]


def review_steps() -> list[tuple[str, str]]:
    from alignment.workflow import REVIEW

    return [(t.name, str(t.label)) for t in REVIEW.transitions]


AssignmentActionSerializer = step_serializer(
    ASSIGNMENT,
    "AssignmentActionSerializer",
    _("The lifecycle step, as on the assignment page; who may take which is the same."),
)


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(**USERNAME)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "assignment",
            "kind",
            "original_filename",
            "content_type",
            "size",
            "sha256",
            "link",
            "note",
            "valid_until",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class ImplementResultSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=_("Whether the control was marked implemented."))
    status = serializers.CharField(help_text=_("The assignment's status now."))
    reason = serializers.CharField(help_text=_("Why it was not moved (empty when it was)."))


class ControlEvidenceSerializer(EvidenceSerializer):
    """The evidence added by CI, and, when asked for, the outcome of marking the control implemented."""

    implement = ImplementResultSerializer(required=False, read_only=True)

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "implement"]
        read_only_fields = fields


class EvidenceAddSerializer(serializers.Serializer):
    """Exactly one of `file` (multipart/form-data), `link` or `note`."""

    file = serializers.FileField(required=False, help_text=_("PDF, PNG, JPEG, text, CSV, Markdown, JSON, XLSX, DOCX."))
    link = serializers.CharField(required=False, allow_blank=True, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    valid_until = serializers.DateField(required=False, allow_null=True)
    hidden_characters = HiddenCharactersField()


# --- Audit trail ----------------------------------------------------------------------------


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "created_at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "channel",
            "via_token",
            "hash",
        ]
        read_only_fields = fields


class ControlEvidenceAddSerializer(EvidenceAddSerializer):
    implement = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Then mark the control implemented, if your role and the assignment's state allow it."),
    )
