"""The one write path and the one workflow mechanism: the defects found from outside, and the
rule that every governed model's service writes are audited with the right diff."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership, Role, Team
from assessments.models import AssignmentStatus, ControlAssignment
from assessments.services.assignments import assignment_act
from audit.models import AuditEvent
from core.concurrency import EditConflict
from governance.models import Control
from governance.services.library import library_import
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.factories import AISystemFactory, ControlFactory, MembershipFactory, TeamFactory, UserFactory

# --- 1. A person added from the members page is not lost by a team form opened before ---------


def test_a_team_form_opened_before_a_member_was_added_elsewhere_conflicts(client_for, admin, org, team):
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(organisation=org, user=newcomer, role=Role.MEMBER)
    edit_url = reverse("accounts:team_edit", args=[org.slug, team.pk])
    stale_form = client_for(admin).get(edit_url).context["form"]
    stale_version = stale_form["version"].value()

    membership = Membership.objects.get(organisation=org, user=newcomer)
    client_for(admin).post(
        reverse("accounts:member_edit", args=[org.slug, membership.pk]), {"role": Role.MEMBER, "teams": [team.pk]}
    )
    assert team.members.filter(pk=newcomer.pk).exists()

    response = client_for(admin).post(
        edit_url,
        {"name": team.name, "discipline": team.discipline, "description": "", "version": stale_version},
    )
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    assert team.members.filter(pk=newcomer.pk).exists()
    event = AuditEvent.objects.filter(action="accounts.team.members_changed").get()
    assert event.object_id == str(team.pk)
    assert event.after["members"] == [newcomer.pk]
    assert event.channel == "web"  # made through a signed-in browser session


def test_removing_a_member_clears_their_team_lead_with_an_event_on_the_team(admin, org, team):
    person = UserFactory()
    MembershipFactory(organisation=org, user=person, role=Role.MEMBER)
    Team.objects.filter(pk=team.pk).update(lead=person)
    team.members.add(person)
    version = Team.objects.get(pk=team.pk).version

    account_services.membership_remove(actor=admin, membership=Membership.objects.get(user=person))

    team.refresh_from_db()
    assert team.lead is None
    assert team.version == version + 1
    event = AuditEvent.objects.get(action="accounts.team.members_changed", object_id=str(team.pk))
    assert event.before["lead"] == person.pk and event.after["lead"] is None


# --- 2. Segregation of duties is judged on the locked row ---------------------------------------


@pytest.fixture
def implemented_by_lead(org, team, lead):
    assignment = ControlAssignmentFactory(organisation=org, owner_team=team, status=AssignmentStatus.IN_PROGRESS)
    EvidenceFactory(assignment=assignment)
    return assignment_act(actor=lead, assignment=assignment, action="implement", expected_version=assignment.version)


def test_the_implementer_cannot_verify_even_at_the_version_the_implementation_left(lead, implemented_by_lead):
    """The race in the issue: `verify` sent with the version after `implement` used to pass,
    because the service checked only state and version; the rule now runs on the locked row."""
    with pytest.raises(PermissionDenied):
        assignment_act(
            actor=lead,
            assignment=implemented_by_lead,
            action="verify",
            expected_version=implemented_by_lead.version,
        )
    implemented_by_lead.refresh_from_db()
    assert implemented_by_lead.verified_by_id is None


def test_a_proposer_cannot_approve_their_own_not_applicable_claim(org, team, lead):
    assignment = ControlAssignmentFactory(organisation=org, owner_team=team)
    assignment = assignment_act(
        actor=lead, assignment=assignment, action="propose_na", expected_version=assignment.version, text="No tools."
    )
    with pytest.raises(PermissionDenied):
        assignment_act(actor=lead, assignment=assignment, action="approve_na", expected_version=assignment.version)


def test_the_role_is_read_inside_the_transaction(org, team, lead, implemented_by_lead, make_member):
    other_lead = make_member(Role.LEAD, "other-lead")
    Membership.objects.filter(user=other_lead).update(role=Role.VIEWER)  # demoted a moment ago
    with pytest.raises(PermissionDenied):
        assignment_act(
            actor=other_lead,
            assignment=implemented_by_lead,
            action="verify",
            expected_version=implemented_by_lead.version,
        )


def _race(*calls):
    """Run the calls at the same moment in threads, each on its own connection; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        close_old_connections()
        barrier.wait()
        try:
            outcomes[i] = call()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises all writers anyway"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_implement_and_verify_never_gives_one_person_both_sign_offs(org, team, lead):
    for _attempt in range(5):
        a = ControlAssignmentFactory(organisation=org, owner_team=team, status=AssignmentStatus.IN_PROGRESS)
        EvidenceFactory(assignment=a)
        v = a.version
        _race(
            lambda a=a, v=v: assignment_act(actor=lead, assignment=a, action="implement", expected_version=v),
            lambda a=a, v=v: assignment_act(actor=lead, assignment=a, action="verify", expected_version=v + 1),
        )
        a.refresh_from_db()
        assert not (a.implemented_by_id == lead.pk and a.verified_by_id == lead.pk)


