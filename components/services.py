"""Writes to components, all through the one write path (audit.services.audited_*).

A tool or MCP server starts "proposed" with its adder as proposer; a material change to one that
was approved or rejected puts it back to "proposed" with the editor as proposer (MATERIAL_FIELDS:
what it reaches or may do), in the same locked write, so no approval outlives the thing approved.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import membership_of
from accounts.models import Team
from audit.services import audited_create, audited_retire, audited_update
from core.hidden_text import has_hidden
from governance.models import AISystem
from governance.services.inventory import ai_system_update

from . import bom, rules
from .consistency import SUGGESTIONS
from .models import MATERIAL_FIELDS, NEEDS_APPROVAL, Approval, Component, DatasetUse


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """One spelling for values that can be written several ways (so an import of what was
    exported compares equal): dataset uses in their canonical order, scopes one per line, sorted
    and once each (a set: CycloneDX properties come back sorted)."""
    data = dict(data)
    uses = data.get("dataset_uses")
    if isinstance(uses, list) and all(use in DatasetUse.values for use in uses):
        data["dataset_uses"] = [use for use in DatasetUse.values if use in uses]
    if isinstance(data.get("scopes"), str):
        data["scopes"] = "\n".join(sorted({line.strip() for line in data["scopes"].splitlines() if line.strip()}))
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    return data


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
    data = normalised(data)
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
    data = normalised(data)

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


# --- CycloneDX import ---------------------------------------------------------------------------

# Row columns the import never validates from a file (set by the service, not the BOM).
_NOT_FROM_FILE = [
    "organisation",
    "ai_system",
    "owner_team",
    "created_by",
    "proposed_by",
    "decided_by",
    "retired_by",
    "approval",
    "decision_note",
    "retirement_reason",
]


@dataclass
class ImportResult:
    created: list[Component] = field(default_factory=list)
    updated: list[Component] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0


def _entry_candidate(entry: bom.Entry, existing: Component | None, system: AISystem, teams, out: bom.Checked):
    """The component as it would be after the import, checked like the form checks it."""
    candidate = (
        copy.copy(existing) if existing is not None else Component(kind=entry.kind, owner_team=system.owner_team)
    )
    candidate.name = entry.name
    for name, value in entry.fields.items():
        setattr(candidate, name, value)
    if entry.owner_team is not None:
        team = teams.get(entry.owner_team.strip().lower())
        if team is None:
            out.problem(entry.path, f"no team called “{entry.owner_team[:80]}” in this organisation")
        else:
            candidate.owner_team = team
    try:
        candidate.clean_fields(exclude=_NOT_FROM_FILE)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            out.problem(f"{entry.path} ({name})", " ".join(messages))
    for name, message in candidate.problems().items():
        out.problem(f"{entry.path} ({name})", message)
    for name in ("name", "description", "supplier", "licence", "can_change", "scopes", "weights_location"):
        if has_hidden(str(getattr(candidate, name) or "")):
            out.problem(f"{entry.path} ({name})", "contains hidden characters; remove them and import again")
    return candidate


def bom_import(*, actor, system: AISystem, data: bytes) -> ImportResult:
    """Create or update the system's components from a CycloneDX JSON BOM, all or nothing.

    An entry matches the active component of the same kind and name (case ignored); only the
    fields the file states are written; components the file does not list are left alone; an
    approval is never read from a file (a new tool or MCP server is proposed, and a material
    change sends an approved one back to proposed). The same file twice changes nothing the
    second time. Raises ValidationError listing every problem; writes nothing then.
    """
    checked = bom.check(data)
    result = ImportResult(skipped=checked.skipped)
    with transaction.atomic():
        _may_add(actor, system)
        existing = {
            (c.kind, c.name.lower()): c
            for c in Component.objects.active().filter(ai_system=system).select_related("owner_team")
        }
        teams = {t.name.lower(): t for t in Team.objects.filter(organisation_id=system.organisation_id)}
        plans = []
        for entry in checked.entries:  # checked even when the file had problems: report them all
            current = existing.get((entry.kind, entry.name.lower()))
            candidate = _entry_candidate(entry, current, system, teams, checked)
            plans.append((entry, current, candidate))
        if not checked.ok:
            extra = checked.total_problems - len(checked.problems)
            problems = checked.problems + ([f"… and {extra} more problems"] if extra > 0 else [])
            raise ValidationError(problems)
        for entry, current, candidate in plans:
            values = {name: getattr(candidate, name) for name in ("name", *entry.fields)}
            values["owner_team"] = candidate.owner_team
            if current is None:
                result.created.append(_create(actor=actor, system=system, kind=entry.kind, data=values))
                continue
            changed = {k: v for k, v in values.items() if getattr(current, k) != v}
            if not changed:
                result.unchanged += 1
                continue
            result.updated.append(
                audited_update(
                    current,
                    actor=actor,
                    action="components.component.imported",
                    expected_version=current.version,
                    changes=_update_changes(actor, changed),
                )
            )
    return result
