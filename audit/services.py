"""Writing and checking the audit trail.

`record()` is called by every service that changes governance data, inside the service's
transaction: the change and its audit event commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from accounts.models import Organisation
from core.concurrency import save_versioned

from .models import GENESIS_HASH, AuditEvent, ChainHead, Verification
from .presenters import label_changes


def json_safe(value: Any) -> Any:
    """Turn a model field value into plain JSON so the stored value hashes the same later."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(json_safe(v) for v in value)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of `instance` as JSON; foreign keys are stored by id (`owner_team_id`)."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
        elif field.is_relation:
            data[name] = getattr(instance, field.attname)
        else:
            data[name] = json_safe(getattr(instance, name))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose value changed."""
    changed = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def record(
    *,
    organisation: Organisation,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the organisation's chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic with the change it records.")
    # Lock the chain head: appends in one organisation are serialised, other organisations
    # are not blocked. (SQLite serialises all writers anyway.)
    head, _created = ChainHead.objects.select_for_update().get_or_create(organisation=organisation)
    event = _next_event(head, organisation, actor, action, obj, before, after, object_type, object_id, object_repr)
    event.save()
    head.save(update_fields=["seq", "hash"])
    return event


def record_many(*, organisation: Organisation, actor, action: str, changes: list[tuple[models.Model, dict]]):
    """Append one `action` event per (object, after) pair in one go: the chain head is locked and
    written once and the events inserted together (confirming a 400-control plan recorded each
    assignment with three queries). Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many() must be called inside transaction.atomic with the changes.")
    head, _created = ChainHead.objects.select_for_update().get_or_create(organisation=organisation)
    events = [_next_event(head, organisation, actor, action, obj, None, after) for obj, after in changes]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    head.save(update_fields=["seq", "hash"])
    return events


