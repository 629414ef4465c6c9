import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import Assessment, AssessmentAnswer, AssessmentStatus
from assessments.services.assessments import answer_values
from audit.models import AuditEvent
from tests.assessments.factories import AssessmentFactory


def url(system):
    return reverse("assessments:assessment_start", args=[system.organisation.slug, system.pk])


def test_a_lead_starts_an_assessment_and_lands_on_the_first_section(client_for, lead, system):
    response = client_for(lead).post(url(system), {"due_date": "2099-03-31"})
    assessment = Assessment.objects.get(ai_system=system)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/assessments/{assessment.pk}/questions/purpose/")
    assert assessment.status == AssessmentStatus.DRAFT
    assert str(assessment.due_date) == "2099-03-31"
    assert assessment.started_by == lead
    assert AuditEvent.objects.filter(action="assessments.assessment.started", object_id=str(assessment.pk)).exists()


def test_the_tab_invites_a_lead_to_start(client_for, lead, system):
    response = client_for(lead).get(
        reverse("assessments:system_assessment", args=[system.organisation.slug, system.pk])
    )
    assert b"Start the assessment" in response.content
    assert b"has not been assessed yet" in response.content


def test_a_past_due_date_is_refused_and_the_form_shown_again(client_for, lead, system):
    response = client_for(lead).post(url(system), {"due_date": "2001-01-01"})
    assert response.status_code == 200
    assert "due_date" in response.context["start_form"].errors
    assert not Assessment.objects.exists()


def test_a_second_open_assessment_is_refused(client_for, lead, system):
    AssessmentFactory(ai_system=system, status=AssessmentStatus.DRAFT)
    response = client_for(lead).post(url(system), {"due_date": "2099-03-31"}, follow=True)
    assert b"already has an open assessment" in response.content
    assert Assessment.objects.filter(ai_system=system).count() == 1


def test_a_reassessment_starts_from_the_previous_answers_and_the_current_profile(client_for, lead, system):
    previous = AssessmentFactory(ai_system=system, status=AssessmentStatus.APPROVED)
    AssessmentAnswer.objects.create(
        assessment=previous,
        question="intended_use",
        value="Old purpose",
        answered_by=lead,
        answered_at=previous.created_at,
    )
    AssessmentAnswer.objects.create(
        assessment=previous, question="exposure", value="internal", answered_by=lead, answered_at=previous.created_at
    )
    system.exposure = "public"  # the profile changed since
    system.save()
    client_for(lead).post(url(system), {"due_date": "2099-03-31"})
    new = Assessment.objects.exclude(pk=previous.pk).get()
    values = answer_values(new)
    assert new.previous == previous
    assert values["intended_use"] == "Old purpose"
    assert values["exposure"] == "public"


def test_a_member_gets_403(client_for, member, system):
    assert client_for(member).post(url(system), {"due_date": "2099-03-31"}).status_code == 403
    assert not Assessment.objects.exists()


def test_a_retired_system_is_not_assessed(client_for, lead, system):
    system.retired_at = system.created_at
    system.save()
    assert client_for(lead).post(url(system), {"due_date": "2099-03-31"}).status_code == 403


def test_anonymous_is_sent_to_login(client, system):
    assert client.post(url(system), {"due_date": "2099-03-31"})["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_readers_see_the_tab_without_the_start_button(client_for, make_member, system, role):
    response = client_for(make_member(role)).get(
        reverse("assessments:system_assessment", args=[system.organisation.slug, system.pk])
    )
    assert response.status_code == 200
    assert b"Start the assessment" not in response.content
