"""Writes of the regulatory documents, through the one audited write path.

The FRIA goes through the shared record services (records.services); the technical file's
statements and the SoA decisions through `audit.services.audited_create / audited_update`. Who
may write is checked on the locked row (or, for a first write, under the organisation's lock).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_create, audited_update
from core.concurrency import EditConflict
from records.services import record_create, record_update

from . import rules
from .facts import SystemFacts, system_facts
from .models import Applicability, FundamentalRightsAssessment, SoADecision, TechnicalFile

# --- Fundamental-rights impact assessment ---------------------------------------------------------


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def fria_prefill(system, facts: SystemFacts | None = None) -> dict[str, str]:
    """A first draft of the assessment from what Bastion already holds: the profile, the
    questionnaire's answers and the risk register. The deployer reviews and completes it."""
    facts = facts or system_facts(system)
    risks = facts.risks
    harms = [
        _("%(title)s (residual score %(score)s, %(treatment)s)")
        % {"title": r.title, "score": r.residual_score, "treatment": r.get_treatment_display().lower()}
        for r in risks
    ]
    measures = []
    for r in risks:
        controls = ", ".join(c.ref for c in r.controls.all())
        if controls:
            measures.append(_("%(title)s: controls %(controls)s") % {"title": r.title, "controls": controls})
    intended = facts.answer_text("intended_use")
    return {
        "title": _("Fundamental-rights impact assessment of %(name)s") % {"name": system.name},
        "deployer_processes": _lines(intended, system.description),
        "period_and_frequency": _lines(
            _("Lifecycle stage: %(stage)s.") % {"stage": system.get_lifecycle_stage_display()},
        ),
        "affected_groups": _lines(
            facts.answer_text("audiences") and _("Users and people affected: %s.") % facts.answer_text("audiences"),
            facts.answer_text("decision_areas")
            and _("Decisions about people: %s.") % facts.answer_text("decision_areas"),
            facts.answer_text("people_affected")
            and _("People one failure could affect: %s.") % facts.answer_text("people_affected"),
            system.vulnerable_users and _("Children or vulnerable people may be affected."),
        ),
        "risks_of_harm": _lines(
            facts.answer_text("worst_case"),
            facts.answer_text("harm_types") and _("Kinds of harm: %s.") % facts.answer_text("harm_types"),
            *(f"- {h}" for h in harms),
        ),
        "oversight_measures": _lines(
            facts.answer_text("human_oversight"),
            _("Autonomy: %(autonomy)s.") % {"autonomy": system.get_autonomy_display()},
        ),
        "mitigation_measures": _lines(*(f"- {m}" for m in measures)),
        "complaint_handling": "",
    }


def _fria_allowed(system) -> None:
    refusal = rules.fria_refusal(system)
    if refusal:
        raise ValidationError(refusal)


def fria_create(*, actor, system, data: dict[str, Any]) -> FundamentalRightsAssessment:
    _fria_allowed(system)
    return record_create(FundamentalRightsAssessment, actor=actor, system=system, data=data)


def fria_update(
    *, actor, fria: FundamentalRightsAssessment, expected_version: int, data: dict[str, Any]
) -> FundamentalRightsAssessment:
    return record_update(fria, actor=actor, expected_version=expected_version, data=data)


# --- One row per system or per item: created by the first save, updated afterwards -------------


def _create_or_update(
    model, *, actor, organisation, key: dict[str, Any], changes: dict[str, Any], expected_version, allowed, refusal
):
    """Create the row `key` names on the first save (when the editor saw none), update it from the
    version the editor saw afterwards. A first save that races another one conflicts instead of
    overwriting it. `allowed(membership)` is checked on the locked row (or before the create)."""
    label = f"regulatory.{model._meta.model_name}"

    def check(row) -> None:
        if not allowed(membership_of(actor, row)):
            raise PermissionDenied(refusal)

    with transaction.atomic():
        existing = model.objects.filter(organisation=organisation, **key).first()
        if existing is not None:
            return audited_update(
                existing,
                actor=actor,
                action=f"{label}.updated",
                expected_version=expected_version or 0,
                changes=changes,
                check=check,
            )
        if expected_version:
            raise EditConflict(model(organisation=organisation, version=0, **key), expected_version)
        check(model(organisation=organisation, **key))
        try:
            with transaction.atomic():
                return audited_create(
                    model, actor=actor, action=f"{label}.created", data={"organisation": organisation, **key, **changes}
                )
        except IntegrityError:
            raise EditConflict(model.objects.get(organisation=organisation, **key), 0) from None


# --- Technical file (the provider's statements for Annex IV) ---------------------------------------


def technical_file_save(*, actor, system, data: dict[str, Any], expected_version: int | None) -> TechnicalFile:
    """Save the system's statements (from the version the editor saw: a stale page conflicts)."""
    refusal = rules.technical_file_refusal(system)
    if refusal:
        raise ValidationError(refusal)
    values = {name: (data.get(name) or "").strip() for name in TechnicalFile.TEXT_FIELDS}
    return _create_or_update(
        TechnicalFile,
        actor=actor,
        organisation=system.organisation,
        key={"ai_system": system},
        changes={**values, "updated_by": actor},
        expected_version=expected_version,
        allowed=lambda membership: rules.can_edit_technical_file(membership, system),
        refusal=_("Leads and the system's owner team write the technical file."),
    )


# --- Statement of Applicability ----------------------------------------------------------------


def soa_decide(
    *, actor, organisation, item, applicability: str, justification: str, expected_version: int | None
) -> SoADecision:
    """A lead includes or excludes one framework item; an exclusion needs a justification. The
    first decision on an item is created, later ones update it from the version the lead saw."""
    justification = (justification or "").strip()
    if item.framework.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("Choose an item of a framework in your library."))
    if applicability not in Applicability.values:
        raise ValidationError({"applicability": _("Choose included or excluded.")})
    if applicability == Applicability.EXCLUDED and not justification:
        raise ValidationError({"justification": _("Say why the item is excluded.")})
    return _create_or_update(
        SoADecision,
        actor=actor,
        organisation=organisation,
        key={"item": item},
        changes={
            "applicability": applicability,
            "justification": justification,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
        expected_version=expected_version,
        allowed=rules.can_decide_soa,
        refusal=_("A lead decides what the Statement of Applicability includes."),
    )
