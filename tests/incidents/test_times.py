"""Time to contain and time to resolve: measured from detection between instants, whatever zone
each time was entered in (across a daylight-saving change too), aggregated per severity in SQL,
and shown in the reader's own time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from incidents.models import Incident
from incidents.queries import times_by_severity
from incidents.services import incident_act
from tests.incidents.factories import IncidentFactory

BERLIN, NEW_YORK, TOKYO, UTC = (ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"))


def test_times_entered_in_different_zones_give_the_true_duration(system, member):
    # Detected at 23:30 in Berlin (22:30 UTC); contained at 20:10 the same day in New York (summer time already)
    # (00:10 UTC the next day): 1 h 40 min, although the wall clocks moved backwards.
    detected = dt.datetime(2026, 3, 10, 23, 30, tzinfo=BERLIN)
    incident = IncidentFactory(system=system, detected_at=detected)
    contained = dt.datetime(2026, 3, 10, 20, 10, tzinfo=NEW_YORK)
    resolved = dt.datetime(2026, 3, 11, 16, 0, tzinfo=TOKYO)  # 07:00 UTC
    incident = incident_act(actor=member, incident=incident, name="contain", expected_version=1, at=contained)
    incident = incident_act(actor=member, incident=incident, name="resolve", expected_version=2, at=resolved)
    incident.refresh_from_db()
    assert incident.time_to_contain == dt.timedelta(hours=1, minutes=40)
    assert incident.time_to_resolve == dt.timedelta(hours=8, minutes=30)


def test_a_daylight_saving_change_between_detection_and_containment_is_counted_right(system):
    # Berlin moved its clocks from 02:00 to 03:00 on 29 March 2026: 01:30 → 03:30 is one hour.
    incident = IncidentFactory(
        system=system,
        detected_at=dt.datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN),
        contained_at=dt.datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN),
        status="contained",
    )
    assert incident.time_to_contain == dt.timedelta(hours=1)
    (row,) = [t for t in times_by_severity(Incident.objects.filter(pk=incident.pk)) if t.total]
    assert row.mean_to_contain == dt.timedelta(hours=1)


def test_means_per_severity_are_computed_in_one_query(system):
    base = dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    for minutes_to_contain, hours_to_resolve, zone in [(30, 4, BERLIN), (90, 8, NEW_YORK)]:
        IncidentFactory(
            system=system,
            severity="high",
            status="resolved",
            detected_at=base.astimezone(zone),
            contained_at=(base + dt.timedelta(minutes=minutes_to_contain)).astimezone(TOKYO),
            resolved_at=(base + dt.timedelta(hours=hours_to_resolve)).astimezone(zone),
        )
    IncidentFactory(system=system, severity="high", detected_at=base)  # open: counted, not timed
    IncidentFactory(
        system=system, severity="low", status="contained", detected_at=base, contained_at=base + dt.timedelta(days=2)
    )
    with CaptureQueriesContext(connection) as queries:
        times = {t.severity: t for t in times_by_severity(Incident.objects.all())}
    assert len(queries) == 1
    assert list(times) == ["critical", "high", "medium", "low"]
    high = times["high"]
    assert (high.total, high.contained, high.resolved) == (3, 2, 2)
    assert high.mean_to_contain == dt.timedelta(hours=1)
    assert high.mean_to_resolve == dt.timedelta(hours=6)
    assert high.longest_to_resolve == dt.timedelta(hours=8)
    assert times["low"].mean_to_contain == dt.timedelta(days=2) and times["low"].mean_to_resolve is None
    assert times["critical"].total == 0 and times["critical"].mean_to_contain is None


@pytest.mark.parametrize("zone, shown", [("Asia/Tokyo", "1 Jun 2026 17:00"), ("America/New_York", "1 Jun 2026 04:00")])
def test_pages_show_times_in_the_readers_zone_and_the_same_durations(client_for, viewer, system, zone, shown):
    detected = dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    incident = IncidentFactory(
        system=system,
        status="contained",
        detected_at=detected,
        contained_at=detected + dt.timedelta(hours=2, minutes=5),
    )
    Profile.objects.update_or_create(user=viewer, defaults={"time_zone": zone})
    client = client_for(viewer)
    url = reverse("incidents:incident_detail", args=[system.organisation.slug, incident.pk])
    html = client.get(url).content.decode()
    assert shown in html
    assert "2 h 5 min" in html
    listed = client.get(reverse("incidents:incident_list", args=[system.organisation.slug])).content.decode()
    assert shown in listed and "2 h 5 min" in listed


def test_a_time_typed_into_the_form_is_read_in_the_users_zone(client_for, member, system):
    Profile.objects.update_or_create(user=member, defaults={"time_zone": "Asia/Tokyo"})
    incident = IncidentFactory(system=system, detected_at=dt.datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    url = reverse("incidents:incident_act", args=[system.organisation.slug, incident.pk])
    client_for(member).post(url, {"action": "contain", "version": 1, "at": "2026-06-01T10:30"})
    incident.refresh_from_db()
    assert incident.contained_at == dt.datetime(2026, 6, 1, 1, 30, tzinfo=UTC)
    assert incident.time_to_contain == dt.timedelta(hours=1, minutes=30)
