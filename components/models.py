"""What an AI system is made of: its models, datasets, agent tools, MCP servers and third-party
services (the AI-BOM).

One `Component` table with a `kind`: every kind shares the tab, the owner team, the write path,
the export and the import, and the kind-specific columns are few. Which columns a kind uses is
declared once in `KIND_FIELDS`; the form shows only those and `Component.problems()` checks them,
so a dataset never carries a model-card link and an MCP server always has an endpoint.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from governance.models import AISystem
from governance.models.inventory import Provenance


class Kind(models.TextChoices):
    MODEL = "model", _("Model")
    DATASET = "dataset", _("Dataset")
    TOOL = "tool", _("Tool or action")
    MCP_SERVER = "mcp_server", _("MCP server")
    SERVICE = "service", _("Third-party service")


KIND_PLURALS = {
    Kind.MODEL: _("Models"),
    Kind.DATASET: _("Datasets"),
    Kind.TOOL: _("Tools and actions"),
    Kind.MCP_SERVER: _("MCP servers"),
    Kind.SERVICE: _("Third-party services and vendors"),
}

# Tools and MCP servers act on the world for the agent: a security-owning lead approves them
# before they count as approved (components/workflow.py).
NEEDS_APPROVAL = frozenset({Kind.TOOL, Kind.MCP_SERVER})


class Approval(models.TextChoices):
    NOT_NEEDED = "not_needed", _("No approval needed")
    PROPOSED = "proposed", _("Awaiting security approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DatasetUse(models.TextChoices):
    TRAINING = "training", _("Training")
    FINE_TUNING = "fine_tuning", _("Fine-tuning")
    RETRIEVAL = "retrieval", _("Retrieval")
    EVALUATION = "evaluation", _("Evaluation")


# The kind-specific columns each kind uses (besides name, description, owner team). Required
# ones are checked by `problems()`; a column a kind does not use stays empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.MODEL: ("release", "supplier", "licence", "provenance", "weights_location", "model_card_url"),
    Kind.DATASET: ("supplier", "licence", "personal_data", "dataset_uses"),
    Kind.TOOL: ("supplier", "can_change", "requires_confirmation"),
    Kind.MCP_SERVER: ("release", "supplier", "endpoint", "scopes"),
    Kind.SERVICE: ("supplier", "endpoint", "licence"),
}
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.MODEL: ("supplier",),
    Kind.DATASET: ("supplier", "dataset_uses"),
    Kind.TOOL: ("can_change",),
    Kind.MCP_SERVER: ("supplier", "endpoint"),
    Kind.SERVICE: ("supplier",),
}
# What `supplier` means for each kind (form label and page heading).
SUPPLIER_LABELS = {
    Kind.MODEL: _("provider"),
    Kind.DATASET: _("source"),
    Kind.TOOL: _("provided by"),
    Kind.MCP_SERVER: _("publisher"),
    Kind.SERVICE: _("vendor"),
}
# Changing one of these on an approved tool or MCP server changes what the agent can reach or
# do, so the approval no longer holds: the component goes back to "proposed" (services.py).
MATERIAL_FIELDS = ("name", "supplier", "endpoint", "scopes", "can_change", "requires_confirmation", "release")
KIND_SPECIFIC = sorted({name for names in KIND_FIELDS.values() for name in names})


class ComponentQuerySet(models.QuerySet):
    def for_org(self, org: Organisation):
        return self.filter(organisation=org)

    def active(self):
        return self.filter(retired_at__isnull=True)

    def unapproved(self):
        """Active tools and MCP servers not (or no longer) approved."""
        return self.active().filter(kind__in=NEEDS_APPROVAL).exclude(approval=Approval.APPROVED)


class Component(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ai_system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="components")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    owner_team = models.ForeignKey(
        Team,
        verbose_name=_("owner team"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The team that answers for this component: keeps it up to date and patched."),
    )
    # The component's own version ("2024-08-06", "v3"); `version` is the row's optimistic lock.
    release = models.CharField(_("version"), max_length=100, blank=True)
    supplier = models.CharField(
        _("provider"), max_length=200, blank=True, help_text=_("Who makes or publishes it, or where it comes from.")
    )
    licence = models.CharField(_("licence"), max_length=200, blank=True, help_text=_("An SPDX id where there is one."))
    provenance = models.CharField(_("provenance"), max_length=30, choices=Provenance.choices, blank=True)
    weights_location = models.CharField(
        _("where the weights live"),
        max_length=300,
        blank=True,
        help_text=_("The vendor's cloud, a bucket, a registry: who could copy or change them."),
    )
    model_card_url = models.URLField(_("model card"), max_length=500, blank=True)
    personal_data = models.BooleanField(_("contains personal data"), default=False)
    dataset_uses = models.JSONField(_("used for"), default=list, blank=True)
    can_change = models.TextField(
        _("what it can change"),
        blank=True,
        max_length=2000,
        help_text=_("Records, money, messages, code, infrastructure… what a wrong call could alter."),
    )
    requires_confirmation = models.BooleanField(
        _("a person confirms each call"),
        default=False,
        help_text=_("Tick when the agent must ask a person before each call takes effect."),
    )
    endpoint = models.CharField(_("endpoint"), max_length=500, blank=True)
    scopes = models.TextField(
        _("scopes granted"), blank=True, max_length=2000, help_text=_("One per line: what the server may reach.")
    )
    approval = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.NOT_NEEDED, editable=False
    )
    # Who put it up for approval (on adding, or with the last material change): never its approver.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retirement_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ComponentQuerySet.as_manager()

    EDITABLE_FIELDS = ["name", "description", "owner_team", *KIND_SPECIFIC]
    AUDITED_FIELDS = [
        "kind",
        *EDITABLE_FIELDS,
        "approval",
        "proposed_by",
        "decided_by",
        "decision_note",
        "retired_by",
        "version",
    ]

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [
            # The import matches a BOM's entries to components by kind and name: one active
            # component of a kind per name in a system.
            models.UniqueConstraint(
                "ai_system",
                "kind",
                Lower("name"),
                condition=models.Q(retired_at__isnull=True),
                name="component_unique_active_name",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "approval", "kind"], name="component_org_approval_idx"),
            models.Index(fields=["ai_system", "retired_at"], name="component_system_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("components:component_detail", args=[self.organisation.slug, self.pk])

    @property
    def needs_approval(self) -> bool:
        return self.kind in NEEDS_APPROVAL

    @property
    def is_approved(self) -> bool:
        return self.approval == Approval.APPROVED

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def supplier_label(self):
        return SUPPLIER_LABELS[Kind(self.kind)]

    def dataset_use_labels(self) -> list[str]:
        labels = dict(DatasetUse.choices)
        return [str(labels.get(use, use)) for use in self.dataset_uses]

    def scope_list(self) -> list[str]:
        return [line.strip() for line in self.scopes.splitlines() if line.strip()]

    @classmethod
    def _field_default(cls, name: str):
        field = cls._meta.get_field(name)
        assert isinstance(field, models.Field)
        return field.get_default()

    def problems(self) -> dict[str, str]:
        """Field → what is wrong, for the kind-specific rules (the form and the import share them)."""
        found: dict[str, str] = {}
        if self.kind not in Kind.values:
            return {"kind": str(_("Unknown kind of component."))}
        used = set(KIND_FIELDS[self.kind])
        for name in REQUIRED_FIELDS[self.kind]:
            if not getattr(self, name):
                found[name] = str(_("Required for this kind of component."))
        for name in KIND_SPECIFIC:
            if name not in used and getattr(self, name) != self._field_default(name):
                found[name] = str(_("Not used for this kind of component."))
        uses = self.dataset_uses
        if not isinstance(uses, list) or any(use not in DatasetUse.values for use in uses):
            found["dataset_uses"] = str(_("Choose from training, fine-tuning, retrieval and evaluation."))
        return found
