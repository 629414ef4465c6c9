"""The readiness rule on hand-built systems: each gate passing and failing, control readiness
against the threshold, and the audit-ready verdict (DESIGN.md "Readiness")."""

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import AssignmentStatus as S
from readiness import engine
from tests.alignment.factories import AlignmentReviewFactory
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory
from tests.response.factories import PlanFactory, TabletopFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import RedTeamExerciseFactory, RedTeamFindingFactory, ThreatModelFactory

TODAY = timezone.localdate()
NOW = timezone.now()
LATER = TODAY + dt.timedelta(days=30)
EARLIER = TODAY - dt.timedelta(days=1)


def ready_system(org, team, author, **profile):
    """A system that passes every gate, with 10 verified controls in each domain."""
    system = AISystemFactory(organisation=org, owner_team=team, **profile)
    assessment = AssessmentFactory(ai_system=system, started_by=author, status="approved", approved_at=NOW)
    ThreatModelFactory(ai_system=system, author=author, status="approved", approved_at=NOW, next_review_due=LATER)
    RedTeamExerciseFactory(ai_system=system, author=author, status="approved", approved_at=NOW, next_review_due=LATER)
    AlignmentReviewFactory(
        ai_system=system,
        author=author,
        status="approved",
        decision="approved",
        decided_at=NOW,
        approved_at=NOW,
        next_review_due=LATER,
    )
    plan = PlanFactory(ai_system=system, author=author, status="approved", approved_at=NOW, next_review_due=LATER)
    TabletopFactory(playbook__plan=plan, author=author, status="approved", held_on=EARLIER)
    for domain in ("security", "safety"):
        for _ in range(10):
            add(system, domain, S.VERIFIED, assessment=assessment)
    return system


def add(system, domain, status, **fields):
    """An assignment of the system's approved assessment (the factory would start a new one)."""
    if "assessment" not in fields:
        fields["assessment"] = system.assessments.order_by("-created_at").first()
    return ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain=domain), status=status, **fields)


def verdict(org, system):
    return engine.for_systems(org, [system.pk])[system.pk]


@pytest.fixture
def ready(org, team, lead):
    return ready_system(org, team, lead)


def test_a_system_passing_everything_is_audit_ready(org, ready):
    r = verdict(org, ready)
    assert [g.key for g in r.gates] == ["threat_model", "red_team", "alignment", "ir_plan", "risks", "assessment"]
    assert all(g.passed for g in r.checks), [c.reason for c in r.failing]
    assert r.audit_ready and (r.security.percent, r.safety.percent) == (100, 100)


def test_control_readiness_below_the_threshold_fails_in_that_domain_only(org, ready):
    # 9 of 10 verified is 90 %: exactly the default threshold still passes; one more control drops it.
    add(ready, "safety", S.IMPLEMENTED)
    r = verdict(org, ready)
    assert r.safety.percent == 91 and r.audit_ready
    add(ready, "safety", S.NOT_STARTED)
    r = verdict(org, ready)
    assert (r.safety.verified, r.safety.applicable, r.safety.awaiting_verification) == (10, 12, 1)
    assert [c.key for c in r.failing] == ["controls_safety"]
    assert r.failing[0].reason == "83 % verified (10 of 12), below the 90 % threshold. 1 await verification."
    assert "domain=safety" in r.failing[0].url


def test_the_threshold_is_the_organisations_setting(org, ready):
    add(ready, "security", S.NOT_STARTED)
    assert verdict(org, ready).audit_ready  # 10 of 11: 91 %, at or above the default 90 %
    org.readiness_threshold = 95
    assert [c.key for c in verdict(org, ready).failing] == ["controls_security"]


def test_approved_not_applicable_leaves_the_denominator_and_a_claim_does_not(org, ready, member):
    for status, approved in ((S.NOT_APPLICABLE, NOW), (S.NOT_APPLICABLE, None)):
        add(ready, "both", status, na_proposed_by=member, na_approved_at=approved)
    r = verdict(org, ready)
    assert (r.security.verified, r.security.applicable) == (10, 11)  # the pending claim counts
    assert (r.safety.verified, r.safety.applicable) == (10, 11)


def failing(org, system, key):
    gate = verdict(org, system).gate(key)
    assert not gate.passed
    return gate


def test_threat_model_gate(org, ready, lead):
    ready_tm = verdict(org, ready).gate("threat_model")
    assert ready_tm.passed and ready_tm.reason.startswith("Approved on")
    from threats.models import ThreatModel

    ThreatModel.objects.filter(ai_system=ready).update(next_review_due=EARLIER)
    gate = failing(org, ready, "threat_model")
    assert gate.reason.startswith("The last approved version was due for review on")
    ThreatModel.objects.filter(ai_system=ready).update(status="in_review")
    gate = failing(org, ready, "threat_model")
    assert gate.reason == "No approved threat model." and gate.url.endswith(f"/systems/{ready.pk}/threat-models/")