# --- 3. The last admin holds under concurrency ---------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(org, make_member):
    first, second = make_member(Role.ADMIN, "first-admin"), make_member(Role.ADMIN, "second-admin")
    m1, m2 = (Membership.objects.get(user=u) for u in (first, second))
    outcomes = _race(
        lambda: account_services.membership_update(actor=first, membership=m2, role=Role.MEMBER, teams=[]),
        lambda: account_services.membership_update(actor=second, membership=m1, role=Role.MEMBER, teams=[]),
    )
    assert Membership.objects.filter(organisation=org, role=Role.ADMIN).count() == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1


def test_the_last_admin_cannot_be_demoted(org, admin):
    with pytest.raises(ValidationError):
        account_services.membership_update(
            actor=admin, membership=Membership.objects.get(user=admin), role=Role.LEAD, teams=[]
        )


def _mapping_refs(control) -> list[str]:
    return [f"{i.framework.key}:{i.ref}" for i in control.mappings.select_related("framework")]


# --- 4. An import records what it changed on each row ---------------------------------------------


def test_an_import_that_changes_an_own_control_records_its_field_diff(org, lead):
    control = ControlFactory(organisation=org, ref="ACME-01", title="Old title", domain="security")
    document = {
        "version": 1,
        "controls": [
            {
                "ref": "ACME-01",
                "title": "New title",
                "objective": control.objective,
                "domain": "safety",
                "practice": control.practice,
                "applies_when": "always",
                "mappings": _mapping_refs(control),
            }
        ],
    }
    library_import(actor=lead, organisation=org, document=document, source="acme.yaml")

    event = AuditEvent.objects.get(action="governance.control.updated", object_id=str(control.pk))
    assert event.before["title"] == "Old title" and event.after["title"] == "New title"
    assert event.before["domain"] == "security" and event.after["domain"] == "safety"
    assert AuditEvent.objects.filter(action="governance.library.imported").count() == 1
    assert Control.objects.get(pk=control.pk).domain == "safety"


# --- Every governed model: service writes are audited about that row, with the right diff ---------


def _system(org, actor, team):
    from governance.services.inventory import ai_system_update

    system = AISystemFactory(organisation=org, owner_team=team)
    return ai_system_update(actor=actor, system=system, expected_version=system.version, data={"name": "Renamed"})


def _team(org, actor, team):
    return account_services.team_update(
        actor=actor, team=team, expected_version=team.version, data={"name": "Renamed"}, members=[]
    )


def _organisation(org, actor, team):
    return account_services.organisation_update(
        actor=actor, organisation=org, expected_version=org.version, data={"name": "Renamed"}
    )


def _assignment(org, actor, team):
    from assessments.services.assignments import assignment_update

    a = ControlAssignmentFactory(organisation=org, owner_team=team)
    return assignment_update(actor=actor, assignment=a, expected_version=a.version, data={"due_date": None})


def _rule(org, actor, team):
    from assessments.services.routing import ownership_rule_update
    from tests.assessments.factories import OwnershipRuleFactory

    rule = OwnershipRuleFactory(organisation=org, domain="security", practice="", team=team)
    other = TeamFactory(organisation=org)
    return ownership_rule_update(actor=actor, rule=rule, expected_version=rule.version, data={"team": other})


def _assessment(org, actor, team):
    from assessments.services.assessments import assessment_submit
    from tests.assessments.factories import AssessmentFactory

    assessment = AssessmentFactory(organisation=org, status="in_progress")
    return assessment_submit(actor=actor, assessment=assessment, expected_version=assessment.version, note="Done.")


