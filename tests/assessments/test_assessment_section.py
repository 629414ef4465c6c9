import re

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import AssessmentAnswer, AssessmentStatus
from assessments.services.assessments import answer_values
from audit.models import AuditEvent
from tests.assessments.conftest import full_answers, section_post, section_url
from tests.assessments.factories import AssessmentFactory
from tests.factories import TeamFactory


@pytest.fixture
def assessment(system):
    return AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT)


def test_profile_questions_are_prefilled_from_the_system(client_for, lead, assessment):
    response = client_for(lead).get(section_url(assessment, "exposure"))
    form = response.context["form"]
    assert form["exposure"].initial == "public"
    assert form["reads_untrusted_content"].initial == "yes"
    assert form.prefilled == {"exposure", "reads_untrusted_content", "weights_exposed", "exposes_scores"}
    assert b"pre-filled from what the inventory says" in response.content
    assert response.content.count(b"from the profile</p>") == 4


def test_save_and_continue_stores_answers_audits_them_and_moves_on(client_for, lead, assessment, system):
    data = section_post("purpose", full_answers(system))
    response = client_for(lead).post(section_url(assessment, "purpose"), data)
    assert response.status_code == 302
    assert response["Location"] == section_url(assessment, "capabilities")
    values = answer_values(assessment)
    assert values["intended_use"] == "Answers customers' questions about their orders."
    assert values["vulnerable_users"] is True and values["decides_about_people"] is False
    event = AuditEvent.objects.get(action="assessments.assessment.answers_changed")
    assert event.after["intended_use"] == "Answers customers' questions about their orders."
    system.refresh_from_db()
    assert system.version == 1  # the profile is written when the plan is confirmed, not before


def test_the_last_section_leads_to_the_plan(client_for, lead, assessment, system):
    response = client_for(lead).post(section_url(assessment, "harm"), section_post("harm", full_answers(system)))
    assert response["Location"].endswith(f"/assessments/{assessment.pk}/plan/")


