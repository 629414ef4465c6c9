"""What happens in Bastion becomes webhook events: one mapping table from audit actions.

Every governed write records an audit event (audit.services), whatever the path (a page, the
API, a background job), so listening to new audit events covers them all without any app
calling this one. `ACTIONS` maps an audit action to a webhook event type (every governed record
type's transitions map to `record.status_changed`, read from its table) and `BUILDERS` turn the
audit event into the event's `data`. Readiness has no audit event (it is computed): its
`readiness_scan` compares each system's verdict with its latest daily snapshot. See
docs/webhooks.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from assessments.models import Assessment, ControlAssignment
from assessments.workflow import ASSIGNMENT
from audit.models import AuditEvent
from incidents.models import Incident
from readiness import engine
from readiness.models import ReadinessSnapshot
from reports.models import AuditPack
from risks.models import RiskScenario

from .models import Delivery, Endpoint

STATUS_CHANGED = "assignment.status_changed"
OVERDUE = "assignment.overdue"
ASSESSMENT_APPROVED = "assessment.approved"
INCIDENT_OPENED = "incident.opened"
INCIDENT_CLOSED = "incident.closed"
AUDIT_PACK_READY = "audit_pack.ready"
ACCEPTANCE_EXPIRED = "risk_acceptance.expired"
READINESS_CHANGED = "readiness.changed"
RECORD_STATUS_CHANGED = "record.status_changed"
TEST = "webhook.test"

# The event types admins may subscribe to, with what they mean.
EVENT_TYPES: dict[str, Any] = {
    STATUS_CHANGED: _("A control assignment moved through its workflow (started, implemented, verified, …)."),
    OVERDUE: _("A control assignment passed its due date without being decided (once per due date)."),
    ASSESSMENT_APPROVED: _("An assessment was approved."),
    INCIDENT_OPENED: _("An incident was reported."),
    INCIDENT_CLOSED: _("An incident was closed after its post-incident review."),
    AUDIT_PACK_READY: _("An audit pack finished building and can be downloaded."),
    ACCEPTANCE_EXPIRED: _("A risk's acceptance passed its date: the risk is open again."),
    READINESS_CHANGED: _("An AI system became audit-ready, or stopped being so (checked every few hours)."),
    RECORD_STATUS_CHANGED: _(
        "A governed record (risk, threat model, red-team exercise, alignment review, IR plan, tabletop, FRIA) "
        "was submitted, approved, sent back or rejected."
    ),
}

ACTIONS: dict[str, str] = {
    **{f"{ASSIGNMENT.action_prefix}.{t.name}": STATUS_CHANGED for t in ASSIGNMENT.transitions},
    "assessments.assessment.approved": ASSESSMENT_APPROVED,
    "incidents.incident.reported": INCIDENT_OPENED,
    "incidents.incident.close": INCIDENT_CLOSED,
    "reports.pack.built": AUDIT_PACK_READY,
    "risks.riskscenario.acceptance_expired": ACCEPTANCE_EXPIRED,
}


@functools.cache
def _record_steps() -> dict[str, tuple[Any, str]]:
    """Audit action → (record kind, transition) for every governed record type's table. Built on
    first use: the record types register themselves as their apps load (records.kinds)."""
    from records.kinds import governed_kinds

    return {
        f"{kind.workflow.action_prefix}.{t.name}": (kind, t.name)
        for kind in governed_kinds()
        for t in kind.workflow.transitions
    }


def event_type_of(action: str) -> str | None:
    if action in ACTIONS:
        return ACTIONS[action]
    return RECORD_STATUS_CHANGED if action in _record_steps() else None


def _system(system) -> dict[str, Any]:
    return {"id": system.pk, "name": system.name}


def assignment_data(assignment: ControlAssignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "control_ref": assignment.control.ref,
        "control_title": assignment.control.title,
        "system": _system(assignment.ai_system),
        "status": assignment.status,
        "due_date": assignment.due_date.isoformat() if assignment.due_date else None,
    }


def _status_changed(event: AuditEvent) -> dict[str, Any] | None:
    assignment = ControlAssignment.objects.select_related("control", "ai_system").filter(pk=event.object_id).first()
    if assignment is None:
        return None
    return {
        "assignment": assignment_data(assignment),
        "transition": event.action.rsplit(".", 1)[-1],
        "from": event.before.get("status", assignment.status),
        "to": event.after.get("status", assignment.status),
        "actor": event.actor_label,
    }


def _assessment_approved(event: AuditEvent) -> dict[str, Any] | None:
    assessment = Assessment.objects.select_related("ai_system").filter(pk=event.object_id).first()
    if assessment is None:
        return None
    return {"assessment": {"id": assessment.pk, "system": _system(assessment.ai_system)}, "actor": event.actor_label}


def _incident(event: AuditEvent) -> dict[str, Any] | None:
    incident = Incident.objects.prefetch_related("systems").filter(pk=event.object_id).first()
    if incident is None:
        return None
    systems = sorted(incident.systems.all(), key=lambda s: s.pk)
    return {
        "incident": {
            "id": incident.pk,
            "title": incident.title,
            "severity": incident.severity,
            "domain": incident.domain,
            "status": incident.status,
            "detected_at": incident.detected_at.isoformat(),
            "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
            "systems": [_system(s) for s in systems],
        },
        "actor": event.actor_label,
    }


def _pack_ready(event: AuditEvent) -> dict[str, Any] | None:
    pack = AuditPack.objects.select_related("ai_system", "organisation").filter(pk=event.object_id).first()
    if pack is None:
        return None
    args = {"org_slug": pack.organisation.slug, "pk": pack.pk}
    return {
        "audit_pack": {
            "id": pack.pk,
            "system": _system(pack.ai_system) if pack.ai_system else None,
            "sha256": pack.sha256,
            "size": pack.size,
            "download": reverse("api:audit_pack_download", kwargs=args),  # with a token of an auditor, lead or admin
        }
    }


def _acceptance_expired(event: AuditEvent) -> dict[str, Any] | None:
    risk = RiskScenario.objects.select_related("ai_system").filter(pk=event.object_id).first()
    if risk is None:
        return None
    return {
        "risk": {
            "id": risk.pk,
            "title": risk.title,
            "domain": risk.domain,
            "system": _system(risk.ai_system),
            "accepted_until": risk.acceptance_until.isoformat() if risk.acceptance_until else None,
            "residual_score": risk.residual_likelihood * risk.residual_impact,
        }
    }


def _record_status_changed(event: AuditEvent) -> dict[str, Any] | None:
    kind, transition = _record_steps()[event.action]
    record = kind.model.objects.select_related("ai_system").filter(pk=event.object_id).first()
    if record is None:
        return None
    return {
        "record": {
            "type": kind.key,
            "label": str(kind.label),
            "id": record.pk,
            "title": record.title,
            "status": record.status,
            "record_version": record.record_version,
            "system": _system(record.ai_system),
        },
        "transition": transition,
        "from": event.before.get("status", record.status),
        "to": event.after.get("status", record.status),
        "actor": event.actor_label,
    }


BUILDERS: dict[str, Callable[[AuditEvent], dict[str, Any] | None]] = {
    STATUS_CHANGED: _status_changed,
    ASSESSMENT_APPROVED: _assessment_approved,
    INCIDENT_OPENED: _incident,
    INCIDENT_CLOSED: _incident,
    AUDIT_PACK_READY: _pack_ready,
    ACCEPTANCE_EXPIRED: _acceptance_expired,
    RECORD_STATUS_CHANGED: _record_status_changed,
}


def body(*, event_id: uuid.UUID, event_type: str, created_at: dt.datetime, org: Organisation, data: dict) -> dict:
    """The JSON body every delivery carries (docs/webhooks.md)."""
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": created_at.isoformat(timespec="seconds"),
        "organisation": {"slug": org.slug, "name": org.name},
        "data": data,
    }


def subscribed(org_id: int, event_type: str) -> list[Endpoint]:
    endpoints = Endpoint.objects.filter(organisation_id=org_id, is_active=True, retired_at__isnull=True)
    return [e for e in endpoints if e.subscribes_to(event_type)]


def emit(org: Organisation, event_type: str, key: str, data: dict, endpoints: Iterable[Endpoint]) -> list[Delivery]:
    """One delivery of this event per endpoint (none twice for the same `key`), sent after commit."""
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = body(event_id=event_id, event_type=event_type, created_at=now, org=org, data=data)
    made = []
    for endpoint in endpoints:
        delivery, created = Delivery.objects.get_or_create(
            endpoint=endpoint,
            key=key,
            defaults={
                "organisation": org,
                "event_id": event_id,
                "event_type": event_type,
                "payload": payload,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
        if created:
            made.append(delivery)
    if made:
        from .tasks import queue

        ids = [d.pk for d in made]
        transaction.on_commit(lambda: queue(ids))
    return made


def on_audit_event(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    """A new audit event whose action maps to an event type: deliveries for the subscribed
    endpoints, in the transaction of the change (a change rolled back sends nothing)."""
    event_type = event_type_of(instance.action) if created else None
    if event_type is None:
        return
    endpoints = subscribed(instance.organisation_id, event_type)
    if not endpoints:
        return
    data = BUILDERS[event_type](instance)
    if data is not None:
        emit(instance.organisation, event_type, f"audit:{instance.pk}", data, endpoints)


def connect() -> None:
    post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="webhooks.on_audit_event")


def _subscribers(event_type: str) -> dict[int, list[Endpoint]]:
    """Active endpoints subscribed to the event type, by organisation."""
    by_org: dict[int, list[Endpoint]] = {}
    for endpoint in Endpoint.objects.filter(is_active=True, retired_at__isnull=True).select_related("organisation"):
        if endpoint.subscribes_to(event_type):
            by_org.setdefault(endpoint.organisation_id, []).append(endpoint)
    return by_org


def readiness_scan(today: dt.date | None = None) -> int:
    """Every few hours: a `readiness.changed` event for each system whose verdict (audit-ready or
    not) differs from the one in its latest snapshot before today (readiness/snapshots.py, the
    daily record of verdicts), once per system, day and verdict. Returns the deliveries made."""
    today = today or timezone.localdate()
    made = 0
    for endpoints in _subscribers(READINESS_CHANGED).values():
        org = endpoints[0].organisation
        verdicts = engine.for_organisation(org).systems
        previous: dict[int, bool] = {}
        for ai_system_id, ready in (
            ReadinessSnapshot.objects.filter(organisation=org, scope="system", day__lt=today)
            .order_by("ai_system_id", "-day")
            .values_list("ai_system_id", "systems_ready")
        ):
            previous.setdefault(ai_system_id, bool(ready))
        with transaction.atomic():
            for verdict in verdicts:
                was = previous.get(verdict.system_id)
                if was is None or was == verdict.audit_ready:
                    continue  # no earlier verdict to compare with, or no change
                data = {
                    "system": {"id": verdict.system_id, "name": verdict.name},
                    "audit_ready": verdict.audit_ready,
                    "was_audit_ready": was,
                    "failing": [
                        {"key": c.key, "label": str(c.label), "reason": str(c.reason)} for c in verdict.failing
                    ],
                }
                key = f"readiness:{verdict.system_id}:{today.isoformat()}:{int(verdict.audit_ready)}"
                made += len(emit(org, READINESS_CHANGED, key, data, endpoints))
    return made


def overdue_scan(today: dt.date | None = None, lookback_days: int = 3) -> int:
    """Daily: an `assignment.overdue` event for each assignment that became overdue lately (its
    due date within `lookback_days` before today, so a missed run is caught up), once per
    assignment and due date. Returns the number of deliveries made."""
    today = today or timezone.localdate()
    made = 0
    for endpoints in _subscribers(OVERDUE).values():
        org = endpoints[0].organisation
        assignments = (
            ControlAssignment.objects.filter(organisation=org, retired_at__isnull=True)
            .overdue(today)
            .filter(due_date__gte=today - dt.timedelta(days=lookback_days))
            .select_related("control", "ai_system")
        )
        with transaction.atomic():
            for a in assignments:
                data = {"assignment": assignment_data(a), "days_overdue": (today - a.due_date).days}
                made += len(emit(org, OVERDUE, f"overdue:{a.pk}:{a.due_date.isoformat()}", data, endpoints))
    return made
