"""IR plans: started from the playbook templates that fit the covered systems' profiles, the
governed-record workflow and its refusals per role, contacts and their validation, the pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from response import services
from response.forms import RoleForm
from response.models import IncidentResponsePlan, PlanRole, Playbook
from response.templates import all_templates, fitting, parse
from response.workflow import PLAN
from tests.factories import AISystemFactory, TeamFactory

CHAT = {"system_type": "chat_assistant", "generates_text": True, "exposure": "public", "autonomy": "none"}
HIRING = {
    "system_type": "predictive",
    "generates_text": False,
    "decides_about_people": True,
    "processes_personal_data": True,
    "exposure": "internal",
    "autonomy": "human_in_loop",
    "provenance": "third_party_api",
}


@pytest.fixture
def chat(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Chat", **CHAT)


@pytest.fixture
def hiring(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Hiring", **HIRING)


def start(actor, primary, *others):
    return services.plan_create(
        actor=actor, primary=primary, systems=others, data={"title": "IR plan", "escalation_path": "On call"}
    )


def take(plan, actor, name, text=""):
    return PLAN.take(actor=actor, record=plan, name=name, expected_version=plan.version, text=text)


def keys(plan):
    return set(plan.playbooks.values_list("template_key", flat=True))


def test_the_templates_file_has_every_incident_type_with_both_kinds_of_steps():
    templates = all_templates()
    assert {t.key for t in templates} >= {
        "prompt_injection_leak",
        "model_theft",
        "training_data_poisoning",
        "agent_tool_misuse",
        "harmful_output",
        "biased_decisions",
        "harmful_hallucination",
        "runaway_agent",
        "cbrne_misuse",
    }
    assert all(t.technical_steps and t.communication_steps for t in templates)


def test_a_template_with_a_rule_outside_the_grammar_is_refused():
    bad = [{"key": "x", "title": "X", "domain": "safety", "applies_when": {"flag": "no_such_flag"},
            "technical_steps": ["a"], "communication_steps": ["b"]}]  # fmt: skip
    with pytest.raises(ValueError, match="unknown capability flag"):
        parse(bad)


def test_a_chat_assistant_plan_starts_with_the_templates_its_profile_fits(member, chat):
    plan = start(member, chat)
    assert keys(plan) == {"prompt_injection_leak", "harmful_output", "harmful_hallucination"}
    assert list(plan.systems.all()) == [chat]
    assert plan.severity_levels and plan.notifications == []


def test_covering_a_second_system_adds_the_templates_its_profile_fits(member, chat, hiring):
    plan = start(member, chat, hiring)
    assert keys(plan) == {"prompt_injection_leak", "harmful_output", "harmful_hallucination", "biased_decisions"}
    assert set(plan.systems.all()) == {chat, hiring}
    # Personal data: the breach notification is listed with its 72-hour deadline.
    assert [(n["kind"], n["deadline_hours"]) for n in plan.notifications] == [("data_protection_breach", 72)]


def test_agents_and_dual_use_systems_get_their_own_playbooks(org, team):
    agent = AISystemFactory(
        organisation=org, owner_team=team, system_type="agent", uses_tools=True, autonomy="autonomous",
        generates_text=False, dual_use_capability=True, eu_ai_act_tier="high", provenance="third_party_api",
    )  # fmt: skip
    found = {t.key for t in fitting([agent])}
    assert {"agent_tool_misuse", "runaway_agent", "cbrne_misuse"} <= found
    assert "biased_decisions" not in found and "model_theft" not in found


def test_a_plan_cannot_cover_another_organisations_system(member, chat):
    elsewhere = AISystemFactory()
    with pytest.raises(ValidationError):
        start(member, chat, elsewhere)


def test_the_author_submits_and_another_lead_approves_with_the_plan_cadence(member, lead, chat, org):
    plan = take(start(member, chat), member, "submit")
    with pytest.raises(PermissionDenied):
        take(plan, member, "approve")
    plan = take(plan, lead, "approve")
    assert plan.status == "approved"
    assert plan.next_review_due == plan.approved_at.date() + __import__("datetime").timedelta(
        days=org.ir_plan_cadence_days
    )


def test_a_lead_never_approves_their_own_plan(lead, chat):
    plan = take(start(lead, chat), lead, "submit")
    with pytest.raises(PermissionDenied):
        take(plan, lead, "approve")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_readers_cannot_submit(make_member, chat, member, role):
    reader = make_member(role, teams=[chat.owner_team])
    with pytest.raises(PermissionDenied):
        take(start(member, chat), reader, "submit")


def test_a_member_of_another_team_cannot_submit(make_member, org, chat, member):
    stranger = make_member(Role.MEMBER, teams=[TeamFactory(organisation=org)])
    with pytest.raises(PermissionDenied):
        take(start(member, chat), stranger, "submit")


def test_the_owner_team_of_a_covered_system_may_edit_the_plan(make_member, org, member, chat):
    other_team = TeamFactory(organisation=org)
    other = AISystemFactory(organisation=org, owner_team=other_team, **CHAT)
    colleague = make_member(Role.MEMBER, teams=[other_team])
    plan = take(start(member, chat, other), colleague, "submit")
    assert plan.status == "in_review"


def test_a_new_version_copies_roles_playbooks_and_coverage(member, lead, chat, hiring):
    from records.services import record_new_version

    plan = start(member, chat, hiring)
    services.plan_roles_save(
        actor=member, plan=plan, rows=[{"role": "incident_commander", "version": None, "member": member}]
    )
    plan = take(take(plan, member, "submit"), lead, "approve")
    new = record_new_version(plan, actor=member, expected_version=plan.version)
    assert set(new.systems.all()) == {chat, hiring}
    assert keys(new) == keys(plan)
    assert new.roles.get().member == member
    assert Playbook.objects.filter(plan=plan).count() == Playbook.objects.filter(plan=new).count()


# --- contacts -----------------------------------------------------------------------------------


def role_form(org, **data):
    return RoleForm({"role": "legal_privacy", **data}, org=org)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Outside counsel"}, "phone"),  # an external contact needs a way to reach them
        ({"name": "Counsel", "phone": "call me"}, "phone"),
        ({"name": "Counsel", "phone": "12"}, "phone"),
        ({"name": "Counsel", "email": "not-an-address"}, "email"),
        ({"email": "a@example.com"}, "name"),
    ],
)
def test_an_external_contact_needs_a_valid_phone_or_email(org, data, field):
    form = role_form(org, **data)
    assert not form.is_valid() and field in form.errors


def test_a_contact_is_a_member_or_an_external_person_not_both(org, member):
    form = role_form(org, member=member.pk, name="Someone")
    assert not form.is_valid() and form.non_field_errors()


@pytest.mark.parametrize(
    "data", [{"name": "Counsel", "phone": "+44 (20) 7946-0000"}, {"name": "C", "email": "c@x.org"}]
)
def test_valid_contacts_pass(org, data):
    assert role_form(org, **data).is_valid()


def test_a_member_of_another_organisation_is_not_offered(org, outsider):
    form = role_form(org, member=outsider.pk)
    assert not form.is_valid() and "member" in form.errors


def test_contacts_are_saved_updated_and_cleared_with_their_versions(member, chat):
    plan = start(member, chat)
    (row,) = services.plan_roles_save(
        actor=member, plan=plan, rows=[{"role": "legal_privacy", "version": None, "name": "Counsel", "phone": "+4420"}]
    )
    services.plan_roles_save(
        actor=member, plan=plan, rows=[{"role": "legal_privacy", "version": row.version, "name": "Counsel B"}]
    )
    assert PlanRole.objects.get(plan=plan).name == "Counsel B"
    from core.concurrency import EditConflict

    with pytest.raises(EditConflict):  # the page still showed version 1
        services.plan_roles_save(
            actor=member, plan=plan, rows=[{"role": "legal_privacy", "version": row.version, "name": "Stale"}]
        )
    services.plan_roles_save(actor=member, plan=plan, rows=[{"role": "legal_privacy", "version": 2, "name": ""}])
    assert not PlanRole.objects.filter(plan=plan).exists()
    assert AuditEvent.objects.filter(action="response.planrole.removed").exists()


def test_contacts_of_an_approved_plan_are_not_edited(member, lead, chat):
    plan = take(take(start(member, chat), member, "submit"), lead, "approve")
    with pytest.raises(ValidationError):
        services.plan_roles_save(
            actor=member, plan=plan, rows=[{"role": "legal_privacy", "name": "X", "phone": "+4420"}]
        )


# --- pages --------------------------------------------------------------------------------------


def test_a_member_starts_a_plan_from_the_page(client_for, member, org, chat, hiring):
    url = reverse("response:plan_create", args=[org.slug])
    response = client_for(member).post(
        url, {"ai_system": chat.pk, "systems": [hiring.pk], "title": "Our plan", "escalation_path": "On call"}
    )
    plan = IncidentResponsePlan.objects.get(title="Our plan")
    assert response.status_code == 302 and response.url == reverse("response:plan_detail", args=[org.slug, plan.pk])
    assert "biased_decisions" in keys(plan)


def test_the_create_form_shows_errors_and_saves_nothing(client_for, member, org, chat):
    url = reverse("response:plan_create", args=[org.slug])
    response = client_for(member).post(url, {"ai_system": chat.pk, "title": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert not IncidentResponsePlan.objects.exists()


def test_the_edit_page_saves_severity_levels_and_notifications_with_the_plan(client_for, member, org, chat):
    plan = start(member, chat)
    url = reverse("response:plan_edit", args=[org.slug, plan.pk])
    page = client_for(member).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="severity-TOTAL_FORMS" value="5"' in html and 'name="notification-TOTAL_FORMS"' in html
    assert 'value="SEV2 – high"' in html
    data = {
        "title": "Edited",
        "scope": "",
        "escalation_path": "On call\nCTO",
        "version": plan.version,
        # The page shows the four default levels and an empty row: keep the first, drop the rest.
        "severity-TOTAL_FORMS": 5,
        "severity-INITIAL_FORMS": 4,
        "severity-0-name": "SEV1",
        "severity-0-respond_within_minutes": 10,
        "severity-0-update_every_minutes": 30,
        **{f"severity-{i}-DELETE": "on" for i in (1, 2, 3)},
        "severity-4-name": "",
        "notification-TOTAL_FORMS": 1,
        "notification-INITIAL_FORMS": 0,
        "notification-0-kind": "data_protection_breach",
        "notification-0-recipient": "ICO",
        "notification-0-deadline_hours": 72,
        "notification-0-owner_role": "legal_privacy",
    }
    response = client_for(member).post(url, data)
    assert response.status_code == 302, response.context and response.context["severity"].errors
    plan.refresh_from_db()
    assert [s["name"] for s in plan.severity_levels] == ["SEV1"]
    assert plan.notifications[0]["recipient"] == "ICO"
    bad = {**data, "version": plan.version, "severity-0-respond_within_minutes": 0}
    response = client_for(member).post(url, bad)
    assert response.status_code == 200 and response.context["severity"].errors[0]


def test_the_roles_page_saves_the_five_roles(client_for, member, org, chat):
    plan = start(member, chat)
    url = reverse("response:plan_roles", args=[org.slug, plan.pk])
    assert client_for(member).get(url).status_code == 200
    data = {"role-TOTAL_FORMS": 5, "role-INITIAL_FORMS": 5}
    roles = ["incident_commander", "technical_lead", "communications_lead", "legal_privacy", "responsible_ai_lead"]
    for i, role in enumerate(roles):
        data[f"role-{i}-role"] = role
    data["role-0-member"] = member.pk
    data["role-3-name"] = "Outside counsel"
    data["role-3-email"] = "counsel@example.com"
    response = client_for(member).post(url, data)
    assert response.status_code == 302
    assert dict(PlanRole.objects.values_list("role", "name")) == {
        "incident_commander": "",
        "legal_privacy": "Outside counsel",
    }
    data["role-3-email"] = ""
    response = client_for(member).post(url, data)
    assert response.status_code == 200 and "phone" in response.context["formset"].forms[3].errors


def test_playbooks_are_added_from_templates_or_written(client_for, member, org, chat):
    plan = start(member, chat)
    url = reverse("response:playbook_add", args=[org.slug, plan.pk])
    page = client_for(member).get(url)
    assert page.status_code == 200
    response = client_for(member).post(url, {"add_templates": "1", "templates": ["model_theft"]})
    assert response.status_code == 302 and "model_theft" in keys(plan)
    response = client_for(member).post(
        url,
        {
            "title": "Vendor outage",
            "domain": "safety",
            "technical_steps": "Fail over",
            "communication_steps": "Tell users",
        },
    )
    assert response.status_code == 302 and plan.playbooks.filter(title="Vendor outage").exists()
    detail = client_for(member).get(reverse("response:plan_detail", args=[org.slug, plan.pk]))
    assert detail.status_code == 200 and b"Vendor outage" in detail.content


def test_a_post_repeating_a_role_is_refused_without_a_server_error(client_for, member, org, chat):
    plan = start(member, chat)
    url = reverse("response:plan_roles", args=[org.slug, plan.pk])
    data = {"role-TOTAL_FORMS": 2, "role-INITIAL_FORMS": 2}
    for i in range(2):
        data |= {f"role-{i}-role": "legal_privacy", f"role-{i}-name": "Counsel", f"role-{i}-phone": "+44 20 7946 0000"}
    response = client_for(member).post(url, data)
    assert response.status_code == 200 and response.context["formset"].non_form_errors()
    assert not PlanRole.objects.exists()


def test_versions_of_a_plan_are_compared_with_their_playbooks_and_contacts(client_for, member, lead, org, chat):
    from records.services import record_new_version

    plan = start(member, chat)
    plan = take(take(plan, member, "submit"), lead, "approve")
    new = record_new_version(plan, actor=member, expected_version=plan.version)
    services.playbook_add_templates(actor=member, plan=new, keys=["cbrne_misuse"])
    services.plan_roles_save(
        actor=member, plan=new, rows=[{"role": "legal_privacy", "name": "Counsel", "email": "c@example.com"}]
    )
    response = client_for(member).get(reverse("response:plan_compare", args=[org.slug, new.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "CBRNE-related misuse attempt" in text and "Legal / privacy: Counsel (c@example.com)" in text
    history = client_for(member).get(reverse("response:plan_history", args=[org.slug, plan.pk]))
    assert history.status_code == 200 and history.context["events"]


def test_hidden_characters_in_a_contact_are_caught_and_the_choice_is_audited(client_for, member, org, chat):
    plan = start(member, chat)
    url = reverse("response:plan_roles", args=[org.slug, plan.pk])
    roles = ["incident_commander", "technical_lead", "communications_lead", "legal_privacy", "responsible_ai_lead"]
    data = {"role-TOTAL_FORMS": 5, "role-INITIAL_FORMS": 5} | {f"role-{i}-role": r for i, r in enumerate(roles)}
    data |= {"role-3-name": "Out\u200bside counsel", "role-3-phone": "+44 20 7946 0000"}
    response = client_for(member).post(url, data)
    assert response.status_code == 200 and "name" in response.context["formset"].forms[3].errors
    response = client_for(member).post(url, data | {"role-3-name__hidden": "strip"})
    assert response.status_code == 302
    assert PlanRole.objects.get().name == "Outside counsel"
    event = AuditEvent.objects.get(action="core.hidden_text.decided")
    assert event.after["hidden_characters"][0]["field"] == "role-3-name"


def test_another_lead_approves_through_the_page(client_for, member, lead, org, chat):
    plan = take(start(member, chat), member, "submit")
    url = reverse("response:plan_act", args=[org.slug, plan.pk])
    response = client_for(lead).post(url, {"action": "approve", "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.approved_by == lead


def test_a_playbook_a_tabletop_rehearsed_is_not_removed(member, lead, chat):
    from tests.response.factories import TabletopFactory

    plan = start(member, chat)
    playbook = plan.playbooks.first()
    TabletopFactory(playbook=playbook)
    with pytest.raises(ValidationError):
        services.playbook_remove(actor=member, playbook=playbook)
    other = plan.playbooks.exclude(pk=playbook.pk).first()
    other_pk = other.pk
    services.playbook_remove(actor=member, playbook=other)
    assert not Playbook.objects.filter(pk=other_pk).exists()
    assert AuditEvent.objects.filter(action="response.playbook.removed", object_id=str(other_pk)).exists()
