"""Threat models of AI systems (practice `threat_modeling`, domain security): a governed record
(records.models) with its threat entries."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import Domain
from governance.models import AISystem, Control, FrameworkItem, Surface, Threat
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


def surface_labels(values) -> list[str]:
    labels = dict(Surface.choices)
    return [str(labels.get(s, s)) for s in values]


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
    surface_labels = property(lambda self: surface_labels(self.surfaces))

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["ai_system", "is_latest"], name="threatmodel_system_idx")]

    def compare_state(self) -> dict[str, object]:
        state = super().compare_state()
        state[str(_("attack surfaces"))] = surface_labels(self.surfaces)
        state[str(_("threats"))] = [e.summary() for e in self.entries.all()]
        return state

    def copy_children(self, new) -> list:
        copies = []
        for entry in self.entries.prefetch_related("mitigations"):
            mitigations = list(entry.mitigations.all())
            entry.pk, entry.threat_model, entry.version = None, new, 1
            entry._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # else set() compares with the old links
            entry.save()
            entry.mitigations.set(mitigations)
            copies.append(entry)
        return copies


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
        threat = self.threat
        return f"{threat.ref} {threat.title}" if threat is not None else self.title

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


# --- Red-team exercises -------------------------------------------------------------------------


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATED = "mitigated", _("Mitigated")
    ACCEPTED = "accepted", _("Accepted")
    FALSE_POSITIVE = "false_positive", _("False positive")


class Scanner(models.TextChoices):
    """Where a finding came from when a scanner's result file was imported (threats/scanners.py)."""

    NONE = "", _("Recorded by hand or from CSV")
    GARAK = "garak", _("garak")
    PROMPTFOO = "promptfoo", _("promptfoo")


class RetestResult(models.TextChoices):
    NOT_RUN = "", _("Not run")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


BLOCKING = (Severity.HIGH, Severity.CRITICAL)
EXPOSED = ("customer_facing", "public")


class RedTeamExercise(GovernedRecord):
    """An adversarial test of a system (practice `red_teaming`, security and safety)."""

    objectives = models.TextField(_("objectives"), max_length=8000)
    scope = models.TextField(_("scope"), max_length=8000, blank=True)
    surfaces = models.JSONField(_("in-scope surfaces"), default=list, blank=True)
    also_in_scope = models.ManyToManyField(
        AISystem, verbose_name=_("other systems in scope"), blank=True, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("red team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="+"
    )
    threats_tried = models.ManyToManyField(
        Threat, verbose_name=_("library threats tried"), blank=True, related_name="+"
    )
    techniques = models.ManyToManyField(
        FrameworkItem,
        verbose_name=_("framework techniques tried"),
        blank=True,
        related_name="+",
        help_text=_("ATLAS techniques, OWASP LLM / Agentic entries."),
    )

    AUDITED_FIELDS = [
        "objectives",
        "scope",
        "surfaces",
        "also_in_scope",
        "starts_on",
        "ends_on",
        "team",
        "participants",
        "threats_tried",
        "techniques",
        *GovernedRecord.RECORD_AUDITED_FIELDS,
        "is_latest",
        "version",
    ]
    COMPARE_FIELDS = ["title", "objectives", "scope", "starts_on", "ends_on", "team", "threats_tried", "techniques"]
    CADENCE_FIELD = "red_team_cadence_days"
    surface_labels = property(lambda self: surface_labels(self.surfaces))

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["ai_system", "is_latest"], name="redteam_system_idx")]

    def cadence_days(self) -> int:
        """Systems exposed to customers or the public are tested twice as often (90 days with the
        default 180)."""
        days = self.organisation.red_team_cadence_days
        return max(7, days // 2) if self.ai_system.exposure in EXPOSED else days

    def editing_team_ids(self) -> set[int]:
        """The system's owner team and the red team that ran the exercise."""
        return {t for t in (self.ai_system.owner_team_id, self.team_id) if t}

    def review_due_from(self, when):
        """The next exercise is due a cadence after this one ended (not after its approval)."""
        import datetime as dt

        return self.ends_on + dt.timedelta(days=self.cadence_days())

    def compare_state(self) -> dict[str, object]:
        state = super().compare_state()
        state[str(_("in-scope surfaces"))] = surface_labels(self.surfaces)
        state[str(_("findings"))] = [f.summary() for f in self.findings.all()]
        return state

    def copy_children(self, new) -> list:
        copies = []
        for finding in self.findings.prefetch_related("framework_items"):
            items = list(finding.framework_items.all())
            finding.pk, finding.exercise, finding.version = None, new, 1
            finding._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # else set() compares with the old links
            finding.save()
            finding.framework_items.set(items)
            copies.append(finding)
        return copies


class RedTeamFinding(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(RedTeamExercise, on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    hostile_intent = models.BooleanField(_("an adversary is deliberately trying to make it misbehave"), default=True)
    harm_in_benign_use = models.BooleanField(_("it can cause harm in normal, well-meant use"), default=False)
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    reproduction = models.TextField(_("reproduction steps"), max_length=8000, blank=True)
    prompt = models.TextField(
        _("prompt or input used"),
        max_length=20000,
        blank=True,
        help_text=_("Stored exactly as given; shown escaped, with invisible characters made visible."),
    )
    output = models.TextField(
        _("output or response"),
        max_length=20000,
        blank=True,
        help_text=_("What the system answered; stored exactly, shown escaped with invisible characters made visible."),
    )
    threat = models.ForeignKey(
        Threat, verbose_name=_("linked threat"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    framework_items = models.ManyToManyField(
        FrameworkItem,
        verbose_name=_("OWASP LLM and ATLAS entries"),
        blank=True,
        related_name="+",
        help_text=_("Set by a scanner import from threats/scanner_map.yaml."),
    )
    scanner = models.CharField(_("scanner"), max_length=10, choices=Scanner.choices, blank=True)
    scanner_check = models.CharField(
        _("probe or plugin"), max_length=200, blank=True, help_text=_("The scanner's name for what failed.")
    )
    # The scanner's check had no entry in the mapping table: kept, and flagged for a person to link.
    unmapped = models.BooleanField(_("not in the mapping table"), default=False)
    # sha256 of what identifies the result (scanner, check, prompt, output): importing it again adds nothing.
    natural_key = models.CharField(max_length=64, blank=True, editable=False)
    control = models.ForeignKey(
        Control, verbose_name=_("linked control"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    retest_on = models.DateField(_("retest date"), null=True, blank=True)
    retest_result = models.CharField(_("retest result"), max_length=10, choices=RetestResult.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = [
        "title",
        "severity",
        "hostile_intent",
        "harm_in_benign_use",
        "domain",
        "reproduction",
        "prompt",
        "output",
        "threat",
        "framework_items",
        "scanner",
        "scanner_check",
        "unmapped",
        "natural_key",
        "control",
        "status",
        "retest_on",
        "retest_result",
        "version",
    ]

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["exercise", "status", "severity"], name="finding_open_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "natural_key"],
                condition=~models.Q(natural_key=""),
                name="finding_natural_key_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_blocking(self) -> bool:
        """Open and high or critical: shown on the system page (readiness will block on it)."""
        return self.status == FindingStatus.OPEN and self.severity in BLOCKING

    def summary(self) -> str:
        return f"{self.title} ({self.get_severity_display()}, {self.get_status_display()})"
