"""Incident writes, through the one audited write path (audit.services.audited_*): report, edit,
move along the lifecycle (incidents.workflow), timeline entries, the post-incident review, its
follow-ups (records.services.follow_up_raise) and the risk scenario a closed incident raises
(risks.services.risk_create)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_create, audited_update, lock
from core.choices import Domain
from records.models import FollowUp
from records.rules import can_create_record
from records.services import follow_up_raise, triage

from . import rules
from .models import Incident, IncidentSeverity, IncidentStatus, TimelineEntry
from .workflow import INCIDENT, TIMED

PRACTICE = "incident_response"
# How a closed incident rates the risk scenario it raises: it happened, so it is likely; its
# severity says how bad it was. The owner team refines both in the draft.
IMPACT_OF_SEVERITY = {
    IncidentSeverity.LOW: 2,
    IncidentSeverity.MEDIUM: 3,
    IncidentSeverity.HIGH: 4,
    IncidentSeverity.CRITICAL: 5,
}
LIKELIHOOD_AFTER_INCIDENT = 4


def _not_in_future(when: dt.datetime | None, field: str) -> None:
    # A minute's slack: the browser's clock and ours are not the same clock.
    if when is not None and when > timezone.now() + dt.timedelta(minutes=1):
        raise ValidationError({field: _("This time is in the future.")})


def _routed(organisation, data: dict[str, Any]) -> dict[str, Any]:
    """Domain from the intent triage; the owner team (and for `both` a second team) routed by
    domain for the incident-response practice unless chosen."""
    from assessments.services.routing import Router

    domain = triage(data)
    route = Router(organisation).route(domain, PRACTICE)
    owner = data.get("owner_team") or route.team
    if owner is None:
        raise ValidationError({"owner_team": _("No team owns this domain yet: choose the owner team.")})
    second = (data.get("cosigning_team") or route.cosigning_team) if domain == Domain.BOTH else None
    if second == owner:
        second = None
    for team in (owner, second):
        if team is not None and team.organisation_id != organisation.pk:
            raise ValidationError(_("Choose a team of this organisation."))
    return {**data, "domain": domain, "owner_team": owner, "cosigning_team": second}


def _with_plan(organisation, data: dict[str, Any]) -> dict[str, Any]:
    """The plan and playbook in use: an approved plan of this organisation (approved versions keep
    their playbooks for good) and one of its playbooks; a playbook alone brings its plan."""
    plan, playbook = data.get("plan"), data.get("playbook")
    if playbook is not None and plan is None:
        plan = playbook.plan
    if plan is not None and (plan.organisation_id != organisation.pk or not plan.is_approved):
        raise ValidationError({"plan": _("Choose an approved response plan of this organisation.")})
    if playbook is not None and playbook.plan_id != getattr(plan, "pk", None):
        raise ValidationError({"playbook": _("Choose a playbook of the chosen plan.")})
    return {**data, "plan": plan, "playbook": playbook}


def _check_systems(organisation, systems) -> list:
    systems = list(systems)
    if not systems:
        raise ValidationError({"systems": _("Choose at least one affected system.")})
    if any(s.organisation_id != organisation.pk for s in systems):
        raise ValidationError({"systems": _("Choose systems of this organisation.")})
    return systems


def incident_report(*, actor, organisation, data: dict[str, Any], systems) -> Incident:
    """Anyone with at least the member role reports an incident on one or more systems."""
    systems = _check_systems(organisation, systems)
    _not_in_future(data.get("detected_at"), "detected_at")
    with transaction.atomic():
        if not rules.can_report(membership_of(actor, systems[0])):
            raise PermissionDenied(_("Members, leads and admins report incidents."))
        return audited_create(
            Incident,
            actor=actor,
            action="incidents.incident.reported",
            data={
                **_with_plan(organisation, _routed(organisation, data)),
                "organisation": organisation,
                "reported_by": actor,
                "status": IncidentStatus.OPEN,
            },
            m2m={"systems": systems},
        )


def incident_update(*, actor, incident: Incident, expected_version: int, data: dict[str, Any], systems) -> Incident:
    """Correct what was reported (a closed incident no longer changes). A detection time later
    than the recorded containment or resolution is refused."""
    systems = _check_systems(incident.organisation, systems)
    _not_in_future(data.get("detected_at"), "detected_at")
    routed = _with_plan(incident.organisation, _routed(incident.organisation, data))

    def check(locked: Incident) -> None:
        if not rules.can_edit_incident(membership_of(actor, locked), locked):
            if locked.status == IncidentStatus.CLOSED:
                raise ValidationError(_("A closed incident no longer changes."))
            raise PermissionDenied(_("Leads and the members of the incident's teams edit it."))
        detected = routed.get("detected_at") or locked.detected_at
        for later in (locked.contained_at, locked.resolved_at):
            if later is not None and detected > later:
                raise ValidationError({"detected_at": _("It was contained or resolved before this time.")})

    with transaction.atomic():
        return audited_update(
            incident,
            actor=actor,
            action="incidents.incident.updated",
            expected_version=expected_version,
            changes=routed,
            m2m={"systems": systems},
            check=check,
        )


def incident_act(
    *, actor, incident: Incident, name: str, expected_version: int, text: str = "", at: dt.datetime | None = None
) -> Incident:
    """Take a lifecycle step. `at` is when containment or resolution happened (default: now)."""
    if name not in INCIDENT:
        raise ValidationError(_("Choose an action."))
    if name not in TIMED:
        at = None
    _not_in_future(at, "at")
    return INCIDENT.take(actor=actor, record=incident, name=name, expected_version=expected_version, text=text, now=at)


def _working(actor, incident: Incident, *, open_only: bool = True) -> Incident:
    """The incident locked, after checking the actor works on it (and it is not closed)."""
    locked = lock(incident)
    if not rules.can_work_on_incident(membership_of(actor, locked), locked):
        raise PermissionDenied(_("Leads and the members of the incident's teams do this."))
    if open_only and locked.status == IncidentStatus.CLOSED:
        raise ValidationError(_("A closed incident no longer changes."))
    return locked


def timeline_add(*, actor, incident: Incident, occurred_at: dt.datetime, text: str) -> TimelineEntry:
    """Append a line to the incident's log (entries are never edited: a correction is a new one)."""
    if not text.strip():
        raise ValidationError({"text": _("Say what happened.")})
    _not_in_future(occurred_at, "occurred_at")
    with transaction.atomic():
        locked = _working(actor, incident)
        return audited_create(
            TimelineEntry,
            actor=actor,
            action="incidents.timeline.added",
            data={
                "organisation": locked.organisation,
                "incident": locked,
                "occurred_at": occurred_at,
                "author": actor,
                "text": text.strip(),
            },
        )


