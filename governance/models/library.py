"""The library: frameworks and their items, controls, threats and example scenarios.

Built-in rows have no organisation and are loaded from `governance/library/builtin/` (format:
docs/library-format.md). An organisation may add its own frameworks and controls; those rows
carry its organisation and are never touched by a built-in release. Nothing is deleted: items a
new release drops are retired (`retired_at`) and stay readable.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.choices import Domain


class Practice(models.TextChoices):
    THREAT_MODELING = "threat_modeling", _("Threat modelling")
    RED_TEAMING = "red_teaming", _("Red teaming and adversarial testing")
    PROMPT_HARDENING = "prompt_hardening", _("Prompt-injection mitigation and output hardening")
    ALIGNMENT_REVIEW = "alignment_review", _("Alignment testing and ethical review")
    GUARDRAILS = "guardrails", _("Guardrail implementation and monitoring")
    INCIDENT_RESPONSE = "incident_response", _("Incident response (technical and reputational)")
    INVENTORY = "inventory", _("Inventory and accountability")
    DATA_GOVERNANCE = "data_governance", _("Data governance")
    ACCESS_CONTROL = "access_control", _("Access control")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    HUMAN_OVERSIGHT = "human_oversight", _("Human oversight")
    FRONTIER_SAFETY = "frontier_safety", _("Frontier safety (CBRNE)")


# The six governance practices every organisation should run (DESIGN.md).
GOVERNANCE_PRACTICES = [
    Practice.THREAT_MODELING,
    Practice.RED_TEAMING,
    Practice.PROMPT_HARDENING,
    Practice.ALIGNMENT_REVIEW,
    Practice.GUARDRAILS,
    Practice.INCIDENT_RESPONSE,
]


class Surface(models.TextChoices):
    INPUT = "input", _("Input / prompt")
    TRAINING_DATA = "training_data", _("Training data")
    MODEL_WEIGHTS = "model_weights", _("Model weights")
    TOOLS = "tools", _("Tools and actions")
    OUTPUT = "output", _("Output")
    MEMORY = "memory", _("Memory / retrieval")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")


class Concern(models.TextChoices):
    PROMPT_INJECTION = "prompt_injection", _("Prompt injection")
    JAILBREAK = "jailbreak", _("Jailbreaking")
    MODEL_THEFT = "model_theft", _("Model theft")
    MODEL_INVERSION = "model_inversion", _("Model inversion")
    AGENT_TOOL_MISUSE = "agent_tool_misuse", _("Misuse of an agent's tools")
    DATA_POISONING = "data_poisoning", _("Training-data poisoning")
    GUARDRAIL_BYPASS = "guardrail_bypass", _("Guardrail bypass (hidden characters, ASCII smuggling, chained prompts)")
    MISALIGNMENT = "misalignment", _("Value misalignment")
    UNSAFE_OR_BIASED_OUTPUT = "unsafe_or_biased_output", _("Unsafe or biased responses")
    REWARD_HACKING = "reward_hacking", _("Reward hacking")
    HALLUCINATION = "hallucination", _("Hallucination")
    AUTOMATED_DECISION_ETHICS = "automated_decision_ethics", _("Ethical failures in automated decisions")
    AUTONOMOUS_AGENT_RISK = "autonomous_agent_risk", _("Long-term risks of autonomous agents")
    CBRNE = "cbrne", _("CBRNE uplift (chemical, biological, radiological, nuclear, explosives)")
    PRIVACY = "privacy", _("Privacy")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    EXCESSIVE_CONSUMPTION = "excessive_consumption", _("Excessive consumption")
    SENSITIVE_DISCLOSURE = "sensitive_disclosure", _("Sensitive information disclosure")
    TRANSPARENCY = "transparency", _("Transparency")


def always() -> str:
    """Default applicability rule (a callable, so Django does not share one default object)."""
    return "always"


class LibraryQuerySet(models.QuerySet):
    """Built-in rows plus the organisation's own: what an organisation's library shows."""

    def for_org(self, org: Organisation):
        return self.filter(Q(organisation__isnull=True) | Q(organisation=org))

    def builtin(self):
        return self.filter(organisation__isnull=True)

    def active(self):
        return self.filter(retired_at__isnull=True)


def _refs(manager) -> list[str]:
    """Framework items as `KEY:ID`, from a prefetch when there is one (an import snapshots many rows)."""
    prefetched = manager.prefetch_cache_name in getattr(manager.instance, "_prefetched_objects_cache", {})
    items = manager.all() if prefetched else manager.select_related("framework")
    return sorted(f"{i.framework.key}:{i.ref}" for i in items)


class Framework(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="frameworks",
        help_text=_("Empty for built-in frameworks."),
    )
    key = models.CharField(_("key"), max_length=80, help_text=_("Carries the edition, e.g. owasp-llm-2025."))
    edition = models.CharField(_("edition"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("source"), max_length=500)
    licence = models.CharField(_("licence"), max_length=80)
    notice = models.TextField(_("attribution"), blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LibraryQuerySet.as_manager()

    AUDITED_FIELDS = ["key", "edition", "name", "url", "licence", "notice", "version"]

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(organisation__isnull=True), name="framework_unique_builtin_key"
            ),
            models.UniqueConstraint(fields=["organisation", "key"], name="framework_unique_org_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None

    def audit_state(self) -> dict:
        """The audited fields, with the items as people read them ("A.1 Title")."""
        state = {name: getattr(self, name) for name in self.AUDITED_FIELDS}
        state["items"] = [f"{i.ref} {i.title}" for i in self.items.all() if i.retired_at is None]
        return state


class FrameworkItem(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    ref = models.CharField(_("id"), max_length=80)
    title = models.TextField(_("title"))
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    position = models.PositiveIntegerField(default=0, help_text=_("Order in the published framework."))
    out_of_scope = models.TextField(
        _("out of scope"),
        blank=True,
        help_text=_("Why no control of an AI-system checklist can address this item; empty when it is in scope."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("A reviewer's remark, e.g. that a newer edition moved the id.")
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="frameworkitem_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Control(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="controls",
        help_text=_("Empty for built-in controls."),
    )
    ref = models.CharField(_("reference"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    objective = models.TextField(_("objective"))
    guidance = models.TextField(_("guidance"), blank=True)
    evidence_hint = models.TextField(_("evidence hint"), blank=True)
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    practice = models.CharField(_("practice"), max_length=30, choices=Practice)
    applies_when = models.JSONField(_("applies when"), default=always)
    review_cadence_days = models.PositiveSmallIntegerField(
        _("review cadence (days)"), default=365, validators=[MinValueValidator(1), MaxValueValidator(1095)]
    )
    concerns = models.JSONField(_("concerns"), default=list, blank=True)
    mappings = models.ManyToManyField(FrameworkItem, related_name="controls", blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LibraryQuerySet.as_manager()

    AUDITED_FIELDS = [
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
        "version",
    ]

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["ref"], condition=Q(organisation__isnull=True), name="control_unique_builtin_ref"
            ),
            models.UniqueConstraint(fields=["organisation", "ref"], name="control_unique_org_ref"),
        ]
        indexes = [models.Index(fields=["domain", "practice"], name="control_domain_practice_idx")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None

    def applicability(self, system):
        """Whether the control applies to `system`, and why (see governance.applicability)."""
        from ..applicability import evaluate

        return evaluate(self.applies_when, system.profile())

    def is_applicable_to(self, system) -> bool:
        return self.applicability(system).applies

    def audit_state(self) -> dict:
        """The audited fields, with the mappings as `KEY:ID` (what people and files call them)."""
        return {**{name: getattr(self, name) for name in self.AUDITED_FIELDS}, "mappings": _refs(self.mappings)}


class Threat(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="threats"
    )
    ref = models.CharField(_("reference"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    surface = models.CharField(_("attack surface"), max_length=20, choices=Surface)
    concerns = models.JSONField(_("concerns"), default=list, blank=True)
    mappings = models.ManyToManyField(FrameworkItem, related_name="threats", blank=True)
    controls = models.ManyToManyField(Control, related_name="threats", blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LibraryQuerySet.as_manager()

    AUDITED_FIELDS = ["ref", "title", "description", "domain", "surface", "concerns"]

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["ref"], condition=Q(organisation__isnull=True), name="threat_unique_builtin_ref"
            ),
            models.UniqueConstraint(fields=["organisation", "ref"], name="threat_unique_org_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def audit_state(self) -> dict:
        state = {name: getattr(self, name) for name in self.AUDITED_FIELDS}
        state["mappings"] = _refs(self.mappings)
        state["controls"] = sorted(c.ref for c in self.controls.all())
        return state


class Scenario(models.Model):
    """An example risk scenario that shows the intent triage (the five overlap cases of DESIGN.md)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="example_scenarios"
    )
    ref = models.CharField(_("reference"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    hostile_intent = models.BooleanField(_("an adversary is deliberately trying to make it misbehave"))
    harm_in_benign_use = models.BooleanField(_("it can cause harm in normal, well-meant use"))
    expected_domain = models.CharField(_("verdict"), max_length=10, choices=Domain.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    threats = models.ManyToManyField(Threat, related_name="scenarios", blank=True)
    controls = models.ManyToManyField(Control, related_name="scenarios", blank=True)
    mappings = models.ManyToManyField(FrameworkItem, related_name="scenarios", blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = LibraryQuerySet.as_manager()

    AUDITED_FIELDS = [
        "ref",
        "title",
        "description",
        "hostile_intent",
        "harm_in_benign_use",
        "expected_domain",
        "rationale",
    ]

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["ref"], condition=Q(organisation__isnull=True), name="scenario_unique_builtin_ref"
            ),
            models.UniqueConstraint(fields=["organisation", "ref"], name="scenario_unique_org_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def audit_state(self) -> dict:
        state = {name: getattr(self, name) for name in self.AUDITED_FIELDS}
        state["mappings"] = _refs(self.mappings)
        state["threats"] = sorted(t.ref for t in self.threats.all())
        state["controls"] = sorted(c.ref for c in self.controls.all())
        return state

    @property
    def triaged_domain(self) -> str | None:
        """The domain the intent triage gives for this scenario's answers."""
        verdict = Domain.from_intent(hostile_intent=self.hostile_intent, harm_in_benign_use=self.harm_in_benign_use)
        return verdict.value if verdict else None
