import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, AssessmentStatus, AssignmentStatus, ControlAssignment
from assessments.services.assessments import answers_save
from audit.models import AuditEvent
from tests.assessments.conftest import answer_everything, plan_post
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory


@pytest.fixture(autouse=True)
def teams(team, safety_team, platform_team):
    """A team for every domain, so every control has an owner."""
    return team, safety_team, platform_team


@pytest.fixture
def controls(db):
    """One control per case: always, safety for vulnerable users, both for untrusted content, and
    one for tools (which the system does not use)."""
    return {
        "always": ControlFactory(ref="PH-91", domain="security", practice="prompt_hardening", applies_when="always"),
        "vulnerable": ControlFactory(
            ref="GR-91", domain="safety", practice="guardrails", applies_when={"flag": "vulnerable_users"}
        ),
        "untrusted": ControlFactory(
            ref="DG-91", domain="both", practice="data_governance", applies_when={"flag": "reads_untrusted_content"}
        ),
        "tools": ControlFactory(
            ref="AC-91", domain="security", practice="access_control", applies_when={"flag": "uses_tools"}
        ),
    }


@pytest.fixture
def assessment(system):
    return AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT)


def url(assessment):
    return reverse("assessments:assessment_plan", args=[assessment.organisation.slug, assessment.pk])


def test_missing_answers_block_completion_with_links_to_each(client_for, lead, assessment, controls):
    response = client_for(lead).get(url(assessment))
    body = response.content.decode()
    assert response.status_code == 200
    assert "answers block completing the questionnaire" in body
    first = reverse("assessments:assessment_section", args=[assessment.organisation.slug, assessment.pk, "purpose"])
    assert f'href="{first}#q-intended_use"' in body
    assert f"{first[:-8]}harm/#q-worst_case" in body
    assert "form" not in response.context or response.context.get("plan") is None


def test_contradicting_answers_block_completion_too(client_for, lead, assessment, controls, lead2):
    answer_everything(assessment, lead, system_type="agent", uses_tools=False)
    response = client_for(lead).get(url(assessment))
    problems = {p.question.key: p.message for p in response.context["problems"]}
    assert "An agent acts through tools" in problems["uses_tools"]  # the inventory's own rule


def test_the_plan_shows_counts_owners_and_why_each_control_applies(
    client_for, lead, assessment, controls, team, safety_team, platform_team
):
    answer_everything(assessment, lead)
    response = client_for(lead).get(url(assessment))
    plan = response.context["plan"]
    assert [i.control.ref for i in plan.new] == ["DG-91", "GR-91", "PH-91"]
    assert dict(plan.domain_counts()) == {"security": 1, "safety": 1, "both": 1}
    routes = {i.control.ref: (i.route.team, i.route.cosigning_team) for i in plan.new}
    assert routes == {"PH-91": (team, None), "GR-91": (safety_team, None), "DG-91": (platform_team, safety_team)}
    reasons = {i.control.ref: i.reasons for i in plan.new}
    assert reasons["GR-91"] == ["“May be used by minors or vulnerable people” is ticked"]
    body = response.content.decode()
    assert "“Reads untrusted content” is ticked" in body
    assert "Confirm the plan and create 3 assignments" in body
    assert ControlAssignment.objects.count() == 0  # nothing is created before confirming


