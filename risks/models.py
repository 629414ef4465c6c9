"""Risk scenarios: the risk register of each AI system, a governed record (records.models)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.choices import Domain
from governance.models import Control, Scenario
from records.models import GovernedRecord, GovernedRecordQuerySet

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
LEVELS = [(n, str(n)) for n in range(1, 6)]


class Treatment(models.TextChoices):
    MITIGATE = "mitigate", _("Mitigate")
    ACCEPT = "accept", _("Accept")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")


class Acceptance(models.TextChoices):
    NONE = "none", _("Not accepted")
    PENDING = "pending", _("Awaiting the second lead")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Acceptance expired")


def band(score: int) -> str:
    """Score bands of the heat map: low 1–4, medium 5–9, high 10–16, critical 20–25."""
    if score >= 20:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


BANDS = {"low": (1, 4), "medium": (5, 9), "high": (10, 16), "critical": (20, 25)}


class RiskQuerySet(GovernedRecordQuerySet):
    def alias_score(self):
        return self.alias(score=models.F("residual_likelihood") * models.F("residual_impact"))


class RiskScenario(GovernedRecord):
    description = models.TextField(_("scenario"), max_length=4000)
    hostile_intent = models.BooleanField(_("an adversary is deliberately trying to make it misbehave"), default=False)
    harm_in_benign_use = models.BooleanField(_("it can cause harm in normal, well-meant use"), default=False)
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("library example"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"), choices=LEVELS, validators=SCALE)
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"), choices=LEVELS, validators=SCALE)
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), choices=LEVELS, validators=SCALE)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), choices=LEVELS, validators=SCALE)
    treatment = models.CharField(_("treatment"), max_length=10, choices=Treatment.choices, default=Treatment.MITIGATE)
    controls = models.ManyToManyField(Control, verbose_name=_("linked controls"), blank=True, related_name="+")
    owner_team = models.ForeignKey(Team, verbose_name=_("owner team"), on_delete=models.PROTECT, related_name="+")
    cosigning_team = models.ForeignKey(
        Team, verbose_name=_("co-signing team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acceptance = models.CharField(_("acceptance"), max_length=10, choices=Acceptance.choices, default=Acceptance.NONE)
    acceptance_rationale = models.TextField(_("why the risk is accepted"), blank=True)
    acceptance_until = models.DateField(_("accepted until"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_sides = models.CharField(max_length=20, blank=True, editable=False)
    acceptance_cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acceptance_cosigned_at = models.DateTimeField(null=True, blank=True)

    objects = RiskQuerySet.as_manager()  # type: ignore[misc]  # a narrower queryset of the base's

    AUDITED_FIELDS = [
        "description",
        "hostile_intent",
        "harm_in_benign_use",
        "domain",
        "scenario",
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
        "treatment",
        "controls",
        "owner_team",
        "cosigning_team",
        "acceptance",
        "acceptance_rationale",
        "acceptance_until",
        "accepted_by",
        "acceptance_cosigned_by",
        *GovernedRecord.RECORD_AUDITED_FIELDS,
        "is_latest",
        "version",
    ]
    COMPARE_FIELDS = [
        "title",
        "description",
        "domain",
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
        "treatment",
        "controls",
        "owner_team",
        "cosigning_team",
    ]
    COPY_EXCLUDE = GovernedRecord.COPY_EXCLUDE | {
        "acceptance",
        "acceptance_rationale",
        "acceptance_until",
        "accepted_by",
        "accepted_at",
        "accepted_sides",
        "acceptance_cosigned_by",
        "acceptance_cosigned_at",
    }

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(residual_likelihood__gte=1, residual_likelihood__lte=5),
                name="risk_residual_likelihood_1_5",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "is_latest", "residual_likelihood", "residual_impact"], name="risk_heat_idx"
            ),
            models.Index(fields=["ai_system", "is_latest"], name="risk_system_idx"),
        ]

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    @property
    def residual_band(self) -> str:
        return band(self.residual_score)

    def editing_team_ids(self) -> set[int]:
        return {t for t in (self.owner_team_id, self.cosigning_team_id) if t}
