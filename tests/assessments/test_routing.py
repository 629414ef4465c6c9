"""Ownership routing: resolution for every domain × practice, the rule pages, and re-routing."""

import pytest
from django.urls import reverse

from accounts.models import Discipline
from assessments.models import AssignmentStatus, OwnershipRule, RerouteJob
from assessments.services.routing import Router, misrouted, reroute_run
from audit.models import AuditEvent
from core.choices import Domain
from governance.models import Practice
from tests.assessments.factories import ControlAssignmentFactory, OwnershipRuleFactory
from tests.factories import ControlFactory, TeamFactory

DOMAINS = [d.value for d in Domain]
PRACTICES = [p.value for p in Practice]


@pytest.fixture
def teams(team, safety_team, platform_team):
    return {"security": team, "safety": safety_team, "both": platform_team}


# --- Resolution -----------------------------------------------------------------------------------


@pytest.mark.parametrize("practice", PRACTICES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_without_rules_every_combination_follows_the_team_disciplines(org, teams, domain, practice):
    route = Router(org).route(domain, practice)
    expected_cosigner = teams["safety"] if domain == "both" else None
    assert (route.team, route.cosigning_team, route.rule) == (teams[domain], expected_cosigner, None)


@pytest.mark.parametrize("practice", PRACTICES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_a_practice_rule_beats_the_domain_rule_for_every_combination(org, teams, domain, practice):
    extra = TeamFactory(organisation=org, name="Special", discipline=Discipline.OTHER)
    other = TeamFactory(organisation=org, name="Domain-wide", discipline=Discipline.OTHER)
    cosign = teams["safety"] if domain == "both" else None
    OwnershipRuleFactory(team=other, domain=domain, practice="", cosigning_team=cosign)
    OwnershipRuleFactory(team=extra, domain=domain, practice=practice, cosigning_team=cosign)
    router = Router(org)
    assert (router.route(domain, practice).team, router.route(domain, practice).cosigning_team) == (extra, cosign)
    others = [p for p in PRACTICES if p != practice]
    assert {router.route(domain, p).team for p in others} == {other}
    assert router.route(domain, practice).source == "rule for this practice"
    assert router.route(domain, others[0]).source == "rule for the domain"


def test_without_a_both_team_both_goes_to_security_and_safety_cosigns(org, team, safety_team):
    route = Router(org).route("both", "guardrails")
    assert (route.team, route.cosigning_team) == (team, safety_team)


def test_without_a_safety_team_safety_falls_back_to_the_both_team(org, team, platform_team):
    assert Router(org).route("safety", "guardrails").team == platform_team
    both = Router(org).route("both", "guardrails")
    assert (both.team, both.cosigning_team) == (platform_team, team)


def test_with_no_matching_team_nothing_is_routed(org):
    TeamFactory(organisation=org, discipline=Discipline.OTHER)
    route = Router(org).route("security", "red_teaming")
    assert route.team is None


def test_the_first_team_by_name_wins_among_teams_of_one_discipline(org):
    TeamFactory(organisation=org, name="Zeta Security", discipline=Discipline.SECURITY)
    alpha = TeamFactory(organisation=org, name="Alpha Security", discipline=Discipline.SECURITY)
    assert Router(org).route("security", "threat_modeling").team == alpha


def test_routes_ignore_other_organisations_rules(org, teams, outsider):
    foreign_team = TeamFactory(organisation=outsider.memberships.get().organisation)
    OwnershipRuleFactory(team=foreign_team, domain="security")
    assert Router(org).route("security", "red_teaming").team == teams["security"]


# --- The rule pages --------------------------------------------------------------------------------


def test_the_routing_page_shows_rules_defaults_and_every_combination(client_for, viewer, org, teams):
    OwnershipRuleFactory(team=teams["both"], domain="security", practice="red_teaming")
    response = client_for(viewer).get(reverse("assessments:routing_list", args=[org.slug]))
    assert len(response.context["table"]) == len(PRACTICES)
    assert response.context["table"][1][2][0].team == teams["both"]  # red teaming, security
    assert b"Add a rule" not in response.content  # viewers read only


def test_a_lead_adds_a_rule_and_it_is_audited(client_for, lead, org, teams):
    response = client_for(lead).post(
        reverse("assessments:rule_create", args=[org.slug]),
        {
            "domain": "both",
            "practice": "incident_response",
            "team": teams["security"].pk,
            "cosigning_team": teams["safety"].pk,
        },
    )
    assert response.status_code == 302
    rule = OwnershipRule.objects.get()
    assert (rule.team, rule.cosigning_team) == (teams["security"], teams["safety"])
    assert AuditEvent.objects.get(action="assessments.ownership_rule.created").after["practice"] == "incident_response"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"domain": "both", "practice": ""}, "cosigning_team"),  # both needs a co-signer
        ({"domain": "both", "practice": "", "cosign": "same"}, "cosigning_team"),
        ({"domain": "nonsense", "practice": ""}, "domain"),
    ],
)
def test_an_invalid_rule_is_shown_again(client_for, lead, org, teams, data, field):
    post = {"domain": data["domain"], "practice": data["practice"], "team": teams["both"].pk}
    if data.get("cosign") == "same":
        post["cosigning_team"] = teams["both"].pk
    response = client_for(lead).post(reverse("assessments:rule_create", args=[org.slug]), post)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not OwnershipRule.objects.exists()


