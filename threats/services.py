"""Threat model writes: the record through the shared services (records.services), its entries
through the one audited write path, only while the threat model is a draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_create, audited_state, audited_update, lock, record
from governance.models import Threat
from records.rules import can_edit_record, can_work_on_record
from records.services import record_create, record_update, triage

from .models import RedTeamExercise, RedTeamFinding, Scanner, ThreatEntry, ThreatModel, surfaces_from_profile


def threat_model_create(*, actor, system, data: dict[str, Any]) -> ThreatModel:
    data = {"surfaces": surfaces_from_profile(system), **data}
    return record_create(ThreatModel, actor=actor, system=system, data=data)


def threat_model_update(*, actor, threat_model: ThreatModel, expected_version: int, data: dict) -> ThreatModel:
    return record_update(threat_model, actor=actor, expected_version=expected_version, data=data)


def _editable(actor, threat_model: ThreatModel) -> ThreatModel:
    """Lock the threat model so its state cannot change under the entry being written."""
    locked = lock(threat_model)
    if not locked.is_editable:
        raise ValidationError(_("Only drafts are edited; start a new version of an approved threat model."))
    if not can_edit_record(membership_of(actor, locked), locked):
        raise PermissionDenied(_("Leads and the system's owner team edit threat models."))
    return locked


def _check_mitigations(threat_model: ThreatModel, mitigations) -> None:
    if any(m.ai_system_id != threat_model.ai_system_id for m in mitigations):
        raise ValidationError({"mitigations": _("Choose assignments of this system.")})


def entry_add(*, actor, threat_model: ThreatModel, data: dict[str, Any], mitigations=()) -> ThreatEntry:
    threat = data.get("threat")
    if threat is None and not (data.get("title") or "").strip():
        raise ValidationError({"title": _("Pick a library threat or name a custom one.")})
    if threat is not None and not data.get("surface"):
        data = {**data, "surface": threat.surface}
    _check_mitigations(threat_model, mitigations)
    with transaction.atomic():
        locked = _editable(actor, threat_model)
        return audited_create(
            ThreatEntry,
            actor=actor,
            action="threats.entry.created",
            data={"organisation": locked.organisation, "threat_model": locked, **data},
            m2m={"mitigations": list(mitigations)},
        )


def entry_update(*, actor, entry: ThreatEntry, expected_version: int, data: dict, mitigations=()) -> ThreatEntry:
    _check_mitigations(entry.threat_model, mitigations)
    with transaction.atomic():
        _editable(actor, entry.threat_model)
        return audited_update(
            entry,
            actor=actor,
            action="threats.entry.updated",
            expected_version=expected_version,
            changes=data,
            m2m={"mitigations": list(mitigations)},
        )


def entry_remove(*, actor, entry: ThreatEntry) -> None:
    """Drafts drop entries; the event keeps what was removed."""
    with transaction.atomic():
        _editable(actor, entry.threat_model)
        before = audited_state(entry)
        record(organisation=entry.organisation, actor=actor, action="threats.entry.removed", obj=entry, before=before)
        entry.delete()


def suggestions(threat_model: ThreatModel) -> list[Threat]:
    """Library threats on the model's surfaces that apply to the system: a threat applies when
    it suggests no control or one of its controls applies to the profile. Threats already in the
    model are left out."""
    system = threat_model.ai_system
    taken = set(threat_model.entries.exclude(threat=None).values_list("threat_id", flat=True))
    threats = (
        Threat.objects.for_org(threat_model.organisation)
        .active()
        .filter(surface__in=threat_model.surfaces)
        .exclude(pk__in=taken)
        .prefetch_related("controls", "mappings__framework")
        .order_by("surface", "ref")
    )
    return [t for t in threats if not t.controls.all() or any(c.is_applicable_to(system) for c in t.controls.all())]


def suggestions_accept(*, actor, threat_model: ThreatModel, threats) -> list[ThreatEntry]:
    """Add the suggested threats the author kept, rated 3 × 3 until they rate them."""
    with transaction.atomic():
        return [
            entry_add(actor=actor, threat_model=threat_model, data={"threat": t, "surface": t.surface}) for t in threats
        ]


# --- Red-team exercises ---------------------------------------------------------------------


def exercise_create(*, actor, system, data: dict[str, Any], m2m: dict) -> RedTeamExercise:
    _check_dates(data)
    return record_create(RedTeamExercise, actor=actor, system=system, data=data, m2m=m2m)


def exercise_update(*, actor, exercise: RedTeamExercise, expected_version: int, data: dict, m2m: dict):
    _check_dates(data)
    return record_update(exercise, actor=actor, expected_version=expected_version, data=data, m2m=m2m)


def _check_dates(data: dict) -> None:
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        raise ValidationError({"ends_on": _("The exercise ends on or after the day it starts.")})


def _finding_work(actor, exercise: RedTeamExercise) -> RedTeamExercise:
    """Findings live beyond the report's approval (they are mitigated, retested…): leads and the
    record's teams change them at any time."""
    locked = lock(exercise)
    if not can_work_on_record(membership_of(actor, locked), locked):
        raise PermissionDenied(_("Leads and the system's owner team record findings."))
    return locked


def _triaged(data: dict) -> dict:
    return {**data, "domain": triage(data)}


def finding_add(*, actor, exercise: RedTeamExercise, data: dict) -> RedTeamFinding:
    with transaction.atomic():
        locked = _finding_work(actor, exercise)
        return audited_create(
            RedTeamFinding,
            actor=actor,
            action="threats.finding.created",
            data={"organisation": locked.organisation, "exercise": locked, **_triaged(data)},
        )


def finding_update(*, actor, finding: RedTeamFinding, expected_version: int, data: dict) -> RedTeamFinding:
    with transaction.atomic():
        _finding_work(actor, finding.exercise)
        return audited_update(
            finding,
            actor=actor,
            action="threats.finding.updated",
            expected_version=expected_version,
            changes=_triaged(data),
        )


IMPORT_FORMATS = ("csv", "garak", "promptfoo")


@dataclass
class Imported:
    added: list[RedTeamFinding]
    already: int  # results of the file already imported into the exercise (natural key)


def findings_import(*, actor, exercise: RedTeamExercise, data: bytes, file_format: str = "csv") -> Imported:
    """All or nothing: the whole file is checked first (findings_csv, scanners); any error raises
    ValidationError listing every problem, and nothing is written. Results already imported into
    the exercise (same natural key) are not added again."""
    from .findings_csv import check
    from .scanners import CHECKERS

    if file_format not in IMPORT_FORMATS:
        raise ValidationError({"format": _("Choose csv, garak or promptfoo.")})
    checker = CHECKERS[Scanner(file_format)] if file_format in CHECKERS else check
    checked = checker(data, exercise.organisation)
    if checked.errors:
        raise ValidationError(checked.errors)
    with transaction.atomic():
        locked = _finding_work(actor, exercise)
        keys = {row.get("natural_key", "") for row in checked.rows} - {""}
        known = set(
            RedTeamFinding.objects.filter(exercise=locked, natural_key__in=keys).values_list("natural_key", flat=True)
        )
        added = []
        for row in checked.rows:
            if row.get("natural_key") in known:
                continue
            data_ = {k: v for k, v in row.items() if k != "framework_items"}
            added.append(
                audited_create(
                    RedTeamFinding,
                    actor=actor,
                    action="threats.finding.imported",
                    data={"organisation": locked.organisation, "exercise": locked, **data_},
                    m2m={"framework_items": row["framework_items"]} if "framework_items" in row else None,
                )
            )
        return Imported(added=added, already=len(checked.rows) - len(added))