def test_red_team_gate_fails_on_an_open_high_finding_and_names_it(org, ready):
    from threats.models import RedTeamExercise

    exercise = RedTeamExercise.objects.get(ai_system=ready)
    RedTeamFindingFactory(exercise=exercise, severity="medium")  # not blocking
    RedTeamFindingFactory(exercise=exercise, severity="critical", status="mitigated")  # closed
    assert verdict(org, ready).gate("red_team").passed
    finding = RedTeamFindingFactory(exercise=exercise, severity="high", title="Tool misuse through a poisoned web page")
    gate = failing(org, ready, "red_team")
    since = timezone.localdate(finding.created_at)
    assert gate.reason == f"An open high finding, “Tool misuse through a poisoned web page”, since {since:%-d %b %Y}."
    assert gate.url.endswith(f"/findings/{finding.pk}/") and gate.since == since


def test_red_team_gate_fails_out_of_cadence(org, ready):
    from threats.models import RedTeamExercise

    RedTeamExercise.objects.filter(ai_system=ready).update(next_review_due=EARLIER)
    assert failing(org, ready, "red_team").since == EARLIER


def test_alignment_gate(org, ready):
    from alignment.models import AlignmentReview

    AlignmentReview.objects.filter(ai_system=ready).update(status="rejected", decision="rejected")
    assert failing(org, ready, "alignment").reason.startswith("Rejected on")
    AlignmentReview.objects.filter(ai_system=ready).update(
        status="approved", decision="approved", next_review_due=EARLIER
    )
    assert "lapsed" in failing(org, ready, "alignment").reason


def test_ir_plan_gate(org, ready):
    from response.models import IncidentResponsePlan, TabletopExercise

    TabletopExercise.objects.filter(plan__ai_system=ready).update(held_on=TODAY - dt.timedelta(days=800))
    gate = failing(org, ready, "ir_plan")
    assert "tabletop" in gate.reason and "/ir-plans/" in gate.url
    IncidentResponsePlan.objects.filter(ai_system=ready).update(status="draft")
    assert failing(org, ready, "ir_plan").reason == "No approved incident-response plan covers this system."


def test_risk_gate_fails_on_a_high_residual_risk_until_accepted(org, ready, lead):
    RiskScenarioFactory(ai_system=ready, author=lead, residual_likelihood=3, residual_impact=3)  # 9: medium
    assert verdict(org, ready).gate("risks").passed
    risk = RiskScenarioFactory(
        ai_system=ready, author=lead, title="Prompt injection", residual_likelihood=2, residual_impact=5
    )
    gate = failing(org, ready, "risks")
    assert gate.reason == "“Prompt injection” has a residual score of 10 and is not accepted."
    assert gate.url.endswith(f"/risks/{risk.pk}/")
    from risks.models import RiskScenario

    RiskScenario.objects.filter(pk=risk.pk).update(acceptance="accepted")
    assert verdict(org, ready).gate("risks").passed
    RiskScenario.objects.filter(pk=risk.pk).update(acceptance="expired")
    assert not verdict(org, ready).gate("risks").passed


def test_assessment_gate_reads_the_latest_assessment(org, ready, lead):
    assert verdict(org, ready).gate("assessment").passed
    newer = AssessmentFactory(ai_system=ready, started_by=lead, status="in_progress")
    gate = failing(org, ready, "assessment")
    assert "not approved (controls being worked)" in gate.reason
    assert gate.url.endswith(f"/assessments/{newer.pk}/")


def test_a_system_with_nothing_fails_every_gate_but_risks_and_controls(org, team):
    bare = AISystemFactory(organisation=org, owner_team=team)
    r = verdict(org, bare)
    assert [g.key for g in r.gates if g.passed] == ["risks"]  # no high risk recorded is no high risk open
    assert all(c.passed for c in r.control_checks)  # nothing applies: nothing to be ready for
    assert r.gate("assessment").reason == "No assessment yet."


def test_other_organisations_systems_are_ignored(org, ready):
    stranger = AISystemFactory()
    assert set(engine.for_systems(org, [ready.pk, stranger.pk])) == {ready.pk}


@pytest.mark.parametrize("n", [3, 30])
def test_the_engine_runs_a_fixed_number_of_queries(org, team, lead, n, django_assert_num_queries):
    systems = [ready_system(org, team, lead) for _ in range(n)]
    for system in systems[::2]:
        RedTeamFindingFactory(exercise__ai_system=system, exercise__author=lead)
    # names, control readiness, threat model, red team (2), alignment, IR plan (2), risks, assessment
    with django_assert_num_queries(10):
        result = engine.for_organisation(org)
    assert result.total == n and len(result.ready) == n - len(systems[::2])