def test_a_duplicate_rule_is_refused(client_for, lead, org, teams):
    OwnershipRuleFactory(team=teams["security"], domain="security", practice="")
    response = client_for(lead).post(
        reverse("assessments:rule_create", args=[org.slug]),
        {"domain": "security", "practice": "", "team": teams["both"].pk},
    )
    assert "exists already" in str(response.context["form"].non_field_errors())


def test_a_concurrent_rule_edit_is_a_conflict(client_for, lead, lead2, org, teams):
    rule = OwnershipRuleFactory(team=teams["security"], domain="security")
    url = reverse("assessments:rule_edit", args=[org.slug, rule.pk])
    client_for(lead2).post(url, {"team": teams["both"].pk, "version": 1})
    response = client_for(lead).post(url, {"team": teams["safety"].pk, "version": 1})
    assert response.status_code == 200 and response.context["conflict"]
    rule.refresh_from_db()
    assert rule.team == teams["both"]


def test_after_a_change_bastion_offers_to_reroute_the_open_assignments_it_affects(
    client_for, lead, org, teams, system, django_capture_on_commit_callbacks, eager_tasks
):
    control = ControlFactory(domain="security", practice="red_teaming")
    open_one = ControlAssignmentFactory(ai_system=system, control=control, owner_team=teams["security"])
    ControlAssignmentFactory(
        ai_system=system,
        control=ControlFactory(domain="security", practice="red_teaming"),
        owner_team=teams["security"],
        status=AssignmentStatus.VERIFIED,
    )
    response = client_for(lead).post(
        reverse("assessments:rule_create", args=[org.slug]),
        {"domain": "security", "practice": "red_teaming", "team": teams["both"].pk},
    )
    preview = reverse("assessments:reroute_preview", args=[org.slug])
    assert response["Location"] == f"{preview}?domain=security&practice=red_teaming"
    page = client_for(lead).get(response["Location"])
    assert page.context["total"] == 1  # the verified one stays where it is
    assert [a for a, _route in page.context["moves"]] == [open_one]
    assert page.context["moves"][0][1].team == teams["both"]

    with django_capture_on_commit_callbacks(execute=True):  # the job is queued after commit
        client_for(lead).post(response["Location"])
    open_one.refresh_from_db()
    assert open_one.owner_team == teams["both"]
    job = RerouteJob.objects.get()
    assert (job.status, job.moved, job.total) == ("done", 1, 1)
    assert AuditEvent.objects.get(action="assessments.assignment.rerouted").after["owner_team"] == teams["both"].pk


def test_a_change_that_affects_nothing_goes_back_to_the_rules(client_for, lead, org, teams):
    response = client_for(lead).post(
        reverse("assessments:rule_create", args=[org.slug]),
        {"domain": "safety", "practice": "", "team": teams["both"].pk},
    )
    assert response["Location"] == reverse("assessments:routing_list", args=[org.slug])


def test_deleting_a_rule_falls_back_and_offers_to_reroute(client_for, lead, org, teams, system):
    rule = OwnershipRuleFactory(team=teams["both"], domain="security", practice="")
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["both"])
    response = client_for(lead).post(reverse("assessments:rule_delete", args=[org.slug, rule.pk]))
    assert not OwnershipRule.objects.exists()
    assert "reroute" in response["Location"]
    assert AuditEvent.objects.filter(action="assessments.ownership_rule.deleted").exists()


