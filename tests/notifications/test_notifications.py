"""The daily reminders: what each person is told, once a day (run twice: the same rows and the
same mails), the digest opt-out, a constant query count, and the reader's pages."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Discipline, Role
from assessments.models import AssessmentStatus, AssignmentStatus
from notifications.models import Digest, Notification, Preference
from notifications.services import reminders_collect, reminders_run
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory, EvidenceFactory
from tests.factories import AISystemFactory, ControlFactory, TeamFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import ThreatModelFactory

TODAY = dt.date(2026, 11, 30)


def days(n):
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def people(org, team, make_member):
    """A worker and a lead of the owning team, a co-signer, and a second lead."""
    cosigners = TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)
    found = {
        "worker": make_member(Role.MEMBER, "worker", teams=[team]),
        "team_lead": make_member(Role.LEAD, "team-lead", teams=[team]),
        "cosigner": make_member(Role.MEMBER, "cosigner", teams=[cosigners]),
        "other_lead": make_member(Role.LEAD, "other-lead"),
    }
    for user in found.values():
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    team.lead = found["team_lead"]
    team.save(update_fields=["lead"])
    found["cosigners"] = cosigners
    return found


def waiting_work(org, team, people, n=1):
    """n of each kind of waiting work."""
    system = AISystemFactory(organisation=org, owner_team=team)
    worker, lead = people["worker"], people["team_lead"]
    for _ in range(n):
        ControlAssignmentFactory(ai_system=system, due_date=days(3), assignee=worker)
        ControlAssignmentFactory(ai_system=system, due_date=days(-2))
        ControlAssignmentFactory(
            ai_system=system,
            status=AssignmentStatus.IMPLEMENTED,
            implemented_by=worker,
            cosigning_team=people["cosigners"],
            control=ControlFactory(domain="both"),
        )
        ControlAssignmentFactory(ai_system=system, status=AssignmentStatus.NOT_APPLICABLE, na_proposed_by=lead)
        EvidenceFactory(assignment=ControlAssignmentFactory(ai_system=system, assignee=worker), valid_until=days(10))
        RiskScenarioFactory(
            ai_system=system,
            status="approved",
            treatment="accept",
            acceptance="accepted",
            acceptance_until=days(20),
            accepted_by=lead,
        )
        ThreatModelFactory(ai_system=system, status="approved", next_review_due=days(-1))
        RiskScenarioFactory(ai_system=system, status="in_review", author=worker)
    reviewed = AISystemFactory(organisation=org, owner_team=team)  # one open assessment per system
    AssessmentFactory(ai_system=reviewed, status=AssessmentStatus.IN_REVIEW, submitted_by=lead)
    return system


def kinds_for(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_each_person_is_told_what_waits_for_them(org, team, people):
    waiting_work(org, team, people)
    reminders_run(TODAY)
    assert kinds_for(people["worker"]) == sorted(
        ["due_soon", "overdue", "evidence_expiring", "acceptance_ending", "review_overdue"]
    )
    # The team's lead verifies and decides the claim (not their own: the proposer is refused).
    assert "verify" in kinds_for(people["team_lead"])
    assert "not_applicable" not in kinds_for(people["team_lead"])
    assert "not_applicable" in kinds_for(people["other_lead"])
    assert kinds_for(people["cosigner"]) == ["cosign"]
    assert "assessment_review" in kinds_for(people["other_lead"])
    assert "assessment_review" not in kinds_for(people["team_lead"])  # they submitted it
    notification = Notification.objects.filter(user=people["worker"], kind="review_overdue").get()
    assert notification.url.startswith(f"/o/{org.slug}/threat-models/")


def test_a_record_in_review_is_told_to_the_leads_its_table_lets_approve_it(org, team, people, make_member):
    system = AISystemFactory(organisation=org, owner_team=team)
    risk = RiskScenarioFactory(ai_system=system, status="in_review", author=people["team_lead"])
    model = ThreatModelFactory(ai_system=system, status="in_review", author=people["worker"])
    admin = make_member(Role.ADMIN, "the-admin")
    reminders_run(TODAY)

    def told(user):
        return set(Notification.objects.filter(user=user, kind="record_review").values_list("url", flat=True))

    risk_url = reverse("risks:risk_detail", args=[org.slug, risk.pk])
    model_url = reverse("threats:threat_model_detail", args=[org.slug, model.pk])
    assert told(people["other_lead"]) == {risk_url}  # any lead approves a risk; not a security lead
    assert told(people["team_lead"]) == {model_url}  # leads the security team; wrote the risk
    assert told(admin) == {risk_url, model_url}
    assert told(people["worker"]) == set()


def test_running_twice_writes_the_same_rows_and_sends_the_same_mails(org, team, people):
    waiting_work(org, team, people)
    reminders_run(TODAY)
    rows = sorted(Notification.objects.values_list("user_id", "subject", "day"))
    sent = [(m.to, m.subject) for m in mail.outbox]
    assert len(sent) == 4 and len({tuple(to) for to, _ in sent}) == 4  # one digest each
    reminders_run(TODAY)
    assert sorted(Notification.objects.values_list("user_id", "subject", "day")) == rows
    assert [(m.to, m.subject) for m in mail.outbox] == sent
    worker_mail = next(m for m in mail.outbox if m.to == ["worker@example.test"])
    assert "overdue since" in worker_mail.body and "/o/acme-test/assignments/" in worker_mail.body


def test_a_new_day_brings_new_rows_and_a_new_digest(org, team, people):
    waiting_work(org, team, people)
    reminders_run(TODAY)
    first = Notification.objects.count()
    reminders_run(days(1))
    assert Notification.objects.count() > first and Digest.objects.filter(day=days(1)).count() == 4


def test_who_turns_the_digest_off_still_gets_the_bell_but_no_mail(org, team, people):
    Preference.objects.create(user=people["worker"], email_digest=False)
    waiting_work(org, team, people)
    reminders_run(TODAY)
    assert Notification.objects.filter(user=people["worker"]).exists()
    assert not any(m.to == ["worker@example.test"] for m in mail.outbox)


def test_a_digest_claimed_by_another_run_is_not_sent_again(org, team, people):
    waiting_work(org, team, people)
    reminders_collect(org, TODAY)
    Digest.objects.create(user=people["worker"], day=TODAY, sent_at=timezone.now(), claim="other-run")
    reminders_run(TODAY)
    assert not any(m.to == ["worker@example.test"] for m in mail.outbox)


def test_the_run_takes_as_many_queries_for_much_work_as_for_little(org, team, people):
    waiting_work(org, team, people, n=1)
    with CaptureQueriesContext(connection) as small:
        reminders_collect(org, TODAY)
    Notification.objects.all().delete()
    waiting_work(org, team, people, n=4)
    with CaptureQueriesContext(connection) as large:
        reminders_collect(org, TODAY)
    assert len(large) == len(small)


def test_the_list_shows_only_ones_own_and_marks_them_read(client_for, org, team, people):
    waiting_work(org, team, people)
    reminders_run(TODAY)
    worker = people["worker"]
    page = client_for(worker).get(reverse("notifications:list", args=[org.slug]))
    assert {n.user_id for n in page.context["rows"]} == {worker.pk}
    bell = client_for(worker).get(reverse("notifications:bell", args=[org.slug]))
    assert str(Notification.objects.filter(user=worker).count()) in bell.text
    first = Notification.objects.filter(user=worker).first()
    opened = client_for(worker).post(reverse("notifications:read", args=[org.slug]), {"id": first.pk, "open": "1"})
    assert opened.url == first.url
    assert Notification.objects.get(pk=first.pk).read_at is not None
    other = Notification.objects.filter(user=people["team_lead"]).first()
    client_for(worker).post(reverse("notifications:read", args=[org.slug]), {"id": other.pk})
    assert Notification.objects.get(pk=other.pk).read_at is None  # not theirs: untouched
    client_for(worker).post(reverse("notifications:read", args=[org.slug]))
    assert not Notification.objects.filter(user=worker, read_at__isnull=True).exists()
    assert client_for(worker).get(reverse("notifications:bell", args=[org.slug])).text.strip() == ""


def test_the_bell_costs_one_query_beyond_finding_the_member(client_for, org, team, people):
    waiting_work(org, team, people)
    reminders_run(TODAY)
    client = client_for(people["worker"])
    url = reverse("notifications:bell", args=[org.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1


def test_the_digest_is_turned_off_and_on_from_the_profile(client_for, people):
    worker = people["worker"]
    profile = client_for(worker).get(reverse("profile"))
    assert "Send me a daily e-mail digest" in profile.text
    client_for(worker).post(reverse("digest_preference"), {})
    assert Preference.objects.get(user=worker).email_digest is False
    client_for(worker).post(reverse("digest_preference"), {"email_digest": "on"})
    assert Preference.objects.get(user=worker).email_digest is True


def test_the_digest_preference_needs_sign_in(client):
    response = client.post(reverse("digest_preference"), {})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_daily_beat_entry_runs_the_task(org, team, people, settings, time_machine):
    from celery import current_app

    from notifications.tasks import reminders_run_task

    time_machine.move_to(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-daily"]
    assert current_app.tasks[entry["task"]].name == reminders_run_task.name
    waiting_work(org, team, people)
    reminders_run_task()
    reminders_run_task()  # a duplicate delivery
    assert Digest.objects.filter(day=timezone.localdate()).count() == len(mail.outbox) == 4
