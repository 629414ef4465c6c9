"""Daily snapshots: an idempotent upsert per day, backfills from timestamps, the task, the command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssignmentStatus as S
from assessments.models import ControlAssignment
from readiness.models import ReadinessSnapshot
from readiness.snapshots import take
from readiness.tasks import snapshot_all_task
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import ControlFactory
from tests.threats.factories import RedTeamFindingFactory

TODAY = timezone.localdate()
FIELDS = ["day", "subject", "domain", "verified", "applicable", "awaiting_verification", "overdue"]


def rows(org):
    return list(ReadinessSnapshot.objects.filter(organisation=org).order_by("day", "subject", "domain").values(*FIELDS))


@pytest.fixture
def picture(system, team, lead):
    for status in (S.VERIFIED, S.IMPLEMENTED, S.NOT_STARTED):
        ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain="both"), status=status)
    RedTeamFindingFactory(exercise__ai_system=system, exercise__author=lead, severity="critical", domain="safety")
    return system


def test_taking_a_day_twice_gives_the_same_rows(org, picture, team):
    assert take(org) == take(org) == 6  # organisation, system, team × two domains
    first = rows(org)
    take(org)
    assert rows(org) == first and ReadinessSnapshot.objects.count() == 6
    system_row = ReadinessSnapshot.objects.get(subject=f"system:{picture.pk}", domain="safety")
    assert (system_row.verified, system_row.applicable, system_row.awaiting_verification) == (1, 3, 1)
    assert system_row.open_high_findings == 1 and system_row.systems_total == 1
    org_row = ReadinessSnapshot.objects.get(subject="organisation", domain="security")
    assert (org_row.verified, org_row.applicable, org_row.open_high_findings) == (1, 3, 0)
    team_row = ReadinessSnapshot.objects.get(subject=f"team:{team.pk}", domain="security")
    assert (team_row.verified, team_row.applicable) == (1, 3)


def test_a_later_run_the_same_day_rewrites_the_days_rows(org, picture):
    take(org)
    ControlAssignment.objects.filter(status=S.IMPLEMENTED).update(status=S.VERIFIED, verified_at=timezone.now())
    take(org)
    assert ReadinessSnapshot.objects.filter(day=TODAY).count() == 6
    assert ReadinessSnapshot.objects.get(subject="organisation", domain="safety").verified == 2


def test_a_past_day_is_rebuilt_from_timestamps(org, picture):
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    verified = ControlAssignment.objects.get(status=S.VERIFIED)
    ControlAssignment.objects.update(created_at=ten_days_ago)
    ControlAssignment.objects.filter(pk=verified.pk).update(verified_at=timezone.now() - dt.timedelta(days=3))
    from governance.models import AISystem

    AISystem.objects.update(created_at=ten_days_ago)
    take(org, TODAY - dt.timedelta(days=5))
    take(org, TODAY - dt.timedelta(days=20))
    five = ReadinessSnapshot.objects.get(day=TODAY - dt.timedelta(days=5), subject="organisation", domain="security")
    assert (five.verified, five.applicable, five.systems_total) == (0, 3, 1)  # verified only 3 days ago
    twenty = ReadinessSnapshot.objects.get(day=TODAY - dt.timedelta(days=20), subject="organisation", domain="security")
    assert (twenty.applicable, twenty.systems_total) == (0, 0)  # nothing existed yet


def test_the_beat_task_snapshots_every_organisation(org, picture, eager_tasks):
    assert snapshot_all_task() >= 1
    assert ReadinessSnapshot.objects.filter(organisation=org, day=TODAY).count() == 6


def test_the_command_backfills_days_and_refuses_bad_dates(org, picture):
    call_command("snapshot_readiness", "--days", "3", "--org", org.slug, stdout=io.StringIO())
    assert sorted({r["day"] for r in rows(org)}) == [TODAY - dt.timedelta(days=n) for n in (2, 1, 0)]
    with pytest.raises(CommandError):
        call_command("snapshot_readiness", "--date", "yesterday")
    with pytest.raises(CommandError):
        call_command("snapshot_readiness", "--date", (TODAY + dt.timedelta(days=1)).isoformat())


def test_leads_take_a_snapshot_on_demand(
    client_for, lead, org, picture, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(reverse("readiness:snapshot_now", args=[org.slug]))
    assert response.status_code == 302
    assert ReadinessSnapshot.objects.filter(organisation=org, day=TODAY).count() == 6


def test_the_demo_history_is_thinned_evenly_keeping_both_ends():
    from readiness.demo import snapshot_days

    full = snapshot_days(TODAY, 1000)
    assert full[0] == TODAY - dt.timedelta(days=175) and full[-1] == TODAY
    assert len(full) == 26 + 14 - 2  # 26 weeks, the last 14 days, two of which are week days already
    three = snapshot_days(TODAY, 3)
    assert len(three) == 3 and three[0] == full[0] and three[-1] == TODAY