def _control(org, actor, team):
    from governance.services.library import control_update

    control = ControlFactory(organisation=org, ref="ACME-09", title="Old")
    spec = {
        "title": "New",
        "objective": control.objective,
        "domain": control.domain,
        "practice": control.practice,
        "applies_when": "always",
        "mappings": _mapping_refs(control),
    }
    return control_update(actor=actor, control=control, expected_version=control.version, spec=spec)


def _framework(org, actor, team):
    from governance.services.library import framework_update
    from tests.factories import FrameworkFactory

    framework = FrameworkFactory(organisation=org, key="acme-policy")
    spec = {
        "edition": "2",
        "name": "Acme policy",
        "url": "https://acme.example/policy",
        "licence": "internal",
        "items": [{"ref": "P1", "title": "Keep a register"}],
    }
    return framework_update(actor=actor, framework=framework, expected_version=framework.version, spec=spec)


def _webhook_endpoint(org, actor, team):
    from webhooks.models import Endpoint
    from webhooks.services import endpoint_update

    endpoint = Endpoint.objects.create(organisation=org, url="https://hooks.example.com/", event_types=[])
    data = {"url": endpoint.url, "description": "Chat", "event_types": ["assignment.overdue"], "is_active": True}
    return endpoint_update(actor=actor, endpoint=endpoint, expected_version=endpoint.version, data=data)


def _risk(org, actor, team):
    from risks.workflow import RISK
    from tests.factories import AISystemFactory as Systems
    from tests.risks.factories import RiskScenarioFactory

    risk = RiskScenarioFactory(ai_system=Systems(organisation=org, owner_team=team), author=actor)
    return RISK.take(actor=actor, record=risk, name="submit", expected_version=risk.version)


def _follow_up(org, actor, team):
    from records.workflow import FOLLOW_UP
    from tests.risks.factories import FollowUpFactory, RiskScenarioFactory

    risk = RiskScenarioFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    follow_up = FollowUpFactory(source=risk)
    return FOLLOW_UP.take(actor=actor, record=follow_up, name="close", expected_version=follow_up.version)


def _threat_model(org, actor, team):
    from tests.threats.factories import ThreatModelFactory
    from threats.services import threat_model_update

    tm = ThreatModelFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    data = {"title": tm.title, "scope": "Wider scope.", "architecture": "", "data_flows": "", "surfaces": ["input"]}
    return threat_model_update(actor=actor, threat_model=tm, expected_version=tm.version, data=data)


def _threat_entry(org, actor, team):
    from tests.threats.factories import ThreatEntryFactory, ThreatModelFactory
    from threats.services import entry_update

    tm = ThreatModelFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    entry = ThreatEntryFactory(threat_model=tm)
    return entry_update(actor=actor, entry=entry, expected_version=entry.version, data={"likelihood": 1})


def _exercise(org, actor, team):
    from tests.threats.factories import RedTeamExerciseFactory
    from threats.workflow import RED_TEAM

    exercise = RedTeamExerciseFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    return RED_TEAM.take(actor=actor, record=exercise, name="submit", expected_version=exercise.version)


def _finding(org, actor, team):
    from tests.threats.factories import RedTeamExerciseFactory, RedTeamFindingFactory
    from threats.services import finding_update

    exercise = RedTeamExerciseFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    finding = RedTeamFindingFactory(exercise=exercise)
    data = {"title": finding.title, "severity": "low", "hostile_intent": True, "status": "mitigated"}
    return finding_update(actor=actor, finding=finding, expected_version=finding.version, data=data)


def _alignment_review(org, actor, team):
    from alignment.workflow import REVIEW
    from tests.alignment.factories import AlignmentReviewFactory

    review = AlignmentReviewFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    return REVIEW.take(actor=actor, record=review, name="submit", expected_version=review.version)


def _alignment_child(factory_name: str, changes: dict):
    def write(org, actor, team):
        from alignment.services import child_update
        from tests.alignment import factories
        from tests.alignment.factories import AlignmentReviewFactory

        review = AlignmentReviewFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
        child = getattr(factories, factory_name)(review=review)
        return child_update(child, actor=actor, expected_version=child.version, data=changes)

    return write


def _ir_plan(org, actor, team):
    from response.workflow import PLAN
    from tests.response.factories import PlanFactory

    plan = PlanFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    return PLAN.take(actor=actor, record=plan, name="submit", expected_version=plan.version)


