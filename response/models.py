"""Incident-response plans and tabletop exercises (practice `incident_response`, both domains).

Both are governed records (records.models.GovernedRecord): lifecycle, versions, approval by
someone other than the author, cadence, follow-ups, History and comparison come from `records/`.

A plan covers one or more AI systems. `GovernedRecord.ai_system` is a single foreign key, so a
plan keeps it as its **primary** system (the one whose page frames the plan's pages and whose
owner team started it) and lists **every** covered system, the primary one included, in
`systems`. Services keep the two consistent; coverage questions (`response.coverage`) read only
`systems`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import Domain
from governance.models import AISystem
from records.models import GovernedRecord


class PlanRoleKind(models.TextChoices):
    INCIDENT_COMMANDER = "incident_commander", _("Incident commander")
    TECHNICAL_LEAD = "technical_lead", _("Technical lead")
    COMMUNICATIONS_LEAD = "communications_lead", _("Communications lead")
    LEGAL_PRIVACY = "legal_privacy", _("Legal / privacy")
    RESPONSIBLE_AI_LEAD = "responsible_ai_lead", _("Responsible-AI lead")


class NotificationKind(models.TextChoices):
    EU_AI_ACT_SERIOUS_INCIDENT = "eu_ai_act_serious_incident", _("EU AI Act serious-incident report")
    DATA_PROTECTION_BREACH = "data_protection_breach", _("Personal-data breach (data-protection authority)")
    AFFECTED_PEOPLE = "affected_people", _("People affected")
    CUSTOMERS = "customers", _("Customers or partners under contract")
    OTHER = "other", _("Other")


class IncidentResponsePlan(GovernedRecord):
    """How the organisation responds to incidents of the systems it covers: who, how fast, whom
    to tell outside, and a playbook per incident type."""

    systems = models.ManyToManyField(
        AISystem,
        verbose_name=_("covered systems"),
        related_name="ir_plans",
        help_text=_("Every AI system the plan covers, the primary system included."),
    )
    scope = models.TextField(_("scope"), max_length=8000, blank=True)
    escalation_path = models.TextField(
        _("escalation path"),
        max_length=8000,
        help_text=_("Who is called, in order, and when to go one step further; one step per line."),
    )
    # Severity levels: [{"name", "criteria", "respond_within_minutes", "update_every_minutes"}],
    # most severe first. External notifications: [{"kind", "recipient", "trigger",
    # "deadline_hours", "owner_role"}]. Plain data, edited as formsets and audited with the plan.
    severity_levels = models.JSONField(_("severity levels"), default=list, blank=True)
    notifications = models.JSONField(_("external notifications"), default=list, blank=True)

    AUDITED_FIELDS = [
        "scope",
        "systems",
        "escalation_path",
        "severity_levels",
        "notifications",
        *GovernedRecord.RECORD_AUDITED_FIELDS,
        "is_latest",
        "version",
    ]
    COMPARE_FIELDS = ["title", "scope", "systems", "escalation_path"]
    CADENCE_FIELD = "ir_plan_cadence_days"

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["organisation", "is_latest"], name="irplan_org_idx")]

    def editing_team_ids(self) -> set[int]:
        """The owner teams of every covered system (one query, kept on the instance)."""
        cached = getattr(self, "_editing_team_ids", None)
        if cached is None:
            cached = {self.ai_system.owner_team_id} | set(
                self.systems.exclude(owner_team=None).values_list("owner_team_id", flat=True)
            )
            cached.discard(None)
            self._editing_team_ids = cached
        return cached

    def compare_state(self) -> dict[str, object]:
        state = super().compare_state()
        state[str(_("roles"))] = [r.summary() for r in self.roles.select_related("member")]
        state[str(_("severity levels"))] = [severity_summary(s) for s in self.severity_levels]
        state[str(_("external notifications"))] = [notification_summary(n) for n in self.notifications]
        state[str(_("playbooks"))] = [p.summary() for p in self.playbooks.all()]
        return state

    def copy_children(self, new) -> list:
        copies: list[PlanRole | Playbook] = [*self.roles.all(), *self.playbooks.all()]
        for child in copies:
            child.pk, child.plan, child.version = None, new, 1
            child.save()
        return copies


def minutes_label(minutes: int | None) -> str:
    if not minutes:
        return "—"
    if minutes % 1440 == 0:
        return f"{minutes // 1440} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def severity_summary(level: dict) -> str:
    return (
        f"{level.get('name', '')}: respond within {minutes_label(level.get('respond_within_minutes'))}, "
        f"update every {minutes_label(level.get('update_every_minutes'))}"
    )


def notification_summary(item: dict) -> str:
    kinds = dict(NotificationKind.choices)
    kind = str(kinds.get(item.get("kind", ""), item.get("kind", "")))
    return f"{kind} → {item.get('recipient', '')} within {item.get('deadline_hours', '?')} h"


class PlanRole(models.Model):
    """A named contact for one role of a plan: a member of the organisation, or someone outside
    it reachable by phone or e-mail."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(IncidentResponsePlan, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=PlanRoleKind.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("external contact"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = ["role", "member", "name", "email", "phone", "notes", "version"]

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "role"], name="planrole_one_per_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.contact_name}"

    @property
    def contact_name(self) -> str:
        member = self.member
        if member is not None:
            return member.get_full_name() or member.get_username()
        return self.name

    @property
    def is_external(self) -> bool:
        return self.member_id is None

    def summary(self) -> str:
        reach = ", ".join(x for x in (self.email, self.phone) if x)
        return f"{self.get_role_display()}: {self.contact_name}" + (f" ({reach})" if reach else "")


