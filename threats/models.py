"""Threat models of AI systems (practice `threat_modeling`, domain security): a governed record
(records.models) with its threat entries."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Surface, Threat
from records.models import GovernedRecord

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
LEVELS = [(n, str(n)) for n in range(1, 6)]
# A threat rated at least this high (likelihood × impact) with no mitigation is flagged.
FLAG_SCORE = 12


def surfaces_from_profile(system) -> list[str]:
    """The attack surfaces the system's profile exposes, to preselect on a new threat model."""
    found = [Surface.INPUT, Surface.OUTPUT, Surface.SUPPLY_CHAIN]
    if system.trains_on_user_data or system.provenance != "third_party_api":
        found.append(Surface.TRAINING_DATA)
    if system.weights_exposed or system.provenance != "third_party_api":
        found.append(Surface.MODEL_WEIGHTS)
    if system.uses_tools or system.executes_code or system.web_access:
        found.append(Surface.TOOLS)
    if system.memory_retrieval:
        found.append(Surface.MEMORY)
    order = list(Surface.values)
    return sorted({s.value for s in found}, key=order.index)


class ThreatModel(GovernedRecord):
    scope = models.TextField(_("scope"), max_length=8000)
    architecture = models.TextField(_("architecture notes"), max_length=8000, blank=True)
    data_flows = models.TextField(_("data flows"), max_length=8000, blank=True)
    surfaces = models.JSONField(_("attack surfaces"), default=list, blank=True)

    AUDITED_FIELDS = [
        "scope",
        "architecture",
        "data_flows",
        "surfaces",
        *GovernedRecord.RECORD_AUDITED_FIELDS,
        "is_latest",
        "version",
    ]
    COMPARE_FIELDS = ["title", "scope", "architecture", "data_flows"]
    CADENCE_FIELD = "threat_model_cadence_days"

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["ai_system", "is_latest"], name="threatmodel_system_idx")]

    @property
    def surface_labels(self) -> list[str]:
        labels = dict(Surface.choices)
        return [str(labels.get(s, s)) for s in self.surfaces]

    def compare_state(self) -> dict[str, object]:
        state = super().compare_state()
        state[str(_("attack surfaces"))] = self.surface_labels
        state[str(_("threats"))] = [e.summary() for e in self.entries.all()]
        return state

    def copy_children(self, new) -> None:
        for entry in self.entries.prefetch_related("mitigations"):
            mitigations = list(entry.mitigations.all())
            entry.pk, entry.threat_model, entry.version = None, new, 1
            entry.save()
            entry.mitigations.set(mitigations)


class ThreatEntry(models.Model):
    """One threat of a threat model: a library threat or a custom one, rated and mitigated."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    threat_model = models.ForeignKey(ThreatModel, on_delete=models.CASCADE, related_name="entries")
    threat = models.ForeignKey(
        Threat, verbose_name=_("library threat"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("custom threat"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    surface = models.CharField(_("attack surface"), max_length=20, choices=Surface.choices)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=LEVELS, validators=SCALE, default=3)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS, validators=SCALE, default=3)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), choices=LEVELS, validators=SCALE, default=3
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"), choices=LEVELS, validators=SCALE, default=3
    )
    mitigations = models.ManyToManyField(
        "assessments.ControlAssignment", verbose_name=_("mitigating controls"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = [
        "threat",
        "title",
        "description",
        "surface",
        "likelihood",
        "impact",
        "residual_likelihood",
        "residual_impact",
        "mitigations",
        "version",
    ]

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.threat.ref} {self.threat.title}" if self.threat_id else self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    def is_flagged(self) -> bool:
        """High rating and nothing mitigating it (mitigations prefetched)."""
        return self.score >= FLAG_SCORE and not list(self.mitigations.all())

    def summary(self) -> str:
        refs = ", ".join(sorted(m.control.ref for m in self.mitigations.all())) or "—"
        return (
            f"{self.name}: {self.likelihood}×{self.impact} → {self.residual_likelihood}×{self.residual_impact}; {refs}"
        )