def _plan_role(org, actor, team):
    from response.services import plan_roles_save
    from tests.response.factories import PlanFactory, PlanRoleFactory

    plan = PlanFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    role = PlanRoleFactory(plan=plan)
    data = {
        "role": role.role,
        "version": role.version,
        "member": None,
        "name": "Counsel",
        "email": "",
        "phone": "+44 20 7946 0000",
        "notes": "",
    }
    (saved,) = plan_roles_save(actor=actor, plan=plan, rows=[data])
    return saved


def _playbook(org, actor, team):
    from response.services import playbook_update
    from tests.response.factories import PlanFactory, PlaybookFactory

    plan = PlanFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    playbook = PlaybookFactory(plan=plan)
    return playbook_update(actor=actor, playbook=playbook, expected_version=playbook.version, data={"title": "Leak"})


def _tabletop(org, actor, team):
    from response.workflow import TABLETOP
    from tests.response.factories import PlanFactory, PlaybookFactory, TabletopFactory

    plan = PlanFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=actor)
    tabletop = TabletopFactory(playbook=PlaybookFactory(plan=plan), author=actor)
    return TABLETOP.take(actor=actor, record=tabletop, name="submit", expected_version=tabletop.version)


def _incident(org, actor, team):
    from incidents.services import incident_act
    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(system=AISystemFactory(organisation=org, owner_team=team), reported_by=actor)
    return incident_act(actor=actor, incident=incident, name="contain", expected_version=incident.version)


GOVERNED_WRITES = {
    "incidents.incident": (_incident, "contained_at"),
    "alignment.alignmentreview": (_alignment_review, "status"),
    "alignment.evaluationmetric": (_alignment_child("EvaluationMetricFactory", {"value": "0.2"}), "value"),
    "alignment.alignmentfinding": (_alignment_child("AlignmentFindingFactory", {"severity": "high"}), "severity"),
    "webhooks.endpoint": (_webhook_endpoint, "event_types"),
    "threats.redteamexercise": (_exercise, "status"),
    "threats.redteamfinding": (_finding, "severity"),
    "threats.threatmodel": (_threat_model, "scope"),
    "threats.threatentry": (_threat_entry, "likelihood"),
    "risks.riskscenario": (_risk, "status"),
    "records.followup": (_follow_up, "status"),
    "governance.framework": (_framework, "edition"),
    "governance.aisystem": (_system, "name"),
    "accounts.team": (_team, "name"),
    "accounts.organisation": (_organisation, "name"),
    "assessments.controlassignment": (_assignment, "version"),
    "assessments.ownershiprule": (_rule, "team"),
    "assessments.assessment": (_assessment, "status"),
    "governance.control": (_control, "title"),
    "response.incidentresponseplan": (_ir_plan, "status"),
    "response.planrole": (_plan_role, "name"),
    "response.playbook": (_playbook, "title"),
    "response.tabletopexercise": (_tabletop, "status"),
}


def test_every_governed_model_has_an_audit_case():
    """A new model with a `version` and audited fields must be added to GOVERNED_WRITES."""
    from django.apps import apps

    governed = {
        m._meta.label_lower
        for m in apps.get_models()
        if hasattr(m, "AUDITED_FIELDS") and any(f.name == "version" for f in m._meta.fields)
    }
    assert governed == set(GOVERNED_WRITES)


@pytest.mark.parametrize("label", sorted(GOVERNED_WRITES))
def test_a_service_write_records_the_diff_on_that_row(label, org, team, admin):
    write, field = GOVERNED_WRITES[label]
    Membership.objects.filter(user=admin).update(role=Role.ADMIN)
    before = AuditEvent.objects.count()
    row = write(org, admin, team)
    event = AuditEvent.objects.filter(object_type=label, object_id=str(row.pk)).order_by("-seq").first()
    assert event is not None and AuditEvent.objects.count() > before
    assert field in event.after
    assert event.after["version"] == row.version
    assert event.before["version"] == row.version - 1
    assert event.channel == "system"  # called outside any request


def test_a_stale_version_is_refused_on_every_path(org, admin, team):
    with pytest.raises(EditConflict):
        account_services.team_update(
            actor=admin, team=team, expected_version=team.version + 5, data={"name": "X"}, members=[]
        )
    assert ControlAssignment.objects.count() == 0
