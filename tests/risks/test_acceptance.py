"""Accepting a risk: leads only, a rationale, at most a year; `both` needs a lead of each side;
the daily task reopens expired acceptances and is safe to run twice."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from risks import services
from risks.models import Acceptance, RiskScenario
from risks.tasks import acceptances_expire_task
from risks.workflow import RISK
from tests.risks.factories import RiskScenarioFactory

TODAY = timezone.localdate()


def approved_risk(system, admin, lead, **fields):
    risk = RiskScenarioFactory(ai_system=system, author=admin, **{"treatment": "accept", **fields})
    risk = RISK.take(actor=admin, record=risk, name="submit", expected_version=risk.version)
    return RISK.take(actor=lead, record=risk, name="approve", expected_version=risk.version)


def accept(risk, actor, days=90, rationale="Within appetite."):
    return services.risk_accept(
        actor=actor,
        risk=risk,
        expected_version=risk.version,
        rationale=rationale,
        until=TODAY + dt.timedelta(days=days),
    )


def test_a_member_cannot_accept(system, admin, lead, member):
    with pytest.raises(PermissionDenied):
        accept(approved_risk(system, admin, lead), member)


def test_a_lead_accepts_a_security_risk_alone(system, admin, lead):
    risk = accept(approved_risk(system, admin, lead), lead)
    assert risk.acceptance == Acceptance.ACCEPTED and risk.accepted_by == lead


@pytest.mark.parametrize(("days", "rationale"), [(366, "Fine."), (0, "Fine."), (30, " ")])
def test_acceptance_needs_a_rationale_and_ends_within_a_year(system, admin, lead, days, rationale):
    with pytest.raises(ValidationError):
        accept(approved_risk(system, admin, lead), lead, days=days, rationale=rationale)


def test_only_approved_risks_with_treatment_accept_are_accepted(system, admin, lead):
    with pytest.raises(ValidationError):
        accept(RiskScenarioFactory(ai_system=system, author=admin, treatment="accept"), lead)
    with pytest.raises(ValidationError):
        accept(approved_risk(system, admin, lead, treatment="mitigate"), lead)


@pytest.fixture
def both_risk(system, admin, lead, safety_team):
    return approved_risk(system, admin, lead, domain="both", harm_in_benign_use=True, cosigning_team=safety_team)


def test_a_both_risk_needs_two_leads_one_from_each_side(both_risk, security_lead, safety_lead, make_member, team):
    risk = accept(both_risk, security_lead)
    assert risk.acceptance == Acceptance.PENDING
    with pytest.raises(PermissionDenied):  # the same lead twice
        services.risk_cosign_acceptance(actor=security_lead, risk=risk, expected_version=risk.version)
    other_security_lead = make_member(Role.LEAD, "security-lead-2", teams=[team])
    with pytest.raises(PermissionDenied):  # a second lead of the same side
        services.risk_cosign_acceptance(actor=other_security_lead, risk=risk, expected_version=risk.version)
    risk = services.risk_cosign_acceptance(actor=safety_lead, risk=risk, expected_version=risk.version)
    assert risk.acceptance == Acceptance.ACCEPTED and risk.acceptance_cosigned_by == safety_lead


def test_a_lead_in_no_security_or_safety_team_cannot_start_a_both_acceptance(both_risk, lead):
    with pytest.raises(PermissionDenied):
        accept(both_risk, lead)


def test_the_daily_task_reopens_expired_acceptances_once(system, admin, lead):
    risk = accept(approved_risk(system, admin, lead), lead, days=1)
    kept = accept(approved_risk(system, admin, lead), lead, days=200)
    RiskScenario.objects.filter(pk=risk.pk).update(acceptance_until=TODAY - dt.timedelta(days=1))
    assert acceptances_expire_task() == 1
    assert acceptances_expire_task() == 0  # idempotent
    assert RiskScenario.objects.get(pk=risk.pk).acceptance == Acceptance.EXPIRED
    assert RiskScenario.objects.get(pk=kept.pk).acceptance == Acceptance.ACCEPTED
    events = AuditEvent.objects.filter(action="risks.riskscenario.acceptance_expired")
    assert events.count() == 1 and events.get().object_id == str(risk.pk)


def test_an_expired_acceptance_can_be_given_again(system, admin, lead):
    risk = accept(approved_risk(system, admin, lead), lead, days=1)
    services.acceptances_expire(TODAY + dt.timedelta(days=2))
    risk.refresh_from_db()
    assert accept(risk, lead).acceptance == Acceptance.ACCEPTED