def test_confirming_writes_the_profile_and_creates_the_routed_assignments(
    client_for, lead, assessment, controls, system, team, safety_team, platform_team
):
    answer_everything(assessment, lead, exposure="customer_facing", uses_tools=True)
    c = client_for(lead)
    form = c.get(url(assessment)).context["form"]
    response = c.post(url(assessment), plan_post(form, due_date="2099-06-30"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS and assessment.plan_confirmed_by == lead
    system.refresh_from_db()
    assert (system.exposure, system.uses_tools, system.version) == ("customer_facing", True, 2)
    profile_event = AuditEvent.objects.get(action="governance.aisystem.updated")
    assert profile_event.after == {"exposure": "customer_facing", "uses_tools": True, "version": 2}
    owners = {
        a.control.ref: (a.owner_team, a.cosigning_team, a.status, str(a.due_date))
        for a in ControlAssignment.objects.select_related("control")
    }
    assert owners == {
        "PH-91": (team, None, AssignmentStatus.NOT_STARTED, "2099-06-30"),
        "AC-91": (team, None, AssignmentStatus.NOT_STARTED, "2099-06-30"),  # now that it uses tools
        "GR-91": (safety_team, None, AssignmentStatus.NOT_STARTED, "2099-06-30"),
        "DG-91": (platform_team, safety_team, AssignmentStatus.NOT_STARTED, "2099-06-30"),
    }
    assert AuditEvent.objects.filter(action="assessments.assignment.created").count() == 4
    confirmed = AuditEvent.objects.get(action="assessments.assessment.plan_confirmed")
    assert confirmed.after["created"] == 4 and confirmed.after["status"] == "in_progress"


def test_the_lead_may_change_owners_before_confirming(client_for, lead, assessment, controls, platform_team, team):
    answer_everything(assessment, lead)
    c = client_for(lead)
    form = c.get(url(assessment)).context["form"]
    c.post(url(assessment), plan_post(form, **{f"owner_{controls['always'].pk}": platform_team.pk}))
    assert ControlAssignment.objects.get(control=controls["always"]).owner_team == platform_team


def test_ticked_controls_get_one_team_and_the_plan_is_shown_again(
    client_for, lead, assessment, controls, platform_team, safety_team
):
    """One shared owner control instead of a drop-down per row: applying creates nothing yet."""
    answer_everything(assessment, lead)
    c = client_for(lead)
    form = c.get(url(assessment)).context["form"]
    picked = [str(item.control.pk) for item in form.plan.new][:2]
    data = {**plan_post(form), "pick": picked, "bulk_owner": platform_team.pk, "apply": "1"}
    response = c.post(url(assessment), data)
    assert response.status_code == 200 and not ControlAssignment.objects.exists()
    rows = {str(r.item.control.pk): r for r in response.context["form"].rows}
    assert {rows[pk].owner_name for pk in picked} == {platform_team.name}
    body = response.content.decode()
    assert "<select" not in body.split("Change the owners of the ticked controls")[0]  # no per-row widgets
    assert f'name="owner_{picked[0]}" value="{platform_team.pk}"' in body
    # Confirming posts what the page now shows.
    confirm = {**plan_post(response.context["form"]), **{f"owner_{pk}": platform_team.pk for pk in picked}}
    assert c.post(url(assessment), confirm).status_code == 302
    owners = {str(a.control_id): a.owner_team for a in ControlAssignment.objects.all()}
    assert {owners[pk] for pk in picked} == {platform_team}


def test_applying_an_unknown_team_is_refused(client_for, lead, assessment, controls):
    answer_everything(assessment, lead)
    c = client_for(lead)
    form = c.get(url(assessment)).context["form"]
    pk = str(form.plan.new[0].control.pk)
    response = c.post(url(assessment), {**plan_post(form), "pick": [pk, "x"], "bulk_owner": "999999", "apply": "1"})
    assert response.status_code == 200 and not ControlAssignment.objects.exists()
    assert response.context["form"].errors


def test_a_cosigning_team_equal_to_the_owner_is_refused(client_for, lead, assessment, controls, platform_team):
    answer_everything(assessment, lead)
    c = client_for(lead)
    form = c.get(url(assessment)).context["form"]
    pk = controls["untrusted"].pk
    response = c.post(
        url(assessment), plan_post(form, **{f"owner_{pk}": platform_team.pk, f"cosign_{pk}": platform_team.pk})
    )
    assert response.status_code == 200
    assert f"cosign_{pk}" in response.context["form"].errors
    assert not ControlAssignment.objects.exists()


def test_a_profile_edited_since_the_plan_was_shown_is_a_conflict(client_for, lead, assessment, controls, system):
    answer_everything(assessment, lead, exposure="internal")
    c = client_for(lead)
    form = c.get(url(assessment)).context["form"]
    system.description = "Edited by someone else meanwhile."
    system.version = 2
    system.save()
    response = c.post(url(assessment), plan_post(form))
    assert response.status_code == 200
    assert response.context["conflict_on_system"]
    assert "profile changed while you reviewed the plan." in response.content.decode()
    assert not ControlAssignment.objects.exists()
    system.refresh_from_db()
    assert system.exposure == "public"
    # The page now carries the current version: confirming again is a deliberate step.
    assert response.context["form"]["system_version"].initial == 2


def test_a_second_confirmation_creates_nothing_twice(client_for, lead, lead2, assessment, controls):
    answer_everything(assessment, lead)
    form = client_for(lead2).get(url(assessment)).context["form"]  # both leads are shown this plan
    client_for(lead).post(url(assessment), plan_post(form))
    response = client_for(lead2).post(url(assessment), plan_post(form), follow=True)
    assert b"The plan was confirmed meanwhile" in response.content
    assert ControlAssignment.objects.count() == 3


def test_a_reassessment_adds_new_controls_and_retires_those_that_no_longer_apply(
    client_for, lead, system, controls, team
):
    previous = AssessmentFactory(ai_system=system, status=AssessmentStatus.APPROVED)
    kept = ControlAssignmentFactory(
        ai_system=system, control=controls["always"], assessment=previous, status="verified"
    )
    leaving = ControlAssignmentFactory(ai_system=system, control=controls["vulnerable"], assessment=previous)
    assessment = AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT, previous=previous)
    answer_everything(assessment, lead, vulnerable_users=False, uses_tools=True)
    c = client_for(lead)
    response = c.get(url(assessment))
    plan = response.context["plan"]
    assert [i.control.ref for i in plan.new] == ["AC-91", "DG-91"]
    assert [i.control.ref for i in plan.kept] == ["PH-91"]
    (retirement,) = plan.retire
    assert retirement.reason == (
        "No longer applies: its rule (“May be used by minors or vulnerable people”) "
        "does not hold for the confirmed profile."
    )
    c.post(url(assessment), plan_post(response.context["form"]))
    leaving.refresh_from_db()
    kept.refresh_from_db()
    assert leaving.retired_at and leaving.retired_by_assessment == assessment
    assert "May be used by minors or vulnerable people" in leaving.retirement_reason
    assert kept.retired_at is None and kept.status == "verified" and kept.assessment == previous
    assert ControlAssignment.objects.filter(ai_system=system).count() == 4  # never deleted
    assert AuditEvent.objects.filter(action="assessments.assignment.retired").count() == 1


def test_a_control_retired_from_the_library_is_retired_with_that_reason(client_for, lead, system, controls):
    previous = AssessmentFactory(ai_system=system, status=AssessmentStatus.APPROVED)
    gone = ControlAssignmentFactory(ai_system=system, control=controls["always"], assessment=previous)
    controls["always"].retired_at = gone.created_at
    controls["always"].save()
    assessment = AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT, previous=previous)
    answer_everything(assessment, lead)
    (retirement,) = client_for(lead).get(url(assessment)).context["plan"].retire
    assert retirement.reason == "The control was retired from the library."


