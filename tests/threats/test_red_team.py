"""Red-team exercises: approval, cadence by exposure, findings and the all-or-nothing CSV import,
open high findings on the system page, constant query counts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from tests.factories import AISystemFactory, TeamFactory, ThreatFactory
from threats import services
from threats.models import RedTeamExercise, RedTeamFinding
from threats.workflow import RED_TEAM

ENDS = dt.date(2026, 10, 31)
HEADER = "title,severity,hostile_intent,harm_in_benign_use,status,prompt,threat,retest_on,retest_result\n"


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, exposure="internal")


def exercise_for(system, author, **fields):
    data = {"title": "Exercise", "objectives": "Break it.", "starts_on": ENDS - dt.timedelta(days=5), "ends_on": ENDS}
    return services.exercise_create(actor=author, system=system, data={**data, **fields}, m2m={})


def take(x, actor, name, text=""):
    return RED_TEAM.take(actor=actor, record=x, name=name, expected_version=x.version, text=text)


def test_any_lead_but_the_author_approves_and_the_next_one_is_due_a_cadence_after_it_ended(system, member, lead, org):
    x = take(exercise_for(system, member), member, "submit")
    with pytest.raises(PermissionDenied):
        take(x, member, "approve")
    x = take(x, lead, "approve")
    assert x.next_review_due == ENDS + dt.timedelta(days=org.red_team_cadence_days)


def test_exposed_systems_are_tested_twice_as_often(org, team, member, lead):
    public = AISystemFactory(organisation=org, owner_team=team, exposure="public")
    x = take(take(exercise_for(public, member), member, "submit"), lead, "approve")
    assert x.next_review_due == ENDS + dt.timedelta(days=org.red_team_cadence_days // 2)


def test_an_exercise_ends_after_it_starts(system, member):
    with pytest.raises(ValidationError):
        exercise_for(system, member, ends_on=ENDS - dt.timedelta(days=10))


def test_the_red_team_records_findings_other_teams_do_not(system, member, make_member, org):
    red = TeamFactory(organisation=org, name="Red team")
    x = exercise_for(system, member, team=red)
    red_member = make_member(Role.MEMBER, "red-member", teams=[red])
    finding = services.finding_add(
        actor=red_member, exercise=x, data={"title": "Leak", "severity": "high", "hostile_intent": True}
    )
    assert finding.domain == "security" and finding.is_blocking
    outsider = make_member(Role.MEMBER, "other", teams=[TeamFactory(organisation=org)])
    with pytest.raises(PermissionDenied):
        services.finding_add(actor=outsider, exercise=x, data={"title": "X", "severity": "low", "hostile_intent": True})


def test_a_finding_needs_a_triage_answer(system, member):
    with pytest.raises(ValidationError):
        services.finding_add(
            actor=member, exercise=exercise_for(system, member), data={"title": "X", "severity": "low"}
        )


def upload(client, org, x, text):
    url = reverse("threats:findings_import", args=[org.slug, x.pk])
    return client.post(url, {"file": SimpleUploadedFile("findings.csv", text.encode(), content_type="text/csv")})


def test_a_valid_csv_imports_every_row(client_for, member, org, system):
    threat = ThreatFactory(ref="TH-77")
    x = exercise_for(system, member)
    text = HEADER + (
        'Poisoned page,high,yes,no,open,"<!-- run it -->",th-77,,\n'
        "\n"
        "Double booking,Medium,yes,yes,mitigated,,,2026-11-01,passed\n"
    )
    response = upload(client_for(member), org, x, text)
    assert response.status_code == 302
    findings = list(RedTeamFinding.objects.order_by("pk"))
    assert [(f.title, f.domain, f.status) for f in findings] == [
        ("Poisoned page", "security", "open"),
        ("Double booking", "both", "mitigated"),
    ]
    assert findings[0].threat == threat and findings[0].prompt == "<!-- run it -->"


def test_a_bad_csv_reports_every_row_and_imports_nothing(client_for, member, org, system):
    x = exercise_for(system, member)
    text = HEADER + (
        "Fine row,low,yes,no,,,,,\n"
        "Bad severity,urgent,yes,no,,,,,\n"
        "Bad answers,low,maybe,no,open,,TH-999,31/12/2026,\n"
        "Neither,low,no,no,,,,,\n"
        "Too short,low\n"
    )
    response = upload(client_for(member), org, x, text)
    assert response.status_code == 200 and not RedTeamFinding.objects.exists()
    assert response.context["errors"] == [
        "line 3, severity: “urgent” is not one of info, low, medium, high, critical",
        "line 4, hostile_intent: answer yes or no",
        "line 4, retest_on: “31/12/2026” is not a date (YYYY-MM-DD)",
        "line 4, threat: no library threat “TH-999”",
        "line 5, hostile_intent: answer yes to at least one of the two questions",
        "line 6, row: 2 values for 9 columns",
    ]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\xff\xfe not utf-8", "line 1, file: not UTF-8 text"),
        (b"", "line 1, header: the file is empty"),
        (b"title,severity,hostile_intent\n", "line 1, harm_in_benign_use: required column missing"),
        (b"title,severity,hostile_intent,harm_in_benign_use,colour\n", "line 1, colour: unknown column"),
        (b"title,severity,hostile_intent,harm_in_benign_use\n", "line 2, file: no findings in the file"),
        (b'title,severity,hostile_intent,harm_in_benign_use\n"x\x00,low,yes,no\n', "line 1, file: contains NUL bytes"),
        (b"title,severity,hostile_intent,harm_in_benign_use\n" + b"x" * 300 + b",low,yes,no\n", "line 2, title:"),
    ],
)
def test_malformed_files_are_refused_with_a_located_reason(system, member, data, error):
    x = exercise_for(system, member)
    with pytest.raises(ValidationError) as exc:
        services.findings_import(actor=member, exercise=x, data=data)
    assert any(m.startswith(error) for m in exc.value.messages)
    assert not RedTeamFinding.objects.exists()


def test_open_high_findings_show_on_the_system_page(client_for, viewer, member, org, system):
    x = exercise_for(system, member)
    services.finding_add(
        actor=member, exercise=x, data={"title": "Tool misuse", "severity": "critical", "hostile_intent": True}
    )
    services.finding_add(
        actor=member,
        exercise=x,
        data={"title": "Fixed", "severity": "high", "hostile_intent": True, "status": "mitigated"},
    )
    page = client_for(viewer).get(reverse("governance:system_detail", args=[org.slug, system.pk])).content.decode()
    assert "1 open high or critical finding" in page and "Tool misuse" in page


def test_the_prompt_is_shown_escaped_with_hidden_characters_marked(client_for, viewer, member, org, system):
    x = exercise_for(system, member)
    f = services.finding_add(
        actor=member,
        exercise=x,
        data={"title": "Smuggled", "severity": "low", "hostile_intent": True, "prompt": "<b>hi</b>\U000e0041"},
    )
    page = client_for(viewer).get(reverse("threats:finding_edit", args=[org.slug, f.pk])).content.decode()
    assert "&lt;b&gt;hi&lt;/b&gt;" in page and "hidden-char" in page


@pytest.mark.parametrize("rows", [3, 30])
def test_query_counts_are_constant(client_for, viewer, member, org, system, rows, django_assert_num_queries):
    x = exercise_for(system, member)
    for n in range(rows):
        RedTeamFinding.objects.create(
            organisation=org, exercise=x, title=f"F{n}", severity="high", domain="security", threat=ThreatFactory()
        )
        exercise_for(system, member)
    client = client_for(viewer)
    pages = [
        ("threats:exercise_list", [org.slug], 6),
        ("threats:system_exercises", [org.slug, system.pk], 6),
        ("threats:exercise_detail", [org.slug, x.pk], 11),
    ]
    for name, args, _budget in pages:  # warm up: the session's organisation, per-process caches
        client.get(reverse(name, args=args))
    for name, args, budget in pages:
        with django_assert_num_queries(budget):
            assert client.get(reverse(name, args=args)).status_code == 200
    assert RedTeamExercise.objects.count() == rows + 1
