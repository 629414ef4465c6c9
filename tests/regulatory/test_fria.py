"""The fundamental-rights impact assessment: offered only where Art. 27 asks for one, pre-filled
from the profile, the answers and the risk register, and governed by the shared record workflow."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentAnswer
from audit.models import AuditEvent
from regulatory import services
from regulatory.models import FundamentalRightsAssessment
from regulatory.workflow import FRIA
from tests.assessments.factories import AssessmentFactory
from tests.factories import AISystemFactory
from tests.regulatory.factories import FRIAFactory
from tests.risks.factories import RiskScenarioFactory

DATA = {
    "title": "FRIA of the screener",
    "deployer_processes": "Recruiters rank applicants.",
    "period_and_frequency": "Weekly for a year.",
    "affected_groups": "Applicants.",
    "risks_of_harm": "Unfair ranking.",
    "oversight_measures": "A recruiter decides.",
    "mitigation_measures": "Manual screening.",
    "complaint_handling": "Write to recruiting.",
}


def _take(fria, actor, name, text=""):
    return FRIA.take(actor=actor, record=fria, name=name, expected_version=fria.version, text=text)


@pytest.mark.parametrize(
    ("tier", "role", "refused"),
    [
        ("high", "deployer", False),
        ("high", "provider_deployer", False),
        ("high", "provider", True),
        ("limited", "deployer", True),
        ("unassessed", "provider_deployer", True),
    ],
)
def test_it_is_offered_only_to_deployers_of_high_risk_systems(org, team, lead, tier, role, refused):
    system = AISystemFactory(organisation=org, owner_team=team, eu_ai_act_tier=tier, operator_role=role)
    if refused:
        with pytest.raises(ValidationError):
            services.fria_create(actor=lead, system=system, data=DATA)
        assert not FundamentalRightsAssessment.objects.exists()
    else:
        fria = services.fria_create(actor=lead, system=system, data=DATA)
        assert fria.status == "draft" and fria.author == lead


def test_the_start_page_refuses_with_a_clear_message(client_for, lead, org, team):
    system = AISystemFactory(organisation=org, owner_team=team, eu_ai_act_tier="high", operator_role="provider")
    response = client_for(lead).get(reverse("regulatory:fria_create", args=[org.slug, system.pk]), follow=True)
    assert "written by the deployer" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("regulatory:system_regulatory", args=[org.slug, system.pk])


def test_it_is_pre_filled_from_the_profile_the_answers_and_the_risk_register(client_for, lead, high_risk, admin):
    assessment = AssessmentFactory(ai_system=high_risk, started_by=admin)
    for question, value in [("human_oversight", "A recruiter decides every rejection."), ("audiences", ["staff"])]:
        AssessmentAnswer.objects.create(
            assessment=assessment, question=question, value=value, answered_by=admin, answered_at=timezone.now()
        )
    RiskScenarioFactory(ai_system=high_risk, author=admin, title="Ranking pushes one gender down")
    response = client_for(lead).get(reverse("regulatory:fria_create", args=[high_risk.organisation.slug, high_risk.pk]))
    initial = response.context["form"].initial
    assert "A recruiter decides every rejection." in initial["oversight_measures"]
    assert "Our own staff" in initial["affected_groups"]
    assert "Ranking pushes one gender down (residual score 6" in initial["risks_of_harm"]
    assert high_risk.description in initial["deployer_processes"]
    assert initial["complaint_handling"] == ""


def test_the_start_form_saves_a_draft_and_rerenders_with_errors(client_for, lead, high_risk):
    url = reverse("regulatory:fria_create", args=[high_risk.organisation.slug, high_risk.pk])
    response = client_for(lead).post(url, {**DATA, "complaint_handling": ""})
    assert response.status_code == 200 and "complaint_handling" in response.context["form"].errors
    response = client_for(lead).post(url, DATA)
    fria = FundamentalRightsAssessment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/fria/{fria.pk}/")
    assert AuditEvent.objects.filter(action="regulatory.fundamentalrightsassessment.created").count() == 1


def test_submit_then_another_lead_approves_with_a_review_date(lead, second_lead, high_risk):
    fria = FRIAFactory(ai_system=high_risk, author=lead)
    fria = _take(fria, lead, "submit")
    with pytest.raises(PermissionDenied):
        _take(fria, lead, "approve")  # never the author
    fria = _take(fria, second_lead, "approve", "Fine.")
    assert fria.status == "approved" and fria.approved_by == second_lead
    assert fria.next_review_due is not None


def test_refused_transitions(lead, second_lead, member, viewer, high_risk):
    fria = FRIAFactory(ai_system=high_risk, author=lead)
    with pytest.raises(ValidationError):
        _take(fria, second_lead, "approve")  # not submitted yet
    fria = _take(fria, member, "submit")  # a member of the owner team submits
    with pytest.raises(PermissionDenied):
        _take(fria, member, "approve")  # members do not approve
    with pytest.raises(PermissionDenied):
        _take(fria, viewer, "request_changes", "No.")
    with pytest.raises(ValidationError):
        _take(fria, second_lead, "request_changes")  # a comment is required
    fria = _take(fria, second_lead, "request_changes", "Name the complaint address.")
    assert fria.status == "changes_requested" and fria.review_comment == "Name the complaint address."
    with pytest.raises(ValidationError):
        _take(fria, second_lead, "approve")


def test_an_approved_assessment_changes_only_through_a_new_version(client_for, lead, second_lead, high_risk):
    fria = _take(_take(FRIAFactory(ai_system=high_risk, author=lead), lead, "submit"), second_lead, "approve")
    with pytest.raises(ValidationError):
        services.fria_update(actor=lead, fria=fria, expected_version=fria.version, data=DATA)
    url = reverse("regulatory:fria_new_version", args=[high_risk.organisation.slug, fria.pk])
    client_for(lead).post(url, {"version": fria.version})
    new = FundamentalRightsAssessment.objects.get(is_latest=True)
    assert new.record_version == 2 and new.status == "draft" and new.previous_id == fria.pk
    assert new.risks_of_harm == fria.risks_of_harm


def test_a_stale_edit_conflicts(client_for, lead, high_risk):
    fria = FRIAFactory(ai_system=high_risk, author=lead)
    url = reverse("regulatory:fria_edit", args=[high_risk.organisation.slug, fria.pk])
    client_for(lead).post(url, {**DATA, "version": fria.version})
    response = client_for(lead).post(url, {**DATA, "title": "Other", "version": fria.version})
    assert response.status_code == 200 and response.context["conflict"] is not None
    fria.refresh_from_db()
    assert fria.title == DATA["title"]


def test_members_of_another_team_cannot_start_one(client_for, make_member, high_risk):
    from accounts.models import Role
    from tests.factories import TeamFactory

    outsider_team = TeamFactory(organisation=high_risk.organisation, name="Elsewhere")
    other = make_member(Role.MEMBER, "other-member", teams=[outsider_team])
    url = reverse("regulatory:fria_create", args=[high_risk.organisation.slug, high_risk.pk])
    assert client_for(other).post(url, DATA).status_code == 403
