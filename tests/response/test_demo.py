"""The demo's incident response: an approved plan covering all six systems with every playbook
template, its contacts, and last quarter's tabletop exercise with two follow-ups."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import Organisation
from governance.models import AISystem
from records.models import FollowUp
from response.coverage import coverage
from response.demo import last_quarter
from response.models import IncidentResponsePlan, TabletopExercise
from response.templates import all_templates


def test_the_demo_plan_covers_every_system_and_passes_the_gate(demo_data):
    org = Organisation.objects.get(slug="acme")
    plan = IncidentResponsePlan.objects.get(organisation=org)
    systems = AISystem.objects.filter(organisation=org)
    assert plan.status == "approved" and plan.approved_by.username == "lead2"
    assert set(plan.systems.all()) == set(systems)
    assert set(plan.playbooks.values_list("template_key", flat=True)) == {t.key for t in all_templates()}
    assert plan.roles.count() == 5
    tabletop = TabletopExercise.objects.get(plan=plan)
    assert tabletop.status == "approved"
    follow_ups = FollowUp.objects.filter(source_type=ContentType.objects.get_for_model(TabletopExercise))
    assert follow_ups.filter(source_id=tabletop.pk, due_date__gt=timezone.localdate()).count() == 2
    result = coverage(systems.values_list("pk", flat=True))
    assert all(c.ok for c in result.values()), [c.reason for c in result.values()]


def test_last_quarter_is_the_calendar_quarter_before():
    assert last_quarter(dt.date(2026, 11, 30)) == dt.date(2026, 8, 15)
    assert last_quarter(dt.date(2026, 1, 3)) == dt.date(2025, 11, 15)
    assert last_quarter(dt.date(2026, 4, 1)) == dt.date(2026, 2, 15)