def test_a_member_of_the_owner_team_sees_the_plan_but_cannot_confirm(client_for, member, lead, assessment, controls):
    answer_everything(assessment, lead)
    response = client_for(member).get(url(assessment))
    assert response.status_code == 200
    assert b"A governance lead confirms the plan." in response.content
    assert b'name="pick"' not in response.content and b'name="owner_' not in response.content  # no inputs
    assert client_for(member).post(url(assessment), plan_post(response.context["form"])).status_code == 403
    assert not ControlAssignment.objects.exists()
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT


def test_anonymous_is_sent_to_login(client, assessment):
    assert client.get(url(assessment))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("n_controls", [3, 30])
def test_plan_page_query_count_is_constant(
    client_for, lead, org, team, safety_team, platform_team, n_controls, django_assert_num_queries
):
    system = AISystemFactory(organisation=org, owner_team=team)
    for i in range(n_controls):
        ControlFactory(ref=f"QC-{i:02d}", domain=["security", "safety", "both"][i % 3], mappings=[])
    assessment = AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT)
    answer_everything(assessment, lead)
    c = client_for(lead)
    c.get(url(assessment))  # the session's first visit stores the organisation
    cache.clear()
    # session, user, membership, assessment (+system, team), the data version; answers; teams,
    # rules, current assignments and controls for the plan; other organisations (the profile check
    # is a plain function over the answers: no queries)
    with django_assert_num_queries(11):
        response = c.get(url(assessment))
    # The next view finds the plan kept under the data version: it reads none of it.
    with django_assert_num_queries(6):
        again = c.get(url(assessment))
    assert again.content.count(b'name="owner_') == response.content.count(b'name="owner_') == n_controls
    assert len(response.context["plan"].new) == n_controls
    body = response.content.decode()
    assert len(re.findall(r'name="owner_', body)) == n_controls
    assert body.count("<select") == 2  # one shared owner and co-signer control, not two per row


