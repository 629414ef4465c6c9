"""Writing and checking the audit trail.

`record()` is called by every service that changes governance data, inside the service's
transaction: the change and its audit event commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hmac
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.fields.related import RelatedField
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core import jobs
from core.concurrency import EditConflict

from . import channels, keys
from .models import GENESIS_HASH, AuditEvent, ChainHead, Verification
from .presenters import label_changes

M = TypeVar("M", bound=models.Model)
logger = logging.getLogger(__name__)


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
        elif isinstance(field, models.Field) and field.is_relation:
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
    _require_transaction("audit.record()")
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
    _require_transaction("audit.record_many()")
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
        channel=channels.current(),
        via_token=channels.current_token(),
        key_id=keys.current_key_id(),
    )
    event.hash = event.compute_hash()
    head.seq, head.hash = event.seq, event.hash
    return event


# --- The one write path for governed rows -----------------------------------------------------
# A governed model lists its audited fields in `AUDITED_FIELDS` (ending with "version"). Every
# service writes such a row through `audited_create`, `audited_update` or `audited_retire`,
# inside its own transaction: lock the row, check the version the user saw, write, bump the
# version and record the diff, so the change and its audit event commit together.


def audited_state(obj: models.Model) -> dict[str, Any]:
    """The record's audited fields now, to compare with after a change. A model whose related rows
    read better by name than by id (library mappings as `KEY:ID`) builds it in `audit_state()`."""
    custom = getattr(obj, "audit_state", None)
    if custom is not None:
        return json_safe(custom())
    return snapshot(obj, obj.AUDITED_FIELDS)  # type: ignore[attr-defined]


def record_changes(row: models.Model, before: dict[str, Any], *, actor, action: str) -> AuditEvent | None:
    """Record what changed on `row` since `before` (its `audited_state()` then); nothing if nothing
    did. For writers that change rows in bulk (the library importer) rather than one by one."""
    old, new = diff(before, audited_state(row))
    if not (old or new):
        return None
    return record(organisation=tenant_of(row), actor=actor, action=action, obj=row, before=old, after=new)


def tenant_of(obj: models.Model) -> Organisation:
    return obj if isinstance(obj, Organisation) else obj.organisation  # type: ignore[attr-defined]


def lock(row: M, *, expected_version: int | None = None) -> M:
    """The row as it is in the database, locked until the transaction ends.

    Services re-read what they change: a bound ModelForm has already copied the user's new values
    onto the instance a view holds, which would hide them from the "before" snapshot. With
    `expected_version`, a row that moved on raises `EditConflict` with the row as it is now.
    """
    model = type(row)
    current = model._default_manager.select_for_update().get(pk=row.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise EditConflict(current, expected_version)
    # Related rows the caller already holds (the organisation, the system) do not change under
    # us: reuse them rather than selecting their many columns again on every write.
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, RelatedField)
            and field.is_cached(row)
            and getattr(row, field.attname) == getattr(current, field.attname)
        ):
            field.set_cached_value(current, field.get_cached_value(row))
    return current


Changes = dict[str, Any] | Callable[[Any], dict[str, Any]]


def audited_create(
    model: type[M],
    *,
    actor,
    action: str,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> M:
    """Create a governed row from `data` (and many-to-many `m2m`) and record its audited fields."""
    _require_transaction("Audited writes")
    row = model._default_manager.create(**data)
    for name, values in (m2m or {}).items():
        getattr(row, name).set(values)
    state = {k: v for k, v in audited_state(row).items() if v not in (None, "", [])}
    record(organisation=tenant_of(row), actor=actor, action=action, obj=row, after={**state, **(extra or {})})
    return row


def audited_update(
    row: M,
    *,
    actor,
    action: str,
    expected_version: int,
    changes: Changes,
    m2m: dict[str, Any] | None = None,
    check: Callable[[Any], None] | None = None,
    extra: dict[str, Any] | None = None,
) -> M:
    """Lock `row`, check it is still at `expected_version` (else EditConflict), run `check` on the
    locked row (it raises to refuse), apply `changes` (a dict, or a function of the locked row that
    returns one), save with the next version and record what changed.

    Rules about who may act and what must hold are evaluated in `check` or `changes`, on the locked
    row: a view's earlier check saw the row before the lock, which a concurrent request may have
    changed since.
    """
    _require_transaction("Audited writes")
    current = lock(row, expected_version=expected_version)
    before = audited_state(current)
    if check is not None:
        check(current)
    data = changes(current) if callable(changes) else changes
    for name, value in data.items():
        setattr(current, name, value)
    current.version = expected_version + 1  # type: ignore[attr-defined]
    fields = [*data, "version"]
    if any(f.name == "updated_at" for f in current._meta.concrete_fields):
        fields.append("updated_at")  # auto_now: stamped by save()
    current.save(update_fields=fields)
    for name, values in (m2m or {}).items():
        getattr(current, name).set(values)
    old, new = diff(before, audited_state(current))
    record(
        organisation=tenant_of(current),
        actor=actor,
        action=action,
        obj=current,
        before=old,
        after={**new, **(extra or {})},
    )
    return current


def audited_retire(
    row: M,
    *,
    actor,
    action: str,
    expected_version: int,
    reason: str,
    changes: dict[str, Any] | None = None,
    check: Callable[[Any], None] | None = None,
) -> M:
    """Retire a governed row (never delete it): it stays readable with its history. The reason is
    stored in `retirement_reason` where the model has one, and always in the audit event."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is retired.")})

    def check_active(current: Any) -> None:
        if current.retired_at is not None:
            raise ValidationError(_("This is retired already."))
        if check is not None:
            check(current)

    data = {"retired_at": timezone.now(), **(changes or {})}
    if any(f.name == "retirement_reason" for f in type(row)._meta.concrete_fields):
        data["retirement_reason"] = reason
    return audited_update(
        row,
        actor=actor,
        action=action,
        expected_version=expected_version,
        changes=data,
        check=check_active,
        extra={"reason": reason},
    )


