"""The AI-system inventory. A system's profile decides which library controls apply to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SystemType(models.TextChoices):
    CHAT_ASSISTANT = "chat_assistant", _("Chat assistant")
    AGENT = "agent", _("Agent with tools")
    PREDICTIVE = "predictive", _("Predictive model")
    RECOMMENDER = "recommender", _("Recommender")
    RL_AGENT = "rl_agent", _("Reinforcement-learning agent")
    FOUNDATION_MODEL = "foundation_model", _("General-purpose / foundation model")


class Provenance(models.TextChoices):
    THIRD_PARTY_API = "third_party_api", _("Third-party API")
    FINE_TUNED_OPEN_WEIGHTS = "fine_tuned_open_weights", _("Fine-tuned open weights")
    IN_HOUSE = "in_house", _("Trained in house")


class Exposure(models.TextChoices):
    INTERNAL = "internal", _("Internal (staff only)")
    CUSTOMER_FACING = "customer_facing", _("Customer-facing (signed-in customers)")
    PUBLIC = "public", _("Public (anyone)")


class Autonomy(models.TextChoices):
    NONE = "none", _("None: only answers or predicts")
    HUMAN_IN_LOOP = "human_in_loop", _("Human in the loop: a person approves each action")
    HUMAN_ON_LOOP = "human_on_loop", _("Human on the loop: acts alone, a person watches and can stop it")
    AUTONOMOUS = "autonomous", _("Autonomous: acts alone without routine oversight")


class LifecycleStage(models.TextChoices):
    DESIGN = "design", _("Design")
    DEVELOPMENT = "development", _("Development")
    VALIDATION = "validation", _("Validation")
    PRODUCTION = "production", _("Production")


class EUAIActTier(models.TextChoices):
    UNASSESSED = "unassessed", _("Not yet classified")
    PROHIBITED = "prohibited", _("Prohibited practice (Art. 5)")
    HIGH = "high", _("High risk (Art. 6, Annex III)")
    LIMITED = "limited", _("Transparency obligations (Art. 50)")
    MINIMAL = "minimal", _("Minimal risk")
    GPAI = "gpai", _("General-purpose AI model (Art. 53)")
    GPAI_SYSTEMIC = "gpai_systemic", _("General-purpose AI model with systemic risk (Art. 55)")


class OperatorRole(models.TextChoices):
    PROVIDER = "provider", _("Provider (we build it and place it on the market)")
    DEPLOYER = "deployer", _("Deployer (we use a system others built)")
    PROVIDER_DEPLOYER = "provider_deployer", _("Provider and deployer (we build it and use it)")
    IMPORTER = "importer", _("Importer")
    DISTRIBUTOR = "distributor", _("Distributor")


# The capability flags, in the order forms and pages show them, with a plain-language label and
# the reason we ask. Library applicability rules refer to these names (docs/library-format.md).
CAPABILITY_FLAGS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    "generates_text": (
        _("Generates free text"),
        _("Generated text can be wrong, unsafe or manipulated; output controls apply."),
    ),
    "uses_tools": (
        _("Uses tools or takes actions"),
        _("Tick if it can send messages, spend money, call APIs or change records."),
    ),
    "executes_code": (_("Executes code"), _("Running generated code needs sandboxing controls.")),
    "web_access": (_("Browses or fetches from the web"), _("Web content can carry hidden instructions.")),
    "memory_retrieval": (
        _("Has memory or retrieves documents"),
        _("Memory across conversations or search over documents (RAG) can be poisoned or leak data."),
    ),
    "multi_agent": (
        _("Works with other agents"),
        _("Several cooperating agents can pass errors and attacks between them."),
    ),
    "reads_untrusted_content": (
        _("Reads untrusted content"),
        _("E-mail, web pages or uploaded files that outsiders can write: the route for indirect prompt injection."),
    ),
    "processes_personal_data": (_("Processes personal data"), _("Privacy and data-protection controls apply.")),
    "decides_about_people": (
        _("Decides or strongly influences decisions about people"),
        _("Hiring, credit, housing, education, health or policing: fairness and oversight controls apply."),
    ),
    "vulnerable_users": (
        _("May be used by minors or vulnerable people"),
        _("Unsafe advice (for example about self-harm) does more damage to vulnerable users."),
    ),
    "serves_eu": (_("Used in the EU"), _("The EU AI Act applies to systems used in the EU.")),
    "trains_on_user_data": (
        _("Trained or fine-tuned on user or customer data"),
        _("Data others can influence can poison the model."),
    ),
    "uses_reinforcement_learning": (
        _("Learns from a reward signal"),
        _("Reinforcement learning can find ways to score well without doing the intended task."),
    ),
    "exposes_scores": (
        _("Exposes scores or probabilities"),
        _("Confidence scores help attackers copy the model or infer its training data."),
    ),
    "weights_exposed": (
        _("Weights reachable by others"),
        _("Weights on devices, at partners or released openly can be stolen or studied."),
    ),
    "dual_use_capability": (
        _("Dual-use scientific or frontier capability"),
        _("Knowledge of or tools for chemistry, biology, nuclear or explosives: CBRNE frontier-safety controls apply."),
    ),
}

# The profile fields applicability rules can test, with their choices.
PROFILE_FIELDS: dict[str, type[models.TextChoices]] = {
    "system_type": SystemType,
    "provenance": Provenance,
    "exposure": Exposure,
    "autonomy": Autonomy,
    "lifecycle_stage": LifecycleStage,
    "eu_ai_act_tier": EUAIActTier,
    "operator_role": OperatorRole,
}


class AISystemQuerySet(models.QuerySet):
    def for_org(self, org: Organisation) -> AISystemQuerySet:
        return self.filter(organisation=org)

    def active(self) -> AISystemQuerySet:
        return self.filter(retired_at__isnull=True)


class AISystem(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ai_systems")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("what it does"), help_text=_("One or two sentences a newcomer understands: what it is for and who uses it.")
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name=_("owner team"),
        on_delete=models.PROTECT,
        related_name="owned_systems",
        help_text=_("The business team accountable for the system."),
    )
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=20, choices=LifecycleStage)
    system_type = models.CharField(_("system type"), max_length=20, choices=SystemType)
    provenance = models.CharField(
        _("model provenance"),
        max_length=30,
        choices=Provenance,
        help_text=_("Where the model comes from decides who can fix it and which supply-chain risks apply."),
    )
    model_details = models.CharField(
        _("model and vendor"),
        max_length=200,
        blank=True,
        help_text=_("For example “GPT-4o through Azure OpenAI” or “Llama 3 70B, fine-tuned in house”."),
    )
    exposure = models.CharField(
        _("exposure"),
        max_length=20,
        choices=Exposure,
        help_text=_("Who can send it input. The wider the audience, the more likely someone attacks it."),
    )
    autonomy = models.CharField(
        _("autonomy"),
        max_length=20,
        choices=Autonomy,
        help_text=_("How much it does on its own before a person checks."),
    )
    generates_text = models.BooleanField(CAPABILITY_FLAGS["generates_text"][0], default=False)
    uses_tools = models.BooleanField(CAPABILITY_FLAGS["uses_tools"][0], default=False)
    executes_code = models.BooleanField(CAPABILITY_FLAGS["executes_code"][0], default=False)
    web_access = models.BooleanField(CAPABILITY_FLAGS["web_access"][0], default=False)
    memory_retrieval = models.BooleanField(CAPABILITY_FLAGS["memory_retrieval"][0], default=False)
    multi_agent = models.BooleanField(CAPABILITY_FLAGS["multi_agent"][0], default=False)
    reads_untrusted_content = models.BooleanField(CAPABILITY_FLAGS["reads_untrusted_content"][0], default=False)
    processes_personal_data = models.BooleanField(CAPABILITY_FLAGS["processes_personal_data"][0], default=False)
    decides_about_people = models.BooleanField(CAPABILITY_FLAGS["decides_about_people"][0], default=False)
    vulnerable_users = models.BooleanField(CAPABILITY_FLAGS["vulnerable_users"][0], default=False)
    serves_eu = models.BooleanField(CAPABILITY_FLAGS["serves_eu"][0], default=False)
    trains_on_user_data = models.BooleanField(CAPABILITY_FLAGS["trains_on_user_data"][0], default=False)
    uses_reinforcement_learning = models.BooleanField(CAPABILITY_FLAGS["uses_reinforcement_learning"][0], default=False)
    exposes_scores = models.BooleanField(CAPABILITY_FLAGS["exposes_scores"][0], default=False)
    weights_exposed = models.BooleanField(CAPABILITY_FLAGS["weights_exposed"][0], default=False)
    dual_use_capability = models.BooleanField(CAPABILITY_FLAGS["dual_use_capability"][0], default=False)
    eu_ai_act_tier = models.CharField(
        _("EU AI Act tier"),
        max_length=20,
        choices=EUAIActTier,
        default=EUAIActTier.UNASSESSED,
        help_text=_(
            "The EU AI Act's risk class. Hiring, credit and similar decisions about people are usually high risk."
        ),
    )
    operator_role = models.CharField(
        _("our role under the EU AI Act"),
        max_length=20,
        choices=OperatorRole,
        default=OperatorRole.DEPLOYER,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retirement_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AISystemQuerySet.as_manager()

    # What people edit (the form, the API): the profile and who owns it.
    EDITABLE_FIELDS = [
        "name",
        "description",
        "owner_team",
        "lifecycle_stage",
        "system_type",
        "provenance",
        "model_details",
        "exposure",
        "autonomy",
        *CAPABILITY_FLAGS,
        "eu_ai_act_tier",
        "operator_role",
    ]
    # Fields recorded in the audit trail on create and update.
    AUDITED_FIELDS = [*EDITABLE_FIELDS, "version"]

    class Meta:
        ordering = ["name"]
        verbose_name = _("AI system")
        constraints = [
            models.UniqueConstraint(Lower("name"), "organisation", name="aisystem_unique_name_per_org"),
        ]
        indexes = [models.Index(fields=["organisation", "retired_at", "name"], name="aisystem_list_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:system_detail", args=[self.organisation.slug, self.pk])

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def profile(self) -> dict[str, object]:
        """The values applicability rules read: the profile fields and the capability flags."""
        return {name: getattr(self, name) for name in [*PROFILE_FIELDS, *CAPABILITY_FLAGS]}

    def enabled_flags(self) -> list[tuple[str, StrOrPromise]]:
        return [(name, label) for name, (label, _why) in CAPABILITY_FLAGS.items() if getattr(self, name)]