# --- Re-routing ------------------------------------------------------------------------------------


def test_misrouted_finds_open_assignments_whose_owner_or_cosigner_differs(org, teams, system):
    right = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["security"]
    )
    wrong_owner = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["both"]
    )
    wrong_cosigner = ControlAssignmentFactory(
        ai_system=system,
        control=ControlFactory(domain="both"),
        owner_team=teams["both"],
        cosigning_team=teams["security"],
    )
    missing_cosigner = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="both"), owner_team=teams["both"]
    )
    found = set(misrouted(org))
    assert found == {wrong_owner, wrong_cosigner, missing_cosigner}
    assert right not in found


def test_a_reroute_job_runs_once_even_if_delivered_twice(org, teams, system, lead):
    wrong = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["both"], assignee=lead
    )
    job = RerouteJob.objects.create(organisation=org, requested_by=lead, assignment_ids=[wrong.pk], total=1)
    reroute_run(job.pk)
    reroute_run(job.pk)  # a duplicate delivery: the claim fails, nothing happens
    wrong.refresh_from_db()
    assert wrong.owner_team == teams["security"] and wrong.assignee is None  # the old assignee is not in the team
    assert wrong.version == 2
    assert AuditEvent.objects.filter(action="assessments.assignment.rerouted").count() == 1


def test_a_reroute_job_skips_assignments_decided_meanwhile(org, teams, system, lead):
    decided = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["both"], status="verified"
    )
    job = RerouteJob.objects.create(organisation=org, requested_by=lead, assignment_ids=[decided.pk], total=1)
    reroute_run(job.pk)
    job.refresh_from_db()
    decided.refresh_from_db()
    assert (job.status, job.done, job.moved) == ("done", 1, 0)
    assert decided.owner_team == teams["both"]


def test_only_one_reroute_job_runs_at_a_time(client_for, lead, org, teams, system):
    RerouteJob.objects.create(organisation=org, requested_by=lead, status="running")
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["both"])
    response = client_for(lead).post(reverse("assessments:reroute_preview", args=[org.slug]), follow=True)
    assert b"already running" in response.content
    assert RerouteJob.objects.count() == 1


def test_the_job_status_is_polled_until_done(client_for, lead, org):
    job = RerouteJob.objects.create(organisation=org, requested_by=lead, total=10, done=4, status="running")
    body = client_for(lead).get(reverse("assessments:reroute_status", args=[org.slug, job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in body and "4 / 10" in body
    job.status = "done"
    job.save()
    body = client_for(lead).get(reverse("assessments:reroute_status", args=[org.slug, job.pk])).content.decode()
    assert "hx-trigger" not in body and "Re-routing finished" in body


@pytest.mark.parametrize("rules", [3, 30])
def test_routing_page_query_count_is_constant(client_for, lead, org, teams, rules, django_assert_num_queries):
    pairs = [(d, p) for d in ("security", "safety") for p in ["", *PRACTICES]][:rules]
    for domain, practice in pairs:
        OwnershipRuleFactory(team=teams["security"], domain=domain, practice=practice)
    c = client_for(lead)
    c.get(reverse("assessments:routing_list", args=[org.slug]))
    # session, user, membership, teams, rules, misrouted count, last job, other organisations
    with django_assert_num_queries(8):
        c.get(reverse("assessments:routing_list", args=[org.slug]))


def test_only_managers_see_the_rules_menu_the_reroute_offer_and_the_job(client_for, member, lead, org, teams, system):
    RerouteJob.objects.create(organisation=org, requested_by=lead, status="running", total=3)
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="security"), owner_team=teams["both"])
    url = reverse("assessments:routing_list", args=[org.slug])
    as_member = client_for(member).get(url).content.decode()
    assert "Ownership rules</a>" not in as_member  # not in the side navigation
    assert "/routing/reroute/" not in as_member and "Review and re-route" not in as_member
    as_lead = client_for(lead).get(url).content.decode()
    assert "Ownership rules</a>" in as_lead
    assert "Review and re-route" in as_lead and 'hx-trigger="every 2s"' in as_lead