def _require_transaction(what: str) -> None:
    """The event must commit or roll back with the change it records: refuse to run outside a
    transaction (checked before writing anything)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside transaction.atomic with the change it records.")


@dataclass
class ChainReport:
    organisation: Organisation
    events_checked: int
    error: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.error


def verify_chain(organisation: Organisation, *, progress=None, every: int = 2000) -> ChainReport:
    """Walk the organisation's chain up to its head, as read before the walk; report the first
    event that does not fit. `progress(checked, total)` is called at the start and every `every`
    events.

    Detects an altered event (its HMAC no longer matches its content: recomputing it needs the
    key), a removed or inserted event (a gap in `seq` or a `prev_hash` that does not link),
    removed newest events (the head points past the last event) and, against the latest signed
    checkpoint outside the database, a rewound or rewritten chain. Events appended while the
    check runs lie beyond the head it read and are left for the next check.
    """
    from . import checkpoints

    head = ChainHead.objects.filter(organisation=organisation).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)

    def broken(checked: int, error: str) -> ChainReport:
        return ChainReport(organisation, checked, error, head_seq, head_hash)

    try:
        checkpoint = checkpoints.latest(organisation)
    except checkpoints.BadCheckpoint as exc:
        return broken(0, f"the latest checkpoint cannot be trusted: {exc}")
    if checkpoint and checkpoint.seq > head_seq:
        return broken(
            0,
            f"the chain ends at #{head_seq} but the checkpoint of {checkpoint.at} saw #{checkpoint.seq}: "
            "events were removed",
        )
    if progress:
        progress(0, head_seq)
    expected_prev, expected_seq, checked, keyed = GENESIS_HASH, 1, 0, False
    events = AuditEvent.objects.filter(organisation=organisation, seq__lte=head_seq).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        name = f"event #{event.seq} (id {event.pk})"
        if event.seq != expected_seq:
            return broken(checked, f"event #{expected_seq} is missing (next found is #{event.seq}, id {event.pk})")
        if event.prev_hash != expected_prev:
            return broken(checked, f"{name} does not link to the event before it")
        if keyed and event.key_id == keys.LEGACY:
            return broken(checked, f"{name} is unkeyed after keyed events: it was rewritten")
        keyed = keyed or event.key_id != keys.LEGACY
        try:
            sealed = event.compute_hash()
        except keys.UnknownKey:
            return broken(checked, f"{name} is sealed with key {event.key_id!r}, which is not configured")
        if not hmac.compare_digest(sealed, event.hash):
            return broken(checked, f"{name} was altered: its content does not match its hash")
        if checkpoint and event.seq == checkpoint.seq and event.hash != checkpoint.hash:
            return broken(
                checked, f"event #{event.seq} differs from the checkpoint of {checkpoint.at}: the chain was rewritten"
            )
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        if progress and checked % every == 0:
            progress(checked, head_seq)
    if head_seq != checked or head_hash != expected_prev:
        return broken(checked, f"events after #{checked} are missing (the chain head is at #{head_seq})")
    if checked and not keyed:
        # Since the upgrade every chain ends with a keyed event (the migration sealed the legacy
        # ones): an all-legacy chain was recomputed by someone without the key.
        return broken(checked, f"the newest event #{checked} is not keyed: the chain was rewritten")
    return ChainReport(organisation, checked, "", head_seq, head_hash)


def checkpoint_chain(report: ChainReport):
    """Anchor a chain that passed its check: a signed checkpoint of the head it verified, unless
    the latest checkpoint has that head already. The new checkpoint, or None."""
    from . import checkpoints

    if not report.ok or report.head_seq == 0:
        return None
    latest = checkpoints.latest(report.organisation)
    if latest and latest.seq == report.head_seq:
        return None
    return checkpoints.write(report.organisation, seq=report.head_seq, hash=report.head_hash)


# --- Verification jobs (run by Celery, polled by the audit trail page) -----------------------


def verification_request(*, organisation: Organisation, actor) -> Verification:
    """Queue a chain check unless one is already queued or running for the organisation (the
    database allows one active check per organisation; a concurrent request gets that one)."""
    verification, _created = jobs.create_or_active(
        Verification, active=organisation.audit_verifications.all(), organisation=organisation, requested_by=actor
    )
    return verification


def verification_run(verification_id: int) -> None:
    """Claim the job under a lease (core/jobs.py), check the chain, store the outcome and anchor
    a passing chain in a checkpoint. A check whose worker died is taken over and starts over,
    counting from zero again. Does nothing for a finished job or one another worker holds."""
    from .checkpoints import BadCheckpoint

    job = jobs.claim(Verification, verification_id)
    if job is None:
        return
    with jobs.working(job):
        report = verify_chain(
            job.organisation,
            progress=lambda checked, total: jobs.heartbeat(job, events_checked=checked, events_total=total),
        )
        message = report.error
        try:
            checkpoint_chain(report)
        except (OSError, BadCheckpoint) as exc:
            logger.error("audit checkpoint of organisation %s not written: %s", job.organisation_id, exc)
            message = f"The chain is intact, but its checkpoint could not be written: {exc}"
        jobs.finish(
            job,
            status=Verification.Status.PASSED if report.ok else Verification.Status.FAILED,
            events_checked=report.events_checked,
            events_total=report.head_seq,
            message=message,
        )


# --- Reading the trail ------------------------------------------------------------------------


def history_for(obj: models.Model, *, limit: int = 100) -> list[AuditEvent]:
    """The newest events about one record, for its History tab, labelled for people."""
    events = list(
        # Every record with a History tab belongs to an organisation; `Model` does not say so.
        AuditEvent.objects.filter(organisation_id=obj.organisation_id)  # type: ignore[attr-defined]
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
