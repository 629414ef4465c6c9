"""The demo's incidents: a closed safety incident with its review, times and follow-up, and an
open security incident with a timeline; seeding again adds nothing."""

import datetime as dt
import io
import itertools

from django.core.management import call_command

from accounts.models import Organisation
from incidents.models import Incident
from records.services import follow_ups_of


def test_the_demo_has_a_closed_safety_incident_and_an_open_security_incident(demo_data):
    org = Organisation.objects.get(slug="acme")
    closed = Incident.objects.get(organisation=org, domain="safety")
    assert closed.status == "closed" and closed.has_review and closed.closed_by.username == "lead2"
    assert closed.time_to_contain == dt.timedelta(hours=2, minutes=12)
    assert closed.time_to_resolve == dt.timedelta(hours=72, minutes=30)
    assert closed.threats.filter(ref="TH-41").exists() and closed.controls.count() == 2
    assert closed.risks.count() == 1 and closed.playbook.template_key == "harmful_output"
    assert [f.owner_team.name for f in follow_ups_of(closed)] == ["Responsible AI"]
    opened = Incident.objects.get(organisation=org, domain="security")
    assert opened.status == "open" and opened.timeline.count() == 4
    assert opened.playbook.template_key == "prompt_injection_leak" and opened.plan.is_approved
    entries = list(opened.timeline.all())
    assert all(a.occurred_at < b.occurred_at for a, b in itertools.pairwise(entries))
    assert entries[0].occurred_at > opened.detected_at


def test_seeding_again_adds_no_incident(demo_data):
    before = Incident.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.count() == before
