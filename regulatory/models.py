"""Regulatory documents written from live records.

- `FundamentalRightsAssessment`: the deployer's fundamental-rights impact assessment (EU AI Act
  Art. 27), a governed record (records.models.GovernedRecord): draft, review by another lead,
  approval, versions.
- `TechnicalFile`: what a provider writes for the Annex IV technical documentation that no other
  Bastion record holds (instructions for use, hardware, standards, declaration of conformity…).
  The rest of the draft is read live from the profile, components, controls and records.
- `SoADecision`: an organisation's decision on one framework item of its Statement of
  Applicability: included or excluded, and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from governance.models import AISystem, FrameworkItem
from records.models import GovernedRecord


class FundamentalRightsAssessment(GovernedRecord):
    """Art. 27: before a deployer puts a high-risk system into use, it describes how it uses it,
    who is affected, what could harm them, and what it does about it."""

    deployer_processes = models.TextField(
        _("how we use the system"),
        max_length=8000,
        help_text=_("The processes of ours the system is used in, in line with its intended purpose."),
    )
    period_and_frequency = models.TextField(
        _("period and frequency of use"),
        max_length=4000,
        help_text=_("From when, for how long and how often the system is used."),
    )
    affected_groups = models.TextField(
        _("people affected"),
        max_length=8000,
        help_text=_("The categories of people and groups likely to be affected in this use."),
    )
    risks_of_harm = models.TextField(
        _("specific risks of harm"),
        max_length=8000,
        help_text=_("The risks of harm to those people, with what the provider told us about them."),
    )
    oversight_measures = models.TextField(
        _("human oversight"),
        max_length=8000,
        help_text=_("Who oversees the system and how, following the instructions for use."),
    )
    mitigation_measures = models.TextField(
        _("if the risks materialise"),
        max_length=8000,
        help_text=_("What we do when a risk materialises: internal governance, escalation, remedies."),
    )
    complaint_handling = models.TextField(
        _("complaints"),
        max_length=4000,
        help_text=_("How affected people complain, and how we handle and answer complaints."),
    )

    TEXT_FIELDS = [
        "deployer_processes",
        "period_and_frequency",
        "affected_groups",
        "risks_of_harm",
        "oversight_measures",
        "mitigation_measures",
        "complaint_handling",
    ]
    AUDITED_FIELDS = [*TEXT_FIELDS, *GovernedRecord.RECORD_AUDITED_FIELDS, "is_latest", "version"]
    COMPARE_FIELDS = ["title", *TEXT_FIELDS]

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("fundamental-rights impact assessment")
        indexes = [models.Index(fields=["ai_system", "is_latest"], name="fria_system_idx")]


class TechnicalFile(models.Model):
    """The provider's own statements for the Annex IV draft of one system. Every field is
    optional: an empty one is listed as missing information in the draft."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ai_system = models.OneToOneField(AISystem, on_delete=models.PROTECT, related_name="+")
    instructions_for_use = models.TextField(
        _("instructions for use"),
        max_length=8000,
        blank=True,
        help_text=_("Where deployers find the instructions for use, and what they cover (Annex IV point 1)."),
    )
    hardware_and_deployment = models.TextField(
        _("hardware, software and how it is supplied"),
        max_length=8000,
        blank=True,
        help_text=_(
            "What it runs on, the software versions and updates it needs, the form it is made available in "
            "(Annex IV point 1)."
        ),
    )
    design_choices = models.TextField(
        _("design choices and architecture"),
        max_length=8000,
        blank=True,
        help_text=_("The main design decisions, their reasons and trade-offs, and the architecture (point 2)."),
    )
    performance_metrics = models.TextField(
        _("performance metrics and why they fit"),
        max_length=8000,
        blank=True,
        help_text=_("The accuracy and robustness measures used, their target levels, why they suit (point 4)."),
    )
    standards_applied = models.TextField(
        _("standards and specifications applied"),
        max_length=4000,
        blank=True,
        help_text=_("Harmonised standards or other specifications followed, in full or in part (point 7)."),
    )
    declaration_of_conformity = models.TextField(
        _("EU declaration of conformity"),
        max_length=4000,
        blank=True,
        help_text=_("Reference or link to the signed declaration of conformity (point 8)."),
    )
    post_market_plan = models.TextField(
        _("post-market monitoring plan"),
        max_length=8000,
        blank=True,
        help_text=_("How performance is followed once the system is in use, and the plan for it (point 9)."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    TEXT_FIELDS = [
        "instructions_for_use",
        "hardware_and_deployment",
        "design_choices",
        "performance_metrics",
        "standards_applied",
        "declaration_of_conformity",
        "post_market_plan",
    ]
    AUDITED_FIELDS = [*TEXT_FIELDS, "version"]

    class Meta:
        verbose_name = _("technical file")

    def __str__(self) -> str:
        return f"Technical file of {self.ai_system}"


class Applicability(models.TextChoices):
    INCLUDED = "included", _("Included")
    EXCLUDED = "excluded", _("Excluded")


class SoADecision(models.Model):
    """Whether a framework item is part of the organisation's management system, and why."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    applicability = models.CharField(_("applicability"), max_length=10, choices=Applicability.choices)
    justification = models.TextField(
        _("justification"),
        max_length=4000,
        blank=True,
        help_text=_("Why the item is included or excluded. Required when excluded."),
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = ["item", "applicability", "justification", "decided_by", "version"]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "item"], name="soa_one_decision_per_item")]

    def __str__(self) -> str:
        return f"{self.item.ref}: {self.get_applicability_display()}"
