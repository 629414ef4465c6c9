"""An organisation's own library: controls and frameworks it adds, edits and retires, and imports.

The rules for a control or framework are those of the library format (governance.library.schema),
whether it comes from a form or a file: the services build a one-entry document and load it
through the importer, so a form and an upload can never disagree. Built-in rows change only
with a library release (`load_library`); these services refuse them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from audit.services import diff, record
from core.concurrency import EditConflict

from ..library import ImportReport, LibraryInvalid, import_document
from ..library.schema import LibraryError
from ..models import Control, Framework

CONTROL_AUDITED = [
    "ref",
    "title",
    "objective",
    "guidance",
    "evidence_hint",
    "domain",
    "practice",
    "applies_when",
    "review_cadence_days",
    "concerns",
]
FRAMEWORK_AUDITED = ["key", "edition", "name", "url", "licence", "notice"]

# "controls[AC-X].mappings[2]" → "mappings": the form field an error belongs to.
_FIELD = re.compile(r"^[a-z_]+\[[^\]]*\]\.([a-z_]+)")


def _as_validation_error(errors: list[LibraryError]) -> ValidationError:
    """Library errors as form errors: on the field they concern, the rest for the whole form."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        match = _FIELD.match(error.path)
        name = match.group(1) if match else "__all__"
        inner = error.path[match.end() :] if match else ""
        # Keep the inner path only where it says more than a list position: "items[A.1].parent".
        message = f"{name}{inner}: {error.message}" if "." in inner else error.message
        by_field.setdefault(name, []).append(message)
    return ValidationError({name: [ValidationError(m) for m in messages] for name, messages in by_field.items()})


def _load_one(*, organisation: Organisation, section: str, spec: dict[str, Any]) -> None:
    try:
        import_document({"version": 1, section: [spec]}, organisation=organisation)
    except LibraryInvalid as exc:
        raise _as_validation_error(exc.errors) from None


def _locked(model, obj, expected_version: int | None):
    """The row, locked; refuses built-in and retired rows and stale edits."""
    row = model.objects.select_for_update().get(pk=obj.pk)
    if row.organisation_id is None:
        raise ValidationError(_("Built-in library content changes only with a library release."))
    if row.retired_at is not None:
        raise ValidationError(_("Retired library content cannot be changed."))
    if expected_version is not None and row.version != expected_version:
        raise EditConflict(row, expected_version)
    return row


def control_snapshot(control: Control) -> dict[str, Any]:
    data = {name: getattr(control, name) for name in CONTROL_AUDITED}
    data["mappings"] = sorted(f"{i.framework.key}:{i.ref}" for i in control.mappings.select_related("framework"))
    data["version"] = control.version
    return data


def framework_snapshot(framework: Framework) -> dict[str, Any]:
    data = {name: getattr(framework, name) for name in FRAMEWORK_AUDITED}
    data["items"] = [f"{i.ref} {i.title}" for i in framework.items.filter(retired_at__isnull=True)]
    data["version"] = framework.version
    return data


# --- controls and frameworks ------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """What differs between the organisation's own controls and frameworks; the steps are the same."""

    model: type[Control] | type[Framework]
    section: str
    identity: str  # the field that names the entry and is fixed once it exists
    action: str
    snapshot: Callable[[Any], dict[str, Any]]
    clash: str


CONTROLS = _Kind(
    Control,
    "controls",
    "ref",
    "governance.control",
    control_snapshot,
    gettext_lazy("Your library already has a control with this reference."),
)
FRAMEWORKS = _Kind(
    Framework,
    "frameworks",
    "key",
    "governance.framework",
    framework_snapshot,
    gettext_lazy("Your library already has a framework with this key."),
)


def _create(kind: _Kind, *, actor, organisation: Organisation, spec: dict[str, Any]):
    with transaction.atomic():
        identity = {kind.identity: spec.get(kind.identity)}
        if kind.model.objects.filter(organisation=organisation, **identity).exists():
            raise ValidationError({kind.identity: kind.clash})
        _load_one(organisation=organisation, section=kind.section, spec=spec)
        row = kind.model.objects.get(organisation=organisation, **identity)
        record(
            organisation=organisation, actor=actor, action=f"{kind.action}.created", obj=row, after=kind.snapshot(row)
        )
    return row


def _update(kind: _Kind, *, actor, row, expected_version: int, spec: dict[str, Any]):
    with transaction.atomic():
        row = _locked(kind.model, row, expected_version)
        before = kind.snapshot(row)
        # The identity comes from the row, never the input: it is what other rows and files refer to.
        _load_one(
            organisation=row.organisation,
            section=kind.section,
            spec={**spec, kind.identity: getattr(row, kind.identity)},
        )
        row.refresh_from_db()
        old, new = diff(before, kind.snapshot(row))
        if old or new:
            record(
                organisation=row.organisation,
                actor=actor,
                action=f"{kind.action}.updated",
                obj=row,
                before=old,
                after=new,
            )
    return row


def control_create(*, actor, organisation: Organisation, spec: dict[str, Any]) -> Control:
    """Add an organisation control from a library-format entry; ValidationError names bad fields."""
    return _create(CONTROLS, actor=actor, organisation=organisation, spec=spec)


def control_update(*, actor, control: Control, expected_version: int, spec: dict[str, Any]) -> Control:
    """Save changes made from `expected_version` (else EditConflict); the reference stays."""
    return _update(CONTROLS, actor=actor, row=control, expected_version=expected_version, spec=spec)


def control_retire(*, actor, control: Control, reason: str) -> Control:
    """Take an own control out of the library. It stays readable, and so does all work done on it."""
    with transaction.atomic():
        control = _locked(Control, control, None)
        control.retired_at = timezone.now()
        control.version += 1
        control.save(update_fields=["retired_at", "version", "updated_at"])
        record(
            organisation=control.organisation,
            actor=actor,
            action="governance.control.retired",
            obj=control,
            before={"retired_at": None},
            after={"retired_at": control.retired_at, "reason": reason, "version": control.version},
        )
    return control


def framework_create(*, actor, organisation: Organisation, spec: dict[str, Any]) -> Framework:
    return _create(FRAMEWORKS, actor=actor, organisation=organisation, spec=spec)


def framework_update(*, actor, framework: Framework, expected_version: int, spec: dict[str, Any]) -> Framework:
    """Save changes; items no longer listed are retired (mappings to them stay readable)."""
    return _update(FRAMEWORKS, actor=actor, row=framework, expected_version=expected_version, spec=spec)


# --- files ------------------------------------------------------------------------------------


def library_import(*, actor, organisation: Organisation, document: Any, source: str = "") -> ImportReport:
    """Import a document into the organisation's own library, all or nothing (LibraryInvalid)."""
    with transaction.atomic():
        report = import_document(document, organisation=organisation)
        record(
            organisation=organisation,
            actor=actor,
            action="governance.library.imported",
            object_type="governance.library",
            object_id=organisation.slug,
            object_repr=source or "library file",
            after={"source": source, "counts": report.as_dict()},
        )
    return report
