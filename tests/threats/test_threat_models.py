"""Threat models: who approves (a security lead or an admin, never the author), entries on drafts
only, suggestions by surface and applicability, flags, versions with their entries, cadence, and
constant query counts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Discipline, Role
from records.compare import compare
from records.services import record_new_version
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory, TeamFactory, ThreatFactory
from tests.threats.factories import ThreatEntryFactory, ThreatModelFactory
from threats import services
from threats.models import ThreatEntry, ThreatModel, surfaces_from_profile
from threats.workflow import THREAT_MODEL


def take(tm, actor, name, text=""):
    return THREAT_MODEL.take(actor=actor, record=tm, name=name, expected_version=tm.version, text=text)


@pytest.fixture
def safety_lead(make_member, org):
    return make_member(Role.LEAD, "safety-lead", teams=[TeamFactory(organisation=org, discipline=Discipline.SAFETY)])


@pytest.fixture
def security_lead(make_member, team):
    return make_member(Role.LEAD, "security-lead", teams=[team])  # `team` is a security team


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, memory_retrieval=True)


@pytest.fixture
def in_review(system, member):
    return take(ThreatModelFactory(ai_system=system, author=member), member, "submit")


def test_a_security_lead_approves_and_the_review_date_follows_the_cadence(in_review, security_lead, org):
    tm = take(in_review, security_lead, "approve")
    assert tm.status == "approved"
    assert tm.next_review_due == timezone.localdate() + dt.timedelta(days=org.threat_model_cadence_days)


def test_an_admin_approves(in_review, admin):
    assert take(in_review, admin, "approve").status == "approved"


def test_a_safety_lead_cannot_approve(in_review, safety_lead):
    with pytest.raises(PermissionDenied):
        take(in_review, safety_lead, "approve")


def test_the_author_cannot_approve_even_as_a_security_lead(system, security_lead):
    tm = take(ThreatModelFactory(ai_system=system, author=security_lead), security_lead, "submit")
    with pytest.raises(PermissionDenied):
        take(tm, security_lead, "approve")
    with pytest.raises(PermissionDenied):
        take(tm, security_lead, "request_changes", "No.")


def test_a_viewer_cannot_submit(system, member, viewer):
    with pytest.raises(PermissionDenied):
        take(ThreatModelFactory(ai_system=system, author=member), viewer, "submit")


def test_entries_change_only_on_drafts(in_review, member):
    with pytest.raises(ValidationError):
        services.entry_add(actor=member, threat_model=in_review, data={"title": "Custom", "surface": "input"})


def test_surfaces_are_preselected_from_the_profile(system):
    assert surfaces_from_profile(system) == ["input", "output", "memory", "supply_chain"]
    system.uses_tools = True
    assert "tools" in surfaces_from_profile(system)


def test_suggestions_follow_surface_and_applicability(system, member):
    tm = ThreatModelFactory(ai_system=system, author=member, surfaces=["input", "memory"])
    plain = ThreatFactory(surface="input")
    for_agents = ThreatFactory(surface="input")
    for_agents.controls.add(ControlFactory(applies_when={"flag": "uses_tools"}))
    other_surface = ThreatFactory(surface="model_weights")
    suggested = services.suggestions(tm)
    assert plain in suggested and for_agents not in suggested and other_surface not in suggested
    services.suggestions_accept(actor=member, threat_model=tm, threats=[plain])
    assert plain not in services.suggestions(tm)  # already in the model


def test_a_highly_rated_threat_without_mitigation_is_flagged(system, member):
    tm = ThreatModelFactory(ai_system=system, author=member)
    flagged = ThreatEntryFactory(threat_model=tm, likelihood=4, impact=4)
    mitigated = ThreatEntryFactory(threat_model=tm, likelihood=4, impact=4)
    mitigated.mitigations.add(ControlAssignmentFactory(ai_system=system))
    low = ThreatEntryFactory(threat_model=tm, likelihood=1, impact=2)
    assert [e.is_flagged() for e in (flagged, mitigated, low)] == [True, False, False]


def test_a_new_version_copies_the_entries_and_the_comparison_shows_an_added_threat(
    in_review, security_lead, member, system
):
    mitigation = ControlAssignmentFactory(ai_system=system)
    ThreatEntryFactory(threat_model=in_review).mitigations.add(mitigation)
    approved = take(ThreatModel.objects.get(pk=in_review.pk), security_lead, "approve")
    v2 = record_new_version(approved, actor=member, expected_version=approved.version)
    assert v2.entries.count() == 1 and approved.entries.count() == 1
    assert list(v2.entries.get().mitigations.all()) == [mitigation]
    from audit.models import AuditEvent

    copied = AuditEvent.objects.get(action="threats.threatentry.copied")
    assert copied.object_id == str(v2.entries.get().pk) and copied.after["from_version"] == 1
    services.entry_add(actor=member, threat_model=v2, data={"title": "Tool abuse", "surface": "tools"})
    rows = {r.label: r for r in compare(approved, v2)}
    assert len(rows["threats"].added) == 1 and rows["threats"].added[0].startswith("Tool abuse")


def test_the_suggest_page_adds_the_kept_threats(client_for, member, org, system):
    tm = ThreatModelFactory(ai_system=system, author=member)
    kept, dropped = ThreatFactory(surface="input"), ThreatFactory(surface="output")
    url = reverse("threats:threat_model_suggest", args=[org.slug, tm.pk])
    assert set(client_for(member).get(url).context["suggested"]) >= {kept, dropped}
    assert client_for(member).post(url, {"threats": [kept.pk]}).status_code == 302
    assert list(ThreatEntry.objects.values_list("threat", flat=True)) == [kept.pk]
    assert client_for(member).post(url, {"threats": ["nonsense"]}).status_code == 200  # the form again
    assert ThreatEntry.objects.count() == 1


def test_a_custom_threat_needs_a_name_and_a_surface(client_for, member, org, system):
    tm = ThreatModelFactory(ai_system=system, author=member)
    url = reverse("threats:entry_add", args=[org.slug, tm.pk])
    response = client_for(member).post(
        url, {"likelihood": 3, "impact": 3, "residual_likelihood": 3, "residual_impact": 3}
    )
    assert response.status_code == 200 and not ThreatEntry.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_is_constant(client_for, viewer, member, org, system, rows, django_assert_num_queries):
    tm = ThreatModelFactory(ai_system=system, author=member)
    for entry in ThreatEntryFactory.create_batch(rows, threat_model=tm):
        entry.mitigations.add(ControlAssignmentFactory(ai_system=system))
    client = client_for(viewer)
    with django_assert_num_queries(17):
        assert client.get(reverse("threats:threat_model_detail", args=[org.slug, tm.pk])).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_counts_are_constant(client_for, viewer, member, org, system, team, rows, django_assert_num_queries):
    for _ in range(rows):
        ThreatModelFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), author=member)
    ThreatModelFactory.create_batch(rows, ai_system=system, author=member)
    client = client_for(viewer)
    with django_assert_num_queries(13):
        assert client.get(reverse("threats:threat_model_list", args=[org.slug])).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(reverse("threats:system_threat_models", args=[org.slug, system.pk])).status_code == 200