class Playbook(models.Model):
    """What to do for one type of incident: technical steps and communication / reputational
    steps, both planned. Started from a template (response/templates_data.yaml) or written."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(IncidentResponsePlan, on_delete=models.CASCADE, related_name="playbooks")
    template_key = models.CharField(_("template"), max_length=60, blank=True)
    title = models.CharField(_("incident type"), max_length=200)
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    detection = models.TextField(_("how it shows"), max_length=4000, blank=True)
    technical_steps = models.TextField(_("technical steps"), max_length=8000, help_text=_("One step per line."))
    communication_steps = models.TextField(
        _("communication and reputational steps"), max_length=8000, help_text=_("One step per line.")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = [
        "template_key",
        "title",
        "domain",
        "detection",
        "technical_steps",
        "communication_steps",
        "version",
    ]

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def technical_step_list(self) -> list[str]:
        return steps(self.technical_steps)

    @property
    def communication_step_list(self) -> list[str]:
        return steps(self.communication_steps)

    def summary(self) -> str:
        return (
            f"{self.title} ({self.get_domain_display()}): {len(self.technical_step_list)} technical, "
            f"{len(self.communication_step_list)} communication steps"
        )


def steps(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TabletopExercise(GovernedRecord):
    """A rehearsal of a plan's playbook on a made-up scenario. Its `ai_system` is the plan's
    primary system; the plan it exercised gives the teams that edit it."""

    plan = models.ForeignKey(
        IncidentResponsePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="tabletops"
    )
    playbook = models.ForeignKey(
        Playbook, verbose_name=_("playbook exercised"), on_delete=models.PROTECT, related_name="tabletops"
    )
    held_on = models.DateField(_("held on"))
    scenario = models.TextField(_("scenario"), max_length=8000)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="+"
    )
    external_participants = models.TextField(
        _("other participants"), max_length=2000, blank=True, help_text=_("People from outside, one per line.")
    )
    timeline = models.TextField(
        _("timeline"), max_length=8000, blank=True, help_text=_("What happened when, one entry per line.")
    )
    went_well = models.TextField(_("what went well"), max_length=8000, blank=True)
    went_badly = models.TextField(_("what went badly"), max_length=8000, blank=True)

    AUDITED_FIELDS = [
        "plan",
        "playbook",
        "held_on",
        "scenario",
        "participants",
        "external_participants",
        "timeline",
        "went_well",
        "went_badly",
        *GovernedRecord.RECORD_AUDITED_FIELDS,
        "is_latest",
        "version",
    ]
    COMPARE_FIELDS = [
        "title",
        "held_on",
        "playbook",
        "scenario",
        "participants",
        "external_participants",
        "timeline",
        "went_well",
        "went_badly",
    ]
    CADENCE_FIELD = "tabletop_cadence_days"

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["plan", "status", "held_on"], name="tabletop_plan_idx")]

    def editing_team_ids(self) -> set[int]:
        return self.plan.editing_team_ids()

    def review_due_from(self, when) -> dt.date:
        """The next exercise is due a cadence after this one was held (not after its approval)."""
        return self.held_on + dt.timedelta(days=self.cadence_days())

    @property
    def timeline_entries(self) -> list[str]:
        return steps(self.timeline)
