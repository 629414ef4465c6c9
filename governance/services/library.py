"""An organisation's own library: controls and frameworks it adds, edits and retires, and imports.

The rules for a control or framework are those of the library format (governance.library.schema),
whether it comes from a form or a file: the services build a one-entry document and load it
through the importer, so a form and an upload can never disagree. Built-in rows change only
with a library release (`load_library`); these services refuse them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from audit.services import audited_retire, audited_state, lock, record, record_changes

from ..library import ImportReport, LibraryInvalid, import_document
from ..library.schema import LibraryError
from ..models import Control, Framework, Scenario, Threat

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


def _own_and_active(row: Control | Framework) -> None:
    """Built-in rows change only with a release; retired rows stay as they were."""
    if row.organisation_id is None:
        raise ValidationError(_("Built-in library content changes only with a library release."))
    if row.retired_at is not None:
        raise ValidationError(_("Retired library content cannot be changed."))


# --- controls and frameworks ------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """What differs between the organisation's own controls and frameworks; the steps are the same."""

    model: type[Control] | type[Framework]
    section: str
    identity: str  # the field that names the entry and is fixed once it exists
    action: str
    clash: StrOrPromise


CONTROLS = _Kind(
    Control,
    "controls",
    "ref",
    "governance.control",
    gettext_lazy("Your library already has a control with this reference."),
)
FRAMEWORKS = _Kind(
    Framework,
    "frameworks",
    "key",
    "governance.framework",
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
            organisation=organisation, actor=actor, action=f"{kind.action}.created", obj=row, after=audited_state(row)
        )
    return row


def _update(kind: _Kind, *, actor, row, expected_version: int, spec: dict[str, Any]):
    """The one-entry document goes through the importer (it writes the fields and mappings and
    moves the version on); the row is locked at the user's version first, and the diff recorded."""
    with transaction.atomic():
        row = lock(row, expected_version=expected_version)
        _own_and_active(row)
        before = audited_state(row)
        # The identity comes from the row, never the input: it is what other rows and files refer to.
        _load_one(
            organisation=row.organisation,
            section=kind.section,
            spec={**spec, kind.identity: getattr(row, kind.identity)},
        )
        row.refresh_from_db()
        record_changes(row, before, actor=actor, action=f"{kind.action}.updated")
    return row


def control_create(*, actor, organisation: Organisation, spec: dict[str, Any]) -> Control:
    """Add an organisation control from a library-format entry; ValidationError names bad fields."""
    return _create(CONTROLS, actor=actor, organisation=organisation, spec=spec)


def control_update(*, actor, control: Control, expected_version: int, spec: dict[str, Any]) -> Control:
    """Save changes made from `expected_version` (else EditConflict); the reference stays."""
    return _update(CONTROLS, actor=actor, row=control, expected_version=expected_version, spec=spec)


def control_retire(*, actor, control: Control, expected_version: int, reason: str) -> Control:
    """Take an own control out of the library. It stays readable, and so does all work done on it."""
    with transaction.atomic():
        return audited_retire(
            control,
            actor=actor,
            action="governance.control.retired",
            expected_version=expected_version,
            reason=reason,
            check=_own_and_active,
        )


def framework_create(*, actor, organisation: Organisation, spec: dict[str, Any]) -> Framework:
    return _create(FRAMEWORKS, actor=actor, organisation=organisation, spec=spec)


def framework_update(*, actor, framework: Framework, expected_version: int, spec: dict[str, Any]) -> Framework:
    """Save changes; items no longer listed are retired (mappings to them stay readable)."""
    return _update(FRAMEWORKS, actor=actor, row=framework, expected_version=expected_version, spec=spec)


# --- files ------------------------------------------------------------------------------------


# The organisation's own rows an import may add or change, with what their audit state reads.
_IMPORTED: list[tuple[type[Framework] | type[Control] | type[Threat] | type[Scenario], tuple[str, ...]]] = [
    (Framework, ("items",)),
    (Control, ("mappings__framework",)),
    (Threat, ("mappings__framework", "controls")),
    (Scenario, ("mappings__framework", "threats", "controls")),
]


def _own_states(organisation: Organisation) -> dict[tuple[type, int], dict[str, Any]]:
    """Every own library row's audit state, a handful of queries whatever the number of rows."""
    states = {}
    for model, related in _IMPORTED:
        for row in model.objects.filter(organisation=organisation).prefetch_related(*related):
            states[(model, row.pk)] = audited_state(row)
    return states


def library_import(*, actor, organisation: Organisation, document: Any, source: str = "") -> ImportReport:
    """Import a document into the organisation's own library, all or nothing (LibraryInvalid).

    Besides the summary, every row the import creates or changes gets its own event with the
    fields that changed, as an edit in the form would: its History tab tells the whole story.
    """
    with transaction.atomic():
        before = _own_states(organisation)
        report = import_document(document, organisation=organisation)
        for model, related in _IMPORTED:
            label = model._meta.model_name
            for row in model.objects.filter(organisation=organisation).prefetch_related(*related):
                old = before.get((model, row.pk))
                if old is None:
                    record(
                        organisation=organisation,
                        actor=actor,
                        action=f"governance.{label}.created",
                        obj=row,
                        after=audited_state(row),
                    )
                else:
                    record_changes(row, old, actor=actor, action=f"governance.{label}.updated")
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
