"""Incidents: what went wrong with one or more AI systems, how fast it was contained and resolved,
its timeline, and the review afterwards (issue 12).

An incident is not a `GovernedRecord`: it has no draft/approval cycle and no versions of its own
text; it moves `open → contained → resolved → closed` (incidents.workflow) and is written only
through the one audited write path. Its domain comes from the same intent triage as risks.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, DurationField, ExpressionWrapper, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from core.choices import Domain
from governance.models import AISystem, Control, Threat


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Still being handled: what "open incidents" counts (dashboards, the system panel, My work).
ACTIVE = (IncidentStatus.OPEN, IncidentStatus.CONTAINED)


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_RANK = {"open": 0, "contained": 1, "resolved": 2, "closed": 3}


def _rank(field: str, ranks: dict) -> Case:
    return Case(*(When(**{field: k}, then=Value(v)) for k, v in ranks.items()), output_field=IntegerField())


def time_to_contain() -> ExpressionWrapper:
    """Containment time minus detection time, in the database (stored in UTC, so the zones the
    times were entered in do not matter)."""
    return ExpressionWrapper(F("contained_at") - F("detected_at"), output_field=DurationField())


def time_to_resolve() -> ExpressionWrapper:
    return ExpressionWrapper(F("resolved_at") - F("detected_at"), output_field=DurationField())


def _elapsed(start: dt.datetime, end: dt.datetime | None) -> dt.timedelta | None:
    """`end - start` between instants. Python subtracts two times of the same zone by their wall
    clocks (01:30 → 03:30 Berlin on the night clocks go forward gives two hours, not one), so
    both are taken to UTC first."""
    if end is None:
        return None
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


class IncidentQuerySet(models.QuerySet):
    def for_org(self, org: Organisation):
        return self.filter(organisation=org)

    def active(self):
        return self.filter(status__in=ACTIVE)

    def open_first(self):
        """Open incidents first, then contained, resolved, closed; the most severe and the newest
        first within each."""
        ranked = self.alias(status_rank=_rank("status", STATUS_RANK), severity_rank=_rank("severity", SEVERITY_RANK))
        return ranked.order_by("status_rank", "severity_rank", "-detected_at", "-pk")


class Incident(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), max_length=8000)
    detected_at = models.DateTimeField(_("detected at"))
    systems = models.ManyToManyField(AISystem, verbose_name=_("affected systems"), related_name="incidents")
    severity = models.CharField(_("severity"), max_length=10, choices=IncidentSeverity.choices)
    hostile_intent = models.BooleanField(_("an adversary is deliberately trying to make it misbehave"), default=False)
    harm_in_benign_use = models.BooleanField(_("it can cause harm in normal, well-meant use"), default=False)
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    owner_team = models.ForeignKey(Team, verbose_name=_("owner team"), on_delete=models.PROTECT, related_name="+")
    cosigning_team = models.ForeignKey(
        Team, verbose_name=_("second team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The response plan and playbook followed (response app); either may be unknown at first.
    plan = models.ForeignKey(
        "response.IncidentResponsePlan",
        verbose_name=_("response plan in use"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    playbook = models.ForeignKey(
        "response.Playbook",
        verbose_name=_("playbook in use"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    status = models.CharField(_("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The post-incident review (required before `closed`).
    root_cause = models.TextField(_("root cause"), max_length=8000, blank=True)
    went_well = models.TextField(_("what went well"), max_length=8000, blank=True)
    went_badly = models.TextField(_("what went badly"), max_length=8000, blank=True)
    threats = models.ManyToManyField(Threat, verbose_name=_("threats involved"), blank=True, related_name="+")
    controls = models.ManyToManyField(Control, verbose_name=_("controls involved"), blank=True, related_name="+")
    risks = models.ManyToManyField(
        "risks.RiskScenario", verbose_name=_("risk scenarios involved"), blank=True, related_name="incidents"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = IncidentQuerySet.as_manager()

    AUDITED_FIELDS = [
        "title",
        "description",
        "detected_at",
        "systems",
        "severity",
        "hostile_intent",
        "harm_in_benign_use",
        "domain",
        "owner_team",
        "cosigning_team",
        "plan",
        "playbook",
        "status",
        "contained_at",
        "resolved_at",
        "closed_at",
        "closed_by",
        "reported_by",
        "root_cause",
        "went_well",
        "went_badly",
        "threats",
        "controls",
        "risks",
        "reviewed_by",
        "version",
    ]

    class Meta:
        ordering = ["-detected_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "severity"], name="incident_status_idx"),
            models.Index(fields=["organisation", "domain", "status"], name="incident_domain_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contained_at__isnull=True) | models.Q(contained_at__gte=F("detected_at")),
                name="incident_contained_after_detection",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True) | models.Q(resolved_at__gte=F("detected_at")),
                name="incident_resolved_after_detection",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def has_review(self) -> bool:
        return self.reviewed_at is not None

    @property
    def time_to_contain(self) -> dt.timedelta | None:
        return _elapsed(self.detected_at, self.contained_at)

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return _elapsed(self.detected_at, self.resolved_at)

    def team_ids(self) -> set[int]:
        """The incident's owning teams: the domain's team(s) and every affected system's owner team
        (their members add timeline entries, move it along, write the review). One query for the
        systems unless they were prefetched."""
        teams = {t for t in (self.owner_team_id, self.cosigning_team_id) if t}
        teams.update(s.owner_team_id for s in self.systems.all() if s.owner_team_id)
        return teams

    # records.rules and records.services.follow_up_raise ask every source this.
    editing_team_ids = team_ids


class TimelineEntry(models.Model):
    """One line of the incident's log. Entries are evidence of who knew what when: they are
    appended, never edited or removed (a correction is a new entry), so they carry no `version`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField(_("when"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what happened then"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDITED_FIELDS = ["occurred_at", "author", "text"]

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.text[:40]}"
