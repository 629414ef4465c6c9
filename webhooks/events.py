"""What happens in Bastion becomes webhook events: one mapping table from audit actions.

Every governed write records an audit event (audit.services), whatever the path (a page, the
API, a background job), so listening to new audit events covers them all without any app
calling this one. `ACTIONS` maps an audit action to a webhook event type and `BUILDERS` turn
the audit event into the event's `data`. A later record type (incidents, readiness, audit
packs, risk acceptances) adds its actions and a builder here: see docs/webhooks.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from assessments.models import Assessment, ControlAssignment
from assessments.workflow import ASSIGNMENT
from audit.models import AuditEvent

from .models import Delivery, Endpoint

STATUS_CHANGED = "assignment.status_changed"
OVERDUE = "assignment.overdue"
ASSESSMENT_APPROVED = "assessment.approved"
TEST = "webhook.test"

# The event types admins may subscribe to, with what they mean.
EVENT_TYPES: dict[str, Any] = {
    STATUS_CHANGED: _("A control assignment moved through its workflow (started, implemented, verified, …)."),
    OVERDUE: _("A control assignment passed its due date without being decided (once per due date)."),
    ASSESSMENT_APPROVED: _("An assessment was approved."),
}

ACTIONS: dict[str, str] = {
    **{f"{ASSIGNMENT.action_prefix}.{t.name}": STATUS_CHANGED for t in ASSIGNMENT.transitions},
    "assessments.assessment.approved": ASSESSMENT_APPROVED,
}


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


BUILDERS: dict[str, Callable[[AuditEvent], dict[str, Any] | None]] = {
    STATUS_CHANGED: _status_changed,
    ASSESSMENT_APPROVED: _assessment_approved,
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
    """A new audit event whose action is in `ACTIONS`: deliveries for the subscribed endpoints,
    in the transaction of the change (a change rolled back sends nothing)."""
    event_type = ACTIONS.get(instance.action) if created else None
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


def overdue_scan(today: dt.date | None = None, lookback_days: int = 3) -> int:
    """Daily: an `assignment.overdue` event for each assignment that became overdue lately (its
    due date within `lookback_days` before today, so a missed run is caught up), once per
    assignment and due date. Returns the number of deliveries made."""
    today = today or timezone.localdate()
    by_org: dict[int, list[Endpoint]] = {}
    for endpoint in Endpoint.objects.filter(is_active=True, retired_at__isnull=True).select_related("organisation"):
        if endpoint.subscribes_to(OVERDUE):
            by_org.setdefault(endpoint.organisation_id, []).append(endpoint)
    made = 0
    for endpoints in by_org.values():
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