def test_plan_rows_escape_titles_and_show_hidden_characters(client_for, lead, assessment, controls):
    """The rows are built in Python (assessment_ui.plan_rows): markup in a title shows as text,
    and a hidden character is shown as a marker, as the templates do elsewhere."""
    controls["always"].title = "<b>Bold</b> screen\u200b input"
    controls["always"].save()
    answer_everything(assessment, lead)
    body = client_for(lead).get(url(assessment)).content.decode()
    row = next(r for r in body.split("<tr>") if "PH-91" in r)
    assert "&lt;b&gt;Bold&lt;/b&gt; screen" in row and "<b>Bold</b>" not in row
    assert "U+200B" in row
    assert 'type="checkbox" name="pick"' in row and 'name="owner_' in row


def test_the_kept_plan_shows_each_reader_their_own_variant_and_follows_the_answers(lead, member, assessment, controls):
    """A GET keeps the plan's body under the data version: a member of the owner team never sees
    the lead's confirm button (nor the reverse), and a changed answer (an audited change) shows at
    once. The CSRF token is each reader's own, outside the kept body."""
    saved = answer_everything(assessment, lead)
    lead_client, member_client = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    lead_client.force_login(lead)
    member_client.force_login(member)
    confirm = re.compile(rb"Confirm the plan and create \d+ assignments")
    for _ in range(2):
        as_member, as_lead = member_client.get(url(assessment)), lead_client.get(url(assessment))
        assert b"A governance lead confirms the plan." in as_member.content and not confirm.search(as_member.content)
        assert confirm.search(as_lead.content)
    tokens = [
        re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)" form="plan-form"', r.content)[1]
        for r in (as_member, as_lead)
    ]
    assert tokens[0] != tokens[1]
    assert b"3 new assignments" in as_lead.content
    answers_save(actor=lead, assessment=assessment, values={"vulnerable_users": False}, versions=saved.versions)
    assert b"2 new assignments" in lead_client.get(url(assessment)).content


def test_the_plan_confirms_with_the_token_from_outside_the_kept_body(lead, assessment, controls):
    """The browser sends the token the page put outside the form (form="plan-form"); Django's
    CSRF check is on here, as in production."""
    answer_everything(assessment, lead)
    c = Client(enforce_csrf_checks=True)
    c.force_login(lead)
    page = c.get(url(assessment))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)" form="plan-form"', page.content)[1].decode()
    data = {**plan_post(page.context["form"]), "csrfmiddlewaretoken": token}
    assert c.post(url(assessment), data).status_code == 302
    assert ControlAssignment.objects.filter(assessment=assessment).count() == 3