def test_autosave_answers_with_the_status_and_new_versions(client_for, lead, assessment, system):
    data = section_post("capabilities", {"uses_tools": True})
    response = client_for(lead).post(section_url(assessment, "capabilities"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saved at" in body
    # The page's hidden version and original value move on, out of band, without touching the field.
    assert 'name="v__uses_tools" id="id_v__uses_tools" value="1" hx-swap-oob="true"' in body
    assert 'name="o__uses_tools" id="id_o__uses_tools" value="true" hx-swap-oob="true"' in body
    assert 'id="q-uses_tools"' not in body
    assert 'id="q-progress" class="mb-3" hx-swap-oob="true"' in body
    assert AssessmentAnswer.objects.get(assessment=assessment, question="uses_tools").value is True


def test_an_unchanged_answer_is_not_saved_again(client_for, lead, assessment):
    c = client_for(lead)
    c.post(section_url(assessment, "harm"), section_post("harm", {"people_affected": "few"}), HTTP_HX_REQUEST="true")
    c.post(
        section_url(assessment, "harm"),
        section_post("harm", {"people_affected": "few"}, {"people_affected": 1}),
        HTTP_HX_REQUEST="true",
    )
    answer = AssessmentAnswer.objects.get(assessment=assessment, question="people_affected")
    assert answer.version == 1
    assert AuditEvent.objects.filter(action="assessments.assessment.answers_changed").count() == 1


def test_two_people_changing_the_same_answer_conflict_and_nothing_is_overwritten(client_for, lead, lead2, assessment):
    c1, url = client_for(lead), section_url(assessment, "harm")
    c1.post(url, section_post("harm", {"people_affected": "few"}))  # version 1
    # Both load the page at version 1; lead2 saves first.
    client_for(lead2).post(url, section_post("harm", {"people_affected": "millions"}, {"people_affected": 1}))
    response = client_for(lead).post(url, section_post("harm", {"people_affected": "hundreds"}, {"people_affected": 1}))
    assert response.status_code == 200
    answer = AssessmentAnswer.objects.get(assessment=assessment, question="people_affected")
    assert answer.value == "millions" and answer.version == 2
    (conflict,) = response.context["result"].conflicts
    assert (conflict.theirs, conflict.yours, conflict.by) == ("millions", "hundreds", lead2)
    body = response.content.decode()
    assert "Someone else changed these answers" in body
    assert "“Millions”" in body and "your “Hundreds” was not saved" in body
    assert response.context["form"]["people_affected"].initial == "millions"  # theirs is shown


def test_an_answer_someone_else_gave_is_not_cleared_by_a_page_that_showed_it_empty(client_for, lead, lead2, assessment):
    url = section_url(assessment, "harm")
    client_for(lead2).post(url, section_post("harm", {"people_affected": "few"}))
    # lead's page was loaded before: people_affected empty at version 0; they answer another question.
    response = client_for(lead).post(
        url, section_post("harm", {"worst_case": "Wrong refunds."}), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Saved at" in body
    assert answer_values(assessment) == {"people_affected": "few", "worst_case": "Wrong refunds."}
    assert "Someone else changed" not in body  # not a conflict: lead never touched that answer
    # The answer the page did not know comes back whole, out of band, with lead2's value checked.
    assert '<div id="q-people_affected" class="question" hx-swap-oob="true">' in body
    assert re.search(r'value="few"\s+id="id_people_affected_0" checked', body.split('id="q-people_affected"')[1])


def test_autosave_conflict_swaps_in_their_answer_and_the_notice(client_for, lead, lead2, assessment):
    url = section_url(assessment, "harm")
    client_for(lead2).post(url, section_post("harm", {"people_affected": "few"}))
    response = client_for(lead).post(url, section_post("harm", {"people_affected": "millions"}), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert '<div id="answer-conflicts" hx-swap-oob="true">' in body
    assert "Someone else changed these answers" in body
    assert '<div id="q-people_affected" class="question" hx-swap-oob="true">' in body
    assert re.search(r'value="few"\s+id="id_people_affected_0" checked', body.split('id="q-people_affected"')[1])
    assert AssessmentAnswer.objects.get(question="people_affected").value == "few"


def test_autosave_of_an_invalid_answer_says_so_and_marks_it(client_for, lead, assessment):
    data = section_post("harm", {"worst_case": "x" * 2001})
    response = client_for(lead).post(section_url(assessment, "harm"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Not saved: check the marked answers." in body
    assert '<div id="q-worst_case" class="question" hx-swap-oob="true">' in body
    assert "is-invalid" in body
    assert not AssessmentAnswer.objects.exists()


def test_invalid_input_is_shown_again_and_not_saved(client_for, lead, assessment):
    data = section_post("purpose", {"intended_use": "x" * 2001, "lifecycle_stage": "nonsense"})
    response = client_for(lead).post(section_url(assessment, "purpose"), data)
    assert response.status_code == 200
    assert {"intended_use", "lifecycle_stage"} <= set(response.context["form"].errors)
    assert not AssessmentAnswer.objects.exists()


def test_owner_team_members_answer_too(client_for, member, assessment):
    response = client_for(member).post(
        section_url(assessment, "harm"), section_post("harm", {"people_affected": "few"})
    )
    assert response.status_code == 302


def test_a_member_of_another_team_gets_403(client_for, make_member, org, assessment):
    stranger = make_member(Role.MEMBER, teams=[TeamFactory(organisation=org, name="Elsewhere")])
    url = section_url(assessment, "harm")
    assert client_for(stranger).post(url, section_post("harm", {"people_affected": "few"})).status_code == 403
    assert not AssessmentAnswer.objects.exists()


def test_a_closed_questionnaire_sends_back_to_the_assessment(client_for, lead, system):
    assessment = AssessmentFactory(ai_system=system, status=AssessmentStatus.IN_PROGRESS)
    response = client_for(lead).post(section_url(assessment, "harm"), section_post("harm", {"people_affected": "few"}))
    assert response["Location"].endswith(f"/assessments/{assessment.pk}/")
    assert not AssessmentAnswer.objects.exists()


def test_an_unknown_section_is_404(client_for, lead, assessment):
    assert client_for(lead).get(section_url(assessment, "nope")).status_code == 404


def test_anonymous_is_sent_to_login(client, assessment):
    assert client.get(section_url(assessment, "harm")).status_code == 302


def test_going_to_another_section_saves_this_one_first(client_for, lead, assessment):
    data = {**section_post("harm", {"people_affected": "few"}), "goto": "purpose"}
    response = client_for(lead).post(section_url(assessment, "harm"), data)
    assert response["Location"] == section_url(assessment, "purpose")
    assert answer_values(assessment) == {"people_affected": "few"}


def test_a_hidden_character_in_an_answer_asks_then_autosaves_the_choice(client_for, lead, assessment, system):
    url = section_url(assessment, "purpose")
    answers = {**full_answers(system), "intended_use": "Answers questions.\u200b"}
    client = client_for(lead)
    response = client.post(url, section_post("purpose", answers), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Not saved" in body and "U+200B ZERO WIDTH SPACE" in body
    assert 'name="intended_use__hidden"' in body  # the question comes back with the choice
    assert "intended_use" not in answer_values(assessment)
    data = {**section_post("purpose", answers), "intended_use__hidden": "strip"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "Saved at" in response.content.decode()
    assert answer_values(assessment)["intended_use"] == "Answers questions."
    event = AuditEvent.objects.get(action="core.hidden_text.decided")
    assert event.after["hidden_characters"][0]["field"] == "intended_use"


def test_which_actions_is_not_required_when_it_takes_none(client_for, lead, assessment, system):
    """Issue 10 #4: "Which actions can it take?" blocked completion even when "Can it take actions?" was No."""
    c = client_for(lead)
    answers = full_answers(system, uses_tools=False, tool_actions=None)
    for key in ("purpose", "capabilities", "model_data", "exposure", "harm"):
        c.post(section_url(assessment, key), section_post(key, answers))
    assert "tool_actions" not in answer_values(assessment)
    response = c.get(reverse("assessments:assessment_plan", args=[assessment.organisation.slug, assessment.pk]))
    assert not response.context["problems"]


def test_a_saved_section_lists_what_still_blocks_with_links(client_for, lead, assessment):
    c = client_for(lead)
    data = section_post("capabilities", {"uses_tools": False, "tool_actions": ["spend_money"]})
    response = c.post(section_url(assessment, "capabilities"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="section-blockers" hx-swap-oob="true"' in body
    assert 'href="#q-tool_actions"' in body  # the contradiction
    assert 'href="#q-system_type"' in body  # an answer still missing
    assert "blocking: 1 answer contradicts another" in body  # the section's state in the steps
    # Without JavaScript the section moves on and says how many answers still block it.
    response = c.post(section_url(assessment, "capabilities"), data, follow=True)
    text = [str(m) for m in response.context["messages"]]
    assert any("still block completing the questionnaire" in m for m in text)
    page = c.get(section_url(assessment, "capabilities")).content.decode()
    assert 'href="#q-tool_actions"' in page


def test_an_untouched_section_does_not_nag(client_for, lead, assessment):
    page = client_for(lead).get(section_url(assessment, "harm")).content.decode()
    assert 'href="#q-worst_case"' not in page


def test_the_section_list_shows_each_sections_state(client_for, lead, assessment, system):
    c = client_for(lead)
    c.post(section_url(assessment, "purpose"), section_post("purpose", full_answers(system)))
    c.post(
        section_url(assessment, "capabilities"),
        section_post("capabilities", {"uses_tools": False, "tool_actions": ["call_apis"]}),
    )
    url = reverse("assessments:assessment_detail", args=[assessment.organisation.slug, assessment.pk])
    html = c.get(url).content.decode()
    assert html.count("section-state-complete") == 1  # purpose
    assert html.count("section-state-blocking") == 1  # capabilities
    assert html.count("section-state-incomplete") == 3
