"""Risk register writes: scenarios through the shared record services (records.services), and
acceptance, co-signed acceptance and its expiry through the one audited write path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_update
from core.choices import Domain
from core.concurrency import EditConflict
from records.rules import sides
from records.services import record_create, record_update, triage

from . import rules
from .models import Acceptance, RiskScenario, Treatment

MAX_ACCEPTANCE_DAYS = 365


def _routed(system, data: dict[str, Any]) -> dict[str, Any]:
    """Domain from the triage; owner team (and for `both` a co-signing team) routed by domain
    unless chosen."""
    from assessments.services.routing import Router

    domain = triage(data)
    route = Router(system.organisation).route(domain, "")
    owner = data.get("owner_team") or route.team
    if owner is None:
        raise ValidationError({"owner_team": _("No team owns this domain yet: choose the owner team.")})
    cosigning = None
    if domain == Domain.BOTH:
        cosigning = data.get("cosigning_team") or route.cosigning_team
        if cosigning == owner:
            cosigning = None
    for team in (owner, cosigning):
        if team is not None and team.organisation_id != system.organisation_id:
            raise ValidationError(_("Choose a team of this organisation."))
    return {**data, "domain": domain, "owner_team": owner, "cosigning_team": cosigning}


def risk_create(*, actor, system, data: dict[str, Any], controls=()) -> RiskScenario:
    return record_create(
        RiskScenario, actor=actor, system=system, data=_routed(system, data), m2m={"controls": controls}
    )


def risk_update(*, actor, risk: RiskScenario, expected_version: int, data: dict[str, Any], controls=()) -> RiskScenario:
    return record_update(
        risk,
        actor=actor,
        expected_version=expected_version,
        data=_routed(risk.ai_system, data),
        m2m={"controls": controls},
    )


def risk_add_example(*, actor, system, scenario) -> RiskScenario:
    """One click: the library's example scenario as a draft risk of the system, triaged by its
    own answers, with its suggested controls linked."""
    data = {
        "title": scenario.title,
        "description": scenario.description,
        "hostile_intent": scenario.hostile_intent,
        "harm_in_benign_use": scenario.harm_in_benign_use,
        "scenario": scenario,
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "residual_likelihood": 3,
        "residual_impact": 4,
    }
    return risk_create(actor=actor, system=system, data=data, controls=list(scenario.controls.all()))


def _acceptance_check(actor, *, first: bool):
    def check(locked: RiskScenario) -> None:
        membership = membership_of(actor, locked)
        if first:
            if not rules.can_accept_risk(membership, locked):
                raise PermissionDenied(
                    _("Only a lead accepts a risk; for a risk of both domains, a lead of a security or safety team.")
                )
            if locked.acceptance in (Acceptance.ACCEPTED, Acceptance.PENDING):
                raise ValidationError(_("This risk is already accepted or awaiting its second lead."))
        else:
            if not rules.can_cosign_acceptance(membership, locked):
                raise PermissionDenied(_("A second lead, from the other side (security or safety), co-signs."))
            if locked.acceptance != Acceptance.PENDING:
                raise ValidationError(_("No acceptance awaits a second lead."))
        if not locked.is_approved or not locked.is_latest:
            raise ValidationError(_("Only the latest approved version of a risk is accepted."))
        if locked.treatment != Treatment.ACCEPT:
            raise ValidationError(_("Set the treatment to “accept” (in a new version) before accepting the risk."))

    return check


def risk_accept(*, actor, risk: RiskScenario, expected_version: int, rationale: str, until: dt.date) -> RiskScenario:
    """A lead accepts the risk until a date at most a year ahead. A `both` risk then waits for a
    lead of the other side."""
    today = timezone.localdate()
    errors = {}
    if not rationale.strip():
        errors["rationale"] = _("Say why the risk is accepted.")
    if until is None or until <= today:
        errors["until"] = _("The acceptance ends on a future date.")
    elif until > today + dt.timedelta(days=MAX_ACCEPTANCE_DAYS):
        errors["until"] = _("An acceptance lasts at most a year: choose a date no later than %(d)s.") % {
            "d": (today + dt.timedelta(days=MAX_ACCEPTANCE_DAYS)).isoformat()
        }
    if errors:
        raise ValidationError(errors)

    def changes(locked: RiskScenario) -> dict[str, Any]:
        both = locked.domain == Domain.BOTH
        return {
            "acceptance": Acceptance.PENDING if both else Acceptance.ACCEPTED,
            "acceptance_rationale": rationale.strip(),
            "acceptance_until": until,
            "accepted_by": actor,
            "accepted_at": timezone.now(),
            "accepted_sides": ",".join(sorted(sides(membership_of(actor, locked)))),
            "acceptance_cosigned_by": None,
            "acceptance_cosigned_at": None,
        }

    with transaction.atomic():
        return audited_update(
            risk,
            actor=actor,
            action="risks.riskscenario.accepted",
            expected_version=expected_version,
            check=_acceptance_check(actor, first=True),
            changes=changes,
        )


def risk_cosign_acceptance(*, actor, risk: RiskScenario, expected_version: int) -> RiskScenario:
    with transaction.atomic():
        return audited_update(
            risk,
            actor=actor,
            action="risks.riskscenario.acceptance_cosigned",
            expected_version=expected_version,
            check=_acceptance_check(actor, first=False),
            changes=lambda locked: {
                "acceptance": Acceptance.ACCEPTED,
                "acceptance_cosigned_by": actor,
                "acceptance_cosigned_at": timezone.now(),
            },
        )


def acceptances_expire(today: dt.date | None = None, *, among=None) -> int:
    """Reopen every acceptance (given or awaiting its second lead) whose date has passed: the
    risk counts as open again, and the event in the record's History tells the owner team.
    Safe to run twice: an expired acceptance is not expired again. `among` limits it to a
    queryset of risks (the demo expires one of its own)."""
    today = today or timezone.localdate()
    due = (
        (among if among is not None else RiskScenario.objects.all())
        .filter(acceptance__in=[Acceptance.ACCEPTED, Acceptance.PENDING], acceptance_until__lt=today)
        .values_list("pk", "version")
    )
    count = 0

    def still_due(locked: RiskScenario) -> None:
        until = locked.acceptance_until
        if locked.acceptance not in (Acceptance.ACCEPTED, Acceptance.PENDING) or until is None or until >= today:
            raise ValidationError("no longer due")

    for pk, version in due:
        risk = RiskScenario.objects.select_related("organisation").get(pk=pk)
        try:
            with transaction.atomic():
                audited_update(
                    risk,
                    actor=None,
                    action="risks.riskscenario.acceptance_expired",
                    expected_version=version,
                    check=still_due,
                    changes=lambda locked: {"acceptance": Acceptance.EXPIRED},
                    extra={
                        "owner_team": risk.owner_team_id,
                        "notice": "The acceptance expired; the risk is open again.",
                    },
                )
        except (EditConflict, ValidationError):
            continue  # changed meanwhile: the next run judges it again
        count += 1
    return count
