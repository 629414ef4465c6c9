"""Writes to components, all through the one write path (audit.services.audited_*).

A tool or MCP server starts "proposed" with its adder as proposer; a material change to one that
was approved or rejected puts it back to "proposed" with the editor as proposer (MATERIAL_FIELDS:
what it reaches or may do), in the same locked write, so no approval outlives the thing approved.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_create, audited_retire, audited_update
from governance.models import AISystem
from governance.services.inventory import ai_system_update

from . import rules
from .consistency import SUGGESTIONS
from .models import MATERIAL_FIELDS, NEEDS_APPROVAL, Approval, Component


def _checked(component: Component) -> None:
    problems = component.problems()
    if problems:
        raise ValidationError(problems)


def _may_add(actor, system: AISystem) -> None:
    if not rules.can_add_component(membership_of(actor, system), system):
        raise PermissionDenied(_("Leads and the system's owner team add components to it."))


def component_create(*, actor, system: AISystem, kind: str, data: dict[str, Any]) -> Component:
    """Add a component to `system` (tools and MCP servers start awaiting security approval)."""
    with transaction.atomic():
        _may_add(actor, system)
        return _create(actor=actor, system=system, kind=kind, data=data)


def _create(*, actor, system: AISystem, kind: str, data: dict[str, Any]) -> Component:
    needs = kind in NEEDS_APPROVAL
    candidate = Component(organisation=system.organisation, ai_system=system, kind=kind, **data)
    _checked(candidate)
    _unique(system, kind, data["name"])
    return audited_create(
        Component,
        actor=actor,
        action="components.component.created",
        data={
            "organisation": system.organisation,
            "ai_system": system,
            "kind": kind,
            "created_by": actor,
            "approval": Approval.PROPOSED if needs else Approval.NOT_NEEDED,
            "proposed_by": actor if needs else None,
            **data,
        },
    )


def _unique(system: AISystem, kind: str, name: str, *, exclude: int | None = None) -> None:
    clash = Component.objects.active().filter(ai_system=system, kind=kind, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("This system already has an active component of this kind with this name.")})


def material_change(before: Component, data: dict[str, Any]) -> bool:
    return any(name in data and data[name] != getattr(before, name) for name in MATERIAL_FIELDS)


def _update_changes(actor, data: dict[str, Any]):
    def changes(locked: Component) -> dict[str, Any]:
        result = dict(data)
        if locked.kind in NEEDS_APPROVAL and locked.approval != Approval.PROPOSED and material_change(locked, data):
            result.update(
                approval=Approval.PROPOSED, proposed_by=actor, decided_by=None, decided_at=None, decision_note=""
            )
        for name, value in result.items():
            setattr(locked, name, value)
        _checked(locked)
        return result

    return changes


def component_update(*, actor, component: Component, expected_version: int, data: dict[str, Any]) -> Component:
    """Save changes made from `expected_version` (EditConflict if it moved on)."""

    def check(locked: Component) -> None:
        if not rules.can_change_component(membership_of(actor, locked), locked):
            raise PermissionDenied(_("Leads and the owner teams change an active component."))

    with transaction.atomic():
        if "name" in data:
            _unique(component.ai_system, component.kind, data["name"], exclude=component.pk)
        return audited_update(
            component,
            actor=actor,
            action="components.component.updated",
            expected_version=expected_version,
            check=check,
            changes=_update_changes(actor, data),
        )


def component_retire(*, actor, component: Component, expected_version: int, reason: str) -> Component:
    """Take a component out of the system (never deleted: it stays readable with its history)."""

    def check(locked: Component) -> None:
        if not rules.can_change_component(membership_of(actor, locked), locked):
            raise PermissionDenied(_("Leads and the owner teams retire a component."))

    with transaction.atomic():
        return audited_retire(
            component,
            actor=actor,
            action="components.component.retired",
            expected_version=expected_version,
            reason=reason,
            changes={"retired_by": actor},
            check=check,
        )


def profile_suggestion_apply(*, actor, system: AISystem, expected_version: int, flag: str) -> AISystem:
    """Turn on the capability flag a component suggested, through the profile's own service (so
    the change is audited as a profile change; a re-assessment then adds the controls)."""
    from governance.rules import can_edit_system

    if flag not in SUGGESTIONS:
        raise ValidationError(_("Unknown profile suggestion."))
    with transaction.atomic():
        if not can_edit_system(membership_of(actor, system), system):
            raise PermissionDenied(_("Leads and the system's owner team edit its profile."))
        return ai_system_update(actor=actor, system=system, expected_version=expected_version, data={flag: True})