def _next_event(
    head: ChainHead,
    organisation: Organisation,
    actor,
    action: str,
    obj: models.Model | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """The event that follows `head` (hashed, not saved); moves `head` on to it."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    event = AuditEvent(
        organisation=organisation,
        seq=head.seq + 1,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", "") or "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=json_safe(before or {}),
        after=json_safe(after or {}),
        created_at=timezone.now(),
        prev_hash=head.hash,
    )
    event.hash = event.compute_hash()
    head.seq, head.hash = event.seq, event.hash
    return event


# --- Audited edits of versioned records -------------------------------------------------------
# Every model edited this way lists its audited fields in `AUDITED_FIELDS` (with "version").


def audited_state(obj: models.Model) -> dict[str, Any]:
    """The record's audited fields now, to compare with after a change."""
    return snapshot(obj, obj.AUDITED_FIELDS)


def locked(obj: models.Model) -> models.Model:
    """The row as it is in the database, locked until the transaction ends.

    Services re-read what they change: a bound ModelForm has already copied the user's new
    values onto the instance a view holds, which would hide them from the "before" snapshot.
    """
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def tenant_of(obj: models.Model) -> Organisation:
    return obj if isinstance(obj, Organisation) else obj.organisation


def save_audited(
    obj: models.Model,
    *,
    before: dict[str, Any],
    actor,
    action: str,
    expected_version: int,
    fields: list[str],
    organisation: Organisation | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write `fields` of `obj` if its row is still at `expected_version` (else EditConflict), and
    record the fields that changed since `before` (plus `extra`) as `action`, in the caller's
    transaction."""
    save_versioned(obj, expected_version=expected_version, fields=fields)
    old, new = diff(before, audited_state(obj))
    record(
        organisation=organisation or tenant_of(obj),
        actor=actor,
        action=action,
        obj=obj,
        before=old,
        after={**new, **(extra or {})},
    )


def update_audited(
    row: models.Model,
    *,
    actor,
    action: str,
    expected_version: int,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
) -> models.Model:
    """Apply `data` (and many-to-many `m2m`) to a row fetched with `locked()`, save it from
    `expected_version` and record what changed. Call inside the service's transaction."""
    before = audited_state(row)
    for name, value in data.items():
        setattr(row, name, value)
    for name, values in (m2m or {}).items():
        getattr(row, name).set(values)
    save_audited(row, before=before, actor=actor, action=action, expected_version=expected_version, fields=list(data))
    return row


@dataclass
class ChainReport:
    organisation: Organisation
    events_checked: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def verify_chain(organisation: Organisation, *, progress=None) -> ChainReport:
    """Walk the organisation's chain in order; report the first event that does not fit.

    Detects an altered event (its hash no longer matches its content), a removed or inserted
    event (a gap in `seq` or a `prev_hash` that does not link), and removed newest events
    (the chain head points past the last event).
    """
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    events = AuditEvent.objects.filter(organisation=organisation).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(
                organisation, checked, f"event #{expected_seq} is missing (next found is #{event.seq}, id {event.pk})"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                organisation, checked, f"event #{event.seq} (id {event.pk}) does not link to the event before it"
            )
        if event.compute_hash() != event.hash:
            return ChainReport(
                organisation,
                checked,
                f"event #{event.seq} (id {event.pk}) was altered: its content does not match its hash",
            )
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        if progress and checked % 2000 == 0:
            progress(checked)
    head = ChainHead.objects.filter(organisation=organisation).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(
            organisation, checked, f"events after #{checked} are missing (the chain head is at #{head_seq})"
        )
    return ChainReport(organisation, checked)


# --- Verification jobs (run by Celery, polled by the audit trail page) -----------------------


def verification_request(*, organisation: Organisation, actor) -> Verification:
    """Queue a chain check unless one is already queued or running for the organisation."""
    from .tasks import audit_verify_task

    with transaction.atomic():
        active = organisation.audit_verifications.filter(
            status__in=[Verification.Status.PENDING, Verification.Status.RUNNING]
        ).first()
        if active:
            return active
        verification = Verification.objects.create(organisation=organisation, requested_by=actor)
        transaction.on_commit(lambda: audit_verify_task.delay(verification.pk))
    return verification


def verification_run(verification_id: int) -> None:
    """Claim the job (only one worker wins), check the chain, store the outcome. Idempotent."""
    claimed = Verification.objects.filter(pk=verification_id, status=Verification.Status.PENDING).update(
        status=Verification.Status.RUNNING
    )
    if not claimed:
        return  # already done, or another worker has it: a duplicate delivery is harmless
    verification = Verification.objects.select_related("organisation").get(pk=verification_id)
    total = AuditEvent.objects.filter(organisation=verification.organisation).count()
    Verification.objects.filter(pk=verification_id).update(events_total=total)

    def progress(checked: int) -> None:
        Verification.objects.filter(pk=verification_id).update(events_checked=checked)

    report = verify_chain(verification.organisation, progress=progress)
    Verification.objects.filter(pk=verification_id).update(
        status=Verification.Status.PASSED if report.ok else Verification.Status.FAILED,
        events_checked=report.events_checked,
        message=report.error,
        finished_at=timezone.now(),
    )


# --- Reading the trail ------------------------------------------------------------------------


def history_for(obj: models.Model, *, limit: int = 100) -> list[AuditEvent]:
    """The newest events about one record, for its History tab, labelled for people."""
    events = list(
        AuditEvent.objects.filter(organisation_id=obj.organisation_id)
        .for_object(obj)
        .select_related("actor")
        .order_by("-seq")[:limit]
    )
    label_changes(events)
    return events


def conflict_context(conflict, form=None) -> dict[str, Any]:
    """What a user needs to resolve an edit conflict: who changed what since they loaded the page.

    The form keeps the user's input but moves to the current version, so saving again is a
    deliberate overwrite made after seeing the other changes, never a silent one.
    """
    current = conflict.instance
    if form is not None:
        form.data = form.data.copy()
        form.data["version"] = current.version
    # An Organisation is its own tenant; every other record points to one.
    org_id = getattr(current, "organisation_id", current.pk)
    events = (
        AuditEvent.objects.filter(organisation_id=org_id)
        .for_object(current)
        .select_related("actor")
        .order_by("-seq")[:20]
    )
    newer = [e for e in events if (e.after or {}).get("version", 0) > conflict.expected_version]
    label_changes(newer)
    return {"current": current, "events": newer, "version": current.version}
