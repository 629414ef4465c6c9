"""The governed-record lifecycle on risk scenarios: who may take which transition, versions,
comparison, cadence and overdue."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from records import rules
from records.compare import compare
from records.services import record_new_version
from risks.models import RiskScenario
from risks.workflow import RISK
from tests.risks.factories import RiskScenarioFactory


def take(risk, actor, name, text=""):
    return RISK.take(actor=actor, record=risk, name=name, expected_version=risk.version, text=text)


@pytest.fixture
def draft(system, member):
    return RiskScenarioFactory(ai_system=system, author=member)


def test_a_member_of_the_owner_team_submits_and_another_lead_approves(draft, member, lead, org):
    risk = take(draft, member, "submit")
    assert risk.status == "in_review" and risk.submitted_by == member
    risk = take(risk, lead, "approve", "Fine.")
    assert risk.status == "approved" and risk.approved_by == lead
    assert risk.next_review_due == timezone.localdate() + dt.timedelta(days=org.assessment_cadence_days)
    assert AuditEvent.objects.filter(action="risks.riskscenario.approve", object_id=str(risk.pk)).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_readers_cannot_submit(draft, make_member, team, role):
    with pytest.raises(PermissionDenied):
        take(draft, make_member(role, f"reader-{role}", teams=[team]), "submit")


def test_a_member_of_another_team_cannot_submit(draft, make_member, safety_team):
    with pytest.raises(PermissionDenied):
        take(draft, make_member(Role.MEMBER, "other", teams=[safety_team]), "submit")


def test_the_author_cannot_approve_even_as_a_lead(system, lead):
    risk = take(RiskScenarioFactory(ai_system=system, author=lead), lead, "submit")
    with pytest.raises(PermissionDenied):
        take(risk, lead, "approve")


def test_a_member_cannot_approve(draft, member, make_member, team):
    risk = take(draft, member, "submit")
    with pytest.raises(PermissionDenied):
        take(risk, make_member(Role.MEMBER, "member-2", teams=[team]), "approve")


def test_changes_requested_needs_a_comment_and_goes_back_to_draft(draft, member, lead):
    risk = take(draft, member, "submit")
    with pytest.raises(ValidationError):
        take(risk, lead, "request_changes")
    risk = take(risk, lead, "request_changes", "Rate the impact higher.")
    assert risk.status == "changes_requested" and risk.review_comment == "Rate the impact higher."
    risk = take(risk, member, "resume")
    assert risk.status == "draft"


def test_approve_is_refused_from_draft(draft, lead):
    with pytest.raises(ValidationError):
        take(draft, lead, "approve")


def test_security_records_are_approved_by_a_security_lead_or_an_admin(org, security_lead, safety_lead, admin):
    from accounts.models import Membership

    def m(user):
        return Membership.objects.get(organisation=org, user=user)

    assert rules.security_lead(m(admin))
    assert rules.security_lead(m(security_lead))
    assert not rules.security_lead(m(safety_lead))


@pytest.fixture
def approved(draft, member, lead):
    return take(take(draft, member, "submit"), lead, "approve")


def test_a_new_version_is_a_draft_copy_and_the_previous_stays_readable(approved, member, client_for, org):
    new = record_new_version(approved, actor=member, expected_version=approved.version)
    previous = RiskScenario.objects.get(pk=approved.pk)
    assert (new.record_version, new.status, new.previous_id, new.series) == (2, "draft", previous.pk, previous.series)
    assert new.title == previous.title and new.author == member and new.approved_by is None
    assert previous.status == "approved" and not previous.is_latest and new.is_latest
    assert client_for(member).get(reverse("risks:risk_detail", args=[org.slug, previous.pk])).status_code == 200
    with pytest.raises(ValidationError):  # only the latest approved version starts the next one
        record_new_version(previous, actor=member, expected_version=previous.version)


def test_only_drafts_are_edited(approved, member):
    from risks.services import risk_update

    with pytest.raises(ValidationError):
        risk_update(
            actor=member,
            risk=approved,
            expected_version=approved.version,
            data={"title": "X", "hostile_intent": True, "inherent_likelihood": 1},
        )


def test_comparison_shows_added_removed_and_changed(approved, member, client_for, org):
    from tests.factories import ControlFactory

    control = ControlFactory(ref="CTL-1")
    new = record_new_version(approved, actor=member, expected_version=approved.version)
    RiskScenario.objects.filter(pk=new.pk).update(title="Renamed", residual_impact=5)
    new.refresh_from_db()
    new.controls.add(control)
    rows = {row.label: row for row in compare(approved, new)}
    assert rows["title"].change == "changed"
    assert rows["residual impact"].change == "changed"
    assert rows["linked controls"].added == [str(control)]
    assert rows["scenario"].change == "same"
    page = client_for(member).get(reverse("risks:risk_compare", args=[org.slug, new.pk]))
    assert page.status_code == 200 and b"compare-added" in page.content


def test_overdue_reviews_are_listed(approved, org):
    RiskScenario.objects.filter(pk=approved.pk).update(next_review_due=timezone.localdate() - dt.timedelta(days=1))
    assert list(RiskScenario.objects.overdue()) == [RiskScenario.objects.get(pk=approved.pk)]
    assert RiskScenario.objects.get(pk=approved.pk).is_overdue()


def test_history_tab_lists_the_transitions(approved, client_for, viewer, org):
    page = client_for(viewer).get(reverse("risks:risk_history", args=[org.slug, approved.pk]))
    actions = [e.action for e in page.context["events"]]
    assert "risks.riskscenario.approve" in actions and "risks.riskscenario.submit" in actions
