"""The API's endpoints: the UI's validation, rules and services behind JSON; conflicts, errors,
pagination and query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import AssignmentStatus, Evidence
from audit.models import AuditEvent
from audit.services import record
from governance.models import AISystem
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory, OrganisationFactory, TeamFactory


def url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": org.slug, **kwargs})


def system_body(team, **overrides):
    return {
        "name": "Ticket router",
        "description": "Routes tickets to the right desk.",
        "owner_team": team.pk,
        "lifecycle_stage": "design",
        "system_type": "predictive",
        "provenance": "in_house",
        "exposure": "internal",
        "autonomy": "none",
        **overrides,
    }


@pytest.fixture
def lead_api(api_for, make_member, team):
    return api_for(make_member(Role.LEAD, "api-lead", teams=[team]))


def error_of(response):
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


# --- AI systems -----------------------------------------------------------------------------


def test_create_applies_the_ui_forms_rules(lead_api, org, team):
    response = lead_api.post(url("system_list", org), system_body(team, system_type="agent"))
    assert response.status_code == 400
    assert "uses_tools" in error_of(response)["fields"]
    assert lead_api.post(url("system_list", org), system_body(team)).status_code == 201
    duplicate = lead_api.post(url("system_list", org), system_body(team, name="TICKET ROUTER"))
    assert duplicate.status_code == 400 and "name" in error_of(duplicate)["fields"]
    foreign_team = TeamFactory(organisation=OrganisationFactory())
    foreign = lead_api.post(url("system_list", org), system_body(team, name="Other", owner_team=foreign_team.pk))
    assert foreign.status_code == 400 and "owner_team" in error_of(foreign)["fields"]
    assert AISystem.objects.filter(organisation=org).count() == 1


def test_update_needs_the_version_read_and_a_stale_one_gets_409(lead_api, org, team):
    system = AISystemFactory(organisation=org, owner_team=team)
    detail = url("system_detail", org, pk=system.pk)
    assert lead_api.patch(detail, {"model_details": "x"}).status_code == 400  # no version
    ok = lead_api.patch(detail, {"model_details": "Hosted model", "version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["model_details"] == "Hosted model"
    stale = lead_api.patch(detail, {"model_details": "Overwrite", "version": 1})
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "conflict" and stale.json()["error"]["current_version"] == 2
    system.refresh_from_db()
    assert system.model_details == "Hosted model"


def test_hidden_characters_need_a_choice_which_is_audited(lead_api, org, team):
    body = system_body(team, name="Ticket\u200brouter")
    refused = lead_api.post(url("system_list", org), body)
    assert refused.status_code == 400
    assert "hidden_characters" in error_of(refused)["message"] and "name" in error_of(refused)["fields"]
    created = lead_api.post(url("system_list", org), {**body, "hidden_characters": "strip"})
    assert created.status_code == 201 and created.json()["name"] == "Ticketrouter"
    assert AuditEvent.objects.filter(organisation=org, action__contains="hidden").exists()


def test_foreign_ids_are_404(lead_api, org):
    foreign = AISystemFactory(organisation=OrganisationFactory())
    response = lead_api.get(url("system_detail", org, pk=foreign.pk))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    own_control_elsewhere = ControlFactory(organisation=foreign.organisation)
    assert lead_api.get(url("control_detail", org, pk=own_control_elsewhere.pk)).status_code == 404
    builtin = ControlFactory()
    assert lead_api.get(url("control_detail", org, pk=builtin.pk)).status_code == 200


def test_list_filters_are_the_pages_and_bad_values_are_400(lead_api, org, team):
    AISystemFactory(organisation=org, owner_team=team, name="Alpha", exposure="public")
    AISystemFactory(organisation=org, owner_team=team, name="Beta", exposure="internal")
    response = lead_api.get(url("system_list", org), {"exposure": "internal"})
    assert [s["name"] for s in response.json()["results"]] == ["Beta"]
    assert lead_api.get(url("system_list", org), {"q": "alp"}).json()["results"][0]["name"] == "Alpha"
    bad = lead_api.get(url("system_list", org), {"exposure": "everyone"})
    assert bad.status_code == 400 and "exposure" in error_of(bad)["fields"]


def test_cursor_pages_cover_every_row_once(lead_api, org, team):
    for i in range(5):
        AISystemFactory(organisation=org, owner_team=team, name=f"Sys {i}")
    seen, next_url = [], url("system_list", org) + "?page_size=2"
    while next_url:
        page = lead_api.get(next_url).json()
        seen += [s["name"] for s in page["results"]]
        next_url = page["next"]
    assert sorted(seen) == [f"Sys {i}" for i in range(5)]
    assert lead_api.get(url("system_list", org), {"cursor": "garbage"}).status_code == 404


# --- Assessments and assignments ------------------------------------------------------------


def test_lead_starts_an_assessment_once(lead_api, org, team):
    system = AISystemFactory(organisation=org, owner_team=team)
    start = url("assessment_start", org, pk=system.pk)
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert lead_api.post(start, {"due_date": "2001-01-01"}).status_code == 400  # past, as on the page
    first = lead_api.post(start, {"due_date": due})
    assert first.status_code == 201 and first.json()["status"] == "draft"
    again = lead_api.post(start, {"due_date": due})
    assert again.status_code == 400 and "open assessment" in error_of(again)["message"]


@pytest.fixture
def assignment(org, team):
    system = AISystemFactory(organisation=org, owner_team=team)
    return ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="RT-02", mappings=[]))


def test_assignment_steps_follow_the_workflow(api_for, make_member, org, team, assignment):
    member_api = api_for(make_member(Role.MEMBER, "worker", teams=[team]))
    act = url("assignment_action", org, pk=assignment.pk)
    started = member_api.post(act, {"action": "start", "version": 1})
    assert started.status_code == 200 and started.json()["status"] == AssignmentStatus.IN_PROGRESS
    stale = member_api.post(act, {"action": "implement", "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["current_version"] == 2
    verify = member_api.post(act, {"action": "verify", "version": 2})  # a lead's step
    assert verify.status_code == 403 and error_of(verify)["code"] == "permission_denied"
    unknown = member_api.post(act, {"action": "launch", "version": 2})
    assert unknown.status_code == 400 and "action" in error_of(unknown)["fields"]


def test_a_step_the_state_does_not_allow_is_400_with_the_reason(lead_api, org, assignment):
    response = lead_api.post(url("assignment_action", org, pk=assignment.pk), {"action": "reopen", "version": 1})
    assert response.status_code in (400, 403)
    assert error_of(response)["message"]


def test_assignment_list_filters(lead_api, org, assignment):
    ControlAssignmentFactory(ai_system=assignment.ai_system, status=AssignmentStatus.IMPLEMENTED)
    rows = lead_api.get(url("assignment_list", org), {"status": "implemented"}).json()["results"]
    assert [r["status"] for r in rows] == ["implemented"]
    rows = lead_api.get(url("assignment_list", org), {"system": assignment.ai_system_id}).json()["results"]
    assert len(rows) == 2


# --- Evidence -------------------------------------------------------------------------------


def test_evidence_file_is_checked_like_an_upload_on_the_page(api_for, make_member, org, team, assignment):
    api = api_for(make_member(Role.MEMBER, "uploader", teams=[team]))
    target = url("evidence_list", org, pk=assignment.pk)
    report = SimpleUploadedFile("eval.csv", b"metric,value\naccuracy,0.93\n", content_type="text/csv")
    created = api.upload(target, {"file": report, "valid_until": "2999-01-01"})
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "file" and len(created.json()["sha256"]) == 64
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = api.upload(target, {"file": fake})
    assert refused.status_code == 400 and "file" in error_of(refused)["fields"]
    assert api.post(target, {"link": "javascript:alert(1)"}).status_code == 400
    assert api.post(target, {"link": "https://ci.example.test/run/1", "note": "both"}).status_code == 400
    assert api.post(target, {}).status_code == 400
    assert api.post(target, {"note": "ok", "valid_until": "2001-01-01"}).status_code == 400
    assert Evidence.objects.filter(assignment=assignment).count() == 1
    listed = api.get(target).json()["results"]
    assert [e["original_filename"] for e in listed] == ["eval.csv"]


def test_ci_pushes_evidence_by_system_and_control_reference(api_for, make_member, org, team, assignment):
    api = api_for(make_member(Role.MEMBER, "ci-bot", teams=[team]))
    target = url("control_evidence", org, pk=assignment.ai_system_id, ref="RT-02")
    response = api.post(target, {"link": "https://ci.example.test/runs/99", "valid_until": "2999-12-31"})
    assert response.status_code == 201 and response.json()["assignment"] == assignment.pk
    event = AuditEvent.objects.get(organisation=org, action="assessments.evidence.added")
    assert event.channel == "api"
    missing = api.post(url("control_evidence", org, pk=assignment.ai_system_id, ref="NOPE-1"), {"note": "x"})
    assert missing.status_code == 404


# --- Audit trail ----------------------------------------------------------------------------


def test_audit_events_newest_first_in_keyset_pages(api_for, make_member, org, team):
    auditor_api = api_for(make_member(Role.AUDITOR, "reader"))
    lead_api = api_for(make_member(Role.LEAD, "writer", teams=[team]))
    for i in range(3):
        lead_api.post(url("system_list", org), system_body(team, name=f"S{i}"))
    first = auditor_api.get(url("audit_event_list", org), {"page_size": 2}).json()
    rest = auditor_api.get(first["next"]).json()
    seqs = [e["seq"] for e in first["results"] + rest["results"]]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == len(set(seqs))
    filtered = auditor_api.get(url("audit_event_list", org), {"action": "governance.aisystem.created"}).json()
    assert len(filtered["results"]) == 3 and all(e["channel"] == "api" for e in filtered["results"])


# --- Constant query counts ------------------------------------------------------------------


def _queries(api, target):
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(target).status_code == 200
    return len(ctx.captured_queries)


def _grow(org, team, n):
    for _ in range(n):
        system = AISystemFactory(organisation=org, owner_team=team)
        ControlAssignmentFactory(ai_system=system, assignee=team.members.first())
    admin = team.members.first()
    with transaction.atomic():
        for system in AISystem.objects.filter(organisation=org)[:n]:
            record(organisation=org, actor=admin, action="test.touched", obj=system)


@pytest.mark.parametrize(
    "name", ["system_list", "assignment_list", "audit_event_list", "control_list", "team_list", "assessment_list"]
)
def test_list_query_count_does_not_grow_with_rows(api_for, make_member, org, team, name):
    api = api_for(make_member(Role.ADMIN, "counter", teams=[team]))
    target = url(name, org)
    api.get(target)  # the token's last use is written at most once a minute: not in the counts
    _grow(org, team, 3)
    few = _queries(api, target)
    _grow(org, team, 27)
    assert _queries(api, target) == few


def test_ci_evidence_can_mark_the_control_implemented_when_the_caller_may(api_for, make_member, org, team, assignment):
    target = url("control_evidence", org, pk=assignment.ai_system_id, ref="RT-02")
    other_team = TeamFactory(organisation=org, name="Safety")
    outsider_member = api_for(make_member(Role.MEMBER, "not-the-owner", teams=[other_team]))
    assert outsider_member.post(target, {"note": "x", "implement": True}).status_code == 403
    lead = make_member(Role.LEAD, "lead-not-capped", teams=[team])
    capped = api_for(lead, role=Role.AUDITOR)  # a lead's auditor token adds nothing
    assert capped.post(target, {"note": "x", "implement": True}).status_code == 403
    api = api_for(make_member(Role.MEMBER, "pipeline", teams=[team]))
    report = SimpleUploadedFile("eval.json", b'{"passed": 42, "failed": 0}', content_type="application/json")
    done = api.upload(target, {"file": report, "implement": "true"})
    assert done.status_code == 201, done.json()
    assert done.json()["implement"] == {"done": True, "status": "implemented", "reason": ""}
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IMPLEMENTED
    moved = AuditEvent.objects.get(organisation=org, action="assessments.assignment.implement")
    assert moved.channel == "api" and moved.via_token.endswith(" test")
    # Again: implemented already, so the step is not offered; the evidence is still kept.
    again = api.post(target, {"link": "https://ci.example.test/runs/100", "implement": True})
    assert again.status_code == 201
    assert again.json()["implement"]["done"] is False and again.json()["implement"]["reason"]
    assert again.json()["implement"]["status"] == "implemented"
    assert Evidence.objects.filter(assignment=assignment).count() == 2
    without = api.post(target, {"note": "just a note"})
    assert without.status_code == 201 and "implement" not in without.json()
