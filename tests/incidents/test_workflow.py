"""The incident's state machine: open → contained → resolved → closed, no `closed` without the
post-incident review, and the refused transitions per role, judged on the locked row."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from core.concurrency import EditConflict
from incidents.services import incident_act, review_save
from incidents.workflow import INCIDENT
from tests.incidents.factories import IncidentFactory


@pytest.fixture
def incident(system, viewer):
    return IncidentFactory(system=system, reported_by=viewer)


def act(incident, actor, name, **kwargs):
    return incident_act(actor=actor, incident=incident, name=name, expected_version=incident.version, **kwargs)


def review(incident, actor):
    return review_save(
        actor=actor, incident=incident, expected_version=incident.version, data={"root_cause": "No output filter."}
    )


def test_it_goes_from_open_to_closed_with_a_review_in_between(incident, member, lead):
    incident = act(incident, member, "contain")
    assert incident.status == "contained" and incident.contained_at is not None
    incident = act(incident, member, "resolve")
    assert incident.status == "resolved" and incident.resolved_at >= incident.contained_at
    incident = review(incident, member)
    incident = act(incident, lead, "close")
    assert incident.status == "closed" and incident.closed_by == lead
    events = AuditEvent.objects.filter(object_type="incidents.incident", object_id=str(incident.pk)).order_by("seq")
    actions = list(events.values_list("action", flat=True))
    assert actions == [
        "incidents.incident.contain",
        "incidents.incident.resolve",
        "incidents.incident.reviewed",
        "incidents.incident.close",
    ]


def test_it_is_not_closed_without_a_review(incident, member, lead):
    incident = act(act(incident, member, "contain"), member, "resolve")
    with pytest.raises(ValidationError, match="review"):
        act(incident, lead, "close")
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert INCIDENT["close"] not in INCIDENT.available(lead.memberships.get(), incident)


def test_an_open_incident_is_not_closed_even_with_a_review(incident, member, lead):
    incident = act(incident, member, "contain")
    incident = review(incident, member)
    incident = act(incident, member, "reopen", text="It came back an hour later.")
    with pytest.raises(ValidationError):
        act(incident, lead, "close")


def test_resolving_an_open_incident_contains_it_at_the_same_moment(incident, member):
    when = timezone.now() - dt.timedelta(minutes=20)
    incident = act(incident, member, "resolve", at=when)
    assert incident.contained_at == incident.resolved_at == when


def test_a_step_is_recorded_for_the_time_given_and_never_before_detection(incident, member):
    with pytest.raises(ValidationError):
        act(incident, member, "contain", at=incident.detected_at - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        act(incident, member, "contain", at=timezone.now() + dt.timedelta(hours=1))
    when = incident.detected_at + dt.timedelta(minutes=35)
    assert act(incident, member, "contain", at=when).contained_at == when


def test_reopening_clears_the_times_and_needs_a_reason(incident, member):
    incident = act(act(incident, member, "contain"), member, "resolve")
    with pytest.raises(ValidationError):
        act(incident, member, "reopen")
    incident = act(incident, member, "reopen", text="Seen again in production.")
    assert incident.status == "open" and incident.contained_at is None and incident.resolved_at is None


@pytest.mark.parametrize("who", ["viewer", "auditor", "other_team_member"])
def test_readers_and_other_teams_cannot_move_it(request, incident, who):
    with pytest.raises(PermissionDenied):
        act(incident, request.getfixturevalue(who), "contain")
    incident.refresh_from_db()
    assert incident.status == "open"


def test_a_lead_of_any_team_and_an_admin_may_move_it(incident, lead, admin):
    incident = act(incident, lead, "contain")
    assert act(incident, admin, "resolve").status == "resolved"


def test_a_member_of_the_team_does_not_close_it(incident, member, lead):
    incident = review(act(incident, member, "resolve"), member)
    with pytest.raises(PermissionDenied, match="lead"):
        act(incident, member, "close")
    assert act(incident, lead, "close").status == "closed"


def test_the_owner_team_of_any_affected_system_works_on_it(system, member, make_member, viewer):
    from tests.factories import AISystemFactory, TeamFactory

    product = TeamFactory(organisation=system.organisation, name="Product")
    second = AISystemFactory(organisation=system.organisation, owner_team=product)
    product_member = make_member("member", "product-member", teams=[product])
    incident = IncidentFactory(system=system, systems=[system, second], reported_by=viewer)
    assert act(incident, product_member, "contain").status == "contained"


def test_a_closed_incident_takes_no_more_steps_or_reviews(incident, member, lead):
    incident = act(review(act(incident, member, "resolve"), member), lead, "close")
    for name in ("contain", "resolve", "reopen", "close"):
        with pytest.raises(ValidationError):
            act(incident, lead, name, text="again")
    with pytest.raises(ValidationError):
        review(incident, lead)


def test_the_review_waits_until_the_incident_is_contained(incident, member):
    with pytest.raises(ValidationError, match="contained"):
        review(incident, member)


def test_a_stale_page_conflicts(incident, member):
    stale = incident.version
    act(incident, member, "contain")
    with pytest.raises(EditConflict):
        incident_act(actor=member, incident=incident, name="resolve", expected_version=stale)