def review_save(
    *, actor, incident: Incident, expected_version: int, data: dict[str, Any], threats=(), controls=(), risks=()
) -> Incident:
    """Write or correct the post-incident review, once the incident is contained; closing needs it."""
    if not (data.get("root_cause") or "").strip():
        raise ValidationError({"root_cause": _("Say what caused the incident.")})
    org = incident.organisation
    if any(r.organisation_id != org.pk for r in risks) or any(
        c.organisation_id not in (None, org.pk) for c in controls
    ):
        raise ValidationError(_("Link records of this organisation."))

    def check(locked: Incident) -> None:
        if not rules.can_work_on_incident(membership_of(actor, locked), locked):
            raise PermissionDenied(_("Leads and the members of the incident's teams write the review."))
        if locked.status not in (IncidentStatus.CONTAINED, IncidentStatus.RESOLVED):
            raise ValidationError(_("The review is written once the incident is contained, before it is closed."))

    changes = {
        "root_cause": data["root_cause"].strip(),
        "went_well": (data.get("went_well") or "").strip(),
        "went_badly": (data.get("went_badly") or "").strip(),
        "reviewed_by": actor,
        "reviewed_at": timezone.now(),
    }
    with transaction.atomic():
        return audited_update(
            incident,
            actor=actor,
            action="incidents.incident.reviewed",
            expected_version=expected_version,
            changes=changes,
            m2m={"threats": list(threats), "controls": list(controls), "risks": list(risks)},
            check=check,
        )


def incident_follow_up(*, actor, incident: Incident, system, **work: Any) -> FollowUp:
    """Raise follow-up work for one affected system, routed to a team by the incident's domain
    (records.services.follow_up_raise, which checks who may on the locked incident)."""
    if not incident.systems.filter(pk=system.pk).exists():
        raise ValidationError({"ai_system": _("Choose one of the affected systems.")})
    return follow_up_raise(incident, actor=actor, domain=incident.domain, practice=PRACTICE, system=system, **work)


def risk_from_incident(*, actor, incident: Incident, system, expected_version: int):
    """One step: a closed incident becomes a draft risk scenario of one affected system, prefilled
    from it (title, what happened and the root cause, the triage answers, the controls involved,
    ratings from its severity), linked to the incident's review; both writes audited together."""
    from risks.services import risk_create

    with transaction.atomic():
        locked = lock(incident, expected_version=expected_version)
        membership = membership_of(actor, locked)
        if not locked.systems.filter(pk=system.pk).exists():
            raise ValidationError(_("Choose one of the affected systems."))
        if not can_create_record(membership, system):
            raise PermissionDenied(_("Leads and the system's owner team add risks to it."))
        if locked.status != IncidentStatus.CLOSED:
            raise ValidationError(_("A risk scenario is raised from a closed incident, once it is reviewed."))
        impact = IMPACT_OF_SEVERITY[IncidentSeverity(locked.severity)]
        description = locked.description
        if locked.root_cause:
            description = f"{description}\n\n{_('Root cause')}: {locked.root_cause}"
        risk = risk_create(
            actor=actor,
            system=system,
            data={
                "title": locked.title[:200],
                "description": description[:4000],
                "hostile_intent": locked.hostile_intent,
                "harm_in_benign_use": locked.harm_in_benign_use,
                "inherent_likelihood": LIKELIHOOD_AFTER_INCIDENT,
                "inherent_impact": impact,
                "residual_likelihood": LIKELIHOOD_AFTER_INCIDENT,
                "residual_impact": impact,
            },
            controls=list(locked.controls.all()),
        )
        audited_update(
            locked,
            actor=actor,
            action="incidents.incident.risk_raised",
            expected_version=expected_version,
            changes={},
            m2m={"risks": [*locked.risks.all(), risk]},
            extra={"risk": risk.pk},
        )
        return risk
