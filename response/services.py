"""Writes of IR plans, their roles and playbooks, and tabletop exercises. The records go through
the shared services (records.services); their rows through the one audited write path, only
while the plan is a draft (or sent back)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_create, audited_state, audited_update, lock, record
from records.rules import can_edit_record, can_work_on_record
from records.services import record_create, record_update

from . import defaults
from .models import IncidentResponsePlan, PlanRole, Playbook, TabletopExercise
from .templates import by_key, fitting


def _covered(primary, systems) -> list:
    """Every covered system, the primary one first; all of the plan's organisation, none retired."""
    covered = [primary, *(s for s in systems if s.pk != primary.pk)]
    if any(s.organisation_id != primary.organisation_id for s in covered):
        raise ValidationError({"systems": _("Choose systems of this organisation.")})
    if any(s.retired_at is not None for s in covered):
        raise ValidationError({"systems": _("Retired systems are not covered by new plans.")})
    return covered


def plan_create(
    *, actor, primary, systems=(), data: dict[str, Any], template_keys: list[str] | None = None
) -> IncidentResponsePlan:
    """Start a plan for `primary` and the other `systems`, with a playbook per template that fits
    at least one covered system's profile (or the `template_keys` chosen from them), the default
    severity levels and the external notifications the profiles call for."""
    covered = _covered(primary, systems)
    templates = fitting(covered)
    if template_keys is not None:
        templates = [t for t in templates if t.key in set(template_keys)]
    data = {"severity_levels": defaults.severity_levels(), "notifications": defaults.notifications(covered), **data}
    with transaction.atomic():
        plan = record_create(IncidentResponsePlan, actor=actor, system=primary, data=data, m2m={"systems": covered})
        for template in templates:
            audited_create(
                Playbook,
                actor=actor,
                action="response.playbook.created",
                data={"organisation": plan.organisation, "plan": plan, **template.playbook_data()},
            )
        return plan


def plan_update(*, actor, plan: IncidentResponsePlan, expected_version: int, data: dict, systems=()):
    covered = _covered(plan.ai_system, systems)
    return record_update(plan, actor=actor, expected_version=expected_version, data=data, m2m={"systems": covered})


def _editable(actor, plan: IncidentResponsePlan) -> IncidentResponsePlan:
    """Lock the plan so its state cannot change under the row being written."""
    locked = lock(plan)
    if not locked.is_editable:
        raise ValidationError(_("Only drafts are edited; start a new version of an approved plan."))
    if not can_edit_record(membership_of(actor, locked), locked):
        raise PermissionDenied(_("Leads and the covered systems' owner teams edit the plan."))
    return locked


def _check_member(plan, member) -> None:
    if member is not None and not member.memberships.filter(organisation_id=plan.organisation_id).exists():
        raise ValidationError({"member": _("Choose a member of this organisation.")})


def plan_roles_save(*, actor, plan: IncidentResponsePlan, rows: list[dict[str, Any]]) -> list[PlanRole]:
    """Set the plan's contacts, one row per role: each row is the contact's fields plus the
    `version` of the row the page showed (None for a role it showed empty); a row with neither a
    member nor a name clears the role. A row changed by someone else meanwhile conflicts."""
    saved: list[PlanRole] = []
    with transaction.atomic():
        locked = _editable(actor, plan)
        current = {r.role: r for r in PlanRole.objects.filter(plan=locked)}
        for row in rows:
            row = dict(row)
            role, version = row.pop("role"), row.pop("version", None)
            existing = current.get(role)
            empty = row.get("member") is None and not (row.get("name") or "").strip()
            _check_member(locked, row.get("member"))
            if existing is None:
                if empty:
                    continue
                if version:  # the page showed a contact that someone removed meanwhile
                    from core.concurrency import EditConflict

                    raise EditConflict(locked, version)
                saved.append(
                    audited_create(
                        PlanRole,
                        actor=actor,
                        action="response.planrole.created",
                        data={"organisation": locked.organisation, "plan": locked, "role": role, **row},
                    )
                )
            elif empty:
                lock(existing, expected_version=version)
                record(
                    organisation=locked.organisation,
                    actor=actor,
                    action="response.planrole.removed",
                    obj=existing,
                    before=audited_state(existing),
                )
                existing.delete()
            else:
                saved.append(
                    audited_update(
                        existing,
                        actor=actor,
                        action="response.planrole.updated",
                        expected_version=version or 0,
                        changes=row,
                    )
                )
    return saved


def playbook_add(*, actor, plan: IncidentResponsePlan, data: dict[str, Any]) -> Playbook:
    with transaction.atomic():
        locked = _editable(actor, plan)
        return audited_create(
            Playbook,
            actor=actor,
            action="response.playbook.created",
            data={"organisation": locked.organisation, "plan": locked, **data},
        )


def playbook_add_templates(*, actor, plan: IncidentResponsePlan, keys: list[str]) -> list[Playbook]:
    """Add playbooks from templates by key (any template: the author may add one that the profile
    did not suggest)."""
    templates = by_key()
    unknown = [k for k in keys if k not in templates]
    if unknown:
        raise ValidationError(_("Unknown template: %(keys)s") % {"keys": ", ".join(unknown)})
    with transaction.atomic():
        return [playbook_add(actor=actor, plan=plan, data=templates[k].playbook_data()) for k in keys]


def playbook_update(*, actor, playbook: Playbook, expected_version: int, data: dict) -> Playbook:
    with transaction.atomic():
        _editable(actor, playbook.plan)
        return audited_update(
            playbook, actor=actor, action="response.playbook.updated", expected_version=expected_version, changes=data
        )


def playbook_remove(*, actor, playbook: Playbook) -> None:
    """Drafts drop playbooks; the event keeps what was removed. A playbook a tabletop exercised
    stays (it is the record of what was rehearsed)."""
    with transaction.atomic():
        _editable(actor, playbook.plan)
        if playbook.tabletops.exists():
            raise ValidationError(_("A tabletop exercise rehearsed this playbook; it stays in the plan."))
        record(
            organisation=playbook.organisation,
            actor=actor,
            action="response.playbook.removed",
            obj=playbook,
            before=audited_state(playbook),
        )
        try:
            with transaction.atomic():
                playbook.delete()
        except ProtectedError:  # an incident (incidents app) followed it: it stays on record
            raise ValidationError(_("An incident followed this playbook; it stays in the plan.")) from None


# --- Tabletop exercises --------------------------------------------------------------------------


def _check_playbook(plan, playbook) -> None:
    if playbook is None or playbook.plan_id != plan.pk:
        raise ValidationError({"playbook": _("Choose a playbook of this plan.")})


def tabletop_create(*, actor, plan: IncidentResponsePlan, data: dict[str, Any], m2m: dict) -> TabletopExercise:
    """Record a tabletop exercise of `plan` (its primary system frames the record's pages)."""
    _check_playbook(plan, data.get("playbook"))
    if not can_work_on_record(membership_of(actor, plan), plan):
        raise PermissionDenied(_("Leads and the covered systems' owner teams record tabletop exercises."))
    return record_create(TabletopExercise, actor=actor, system=plan.ai_system, data={"plan": plan, **data}, m2m=m2m)


def tabletop_update(*, actor, tabletop: TabletopExercise, expected_version: int, data: dict, m2m: dict):
    _check_playbook(tabletop.plan, data.get("playbook"))
    return record_update(tabletop, actor=actor, expected_version=expected_version, data=data, m2m=m2m)
