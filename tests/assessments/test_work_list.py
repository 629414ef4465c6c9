"""*My team's work*: the member's home page, its filters, inline and bulk changes, query budget."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import AssignmentStatus, ControlAssignment
from audit.models import AuditEvent
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.factories import AISystemFactory, ControlFactory

TODAY = timezone.localdate()


@pytest.fixture
def url(org):
    return reverse("assessments:work_list", args=[org.slug])


def refs(response):
    return [a.control.ref for a in response.context["page"].object_list]


def shown_count(response) -> int:
    """The number of rows the table's caption announces (its HTML may come from the cache)."""
    return int(re.search(rb'<caption class="small">(\d+) assignments?</caption>', response.content).group(1))


def assign(system, ref, **fields):
    return ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref=ref), **fields)


def test_members_land_here(client_for, member, org):
    assert client_for(member).get(reverse("org_home", args=[org.slug]))["Location"] == reverse(
        "assessments:work_list", args=[org.slug]
    )


def test_leads_keep_the_default_landing_page(client_for, lead, org):
    assert client_for(lead).get(reverse("org_home", args=[org.slug]))["Location"] != reverse(
        "assessments:work_list", args=[org.slug]
    )


def test_it_lists_the_teams_work_overdue_first(client_for, member, system, safety_team, url):
    assign(system, "LATER", due_date=TODAY + dt.timedelta(days=20))
    assign(system, "SOON", due_date=TODAY + dt.timedelta(days=2))
    assign(system, "LATE", due_date=TODAY - dt.timedelta(days=3))
    assign(system, "VERY-LATE", due_date=TODAY - dt.timedelta(days=9))
    assign(system, "UNDATED")
    assign(system, "OTHER-TEAM", owner_team=safety_team)
    response = client_for(member).get(url)
    assert refs(response) == ["VERY-LATE", "LATE", "SOON", "LATER", "UNDATED"]
    assert "overdue by 9 days" in response.content.decode()


def test_it_includes_what_the_team_cosigns(client_for, safety_member, system, safety_team, url):
    both = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(ref="BOTH-1", domain="both"), cosigning_team=safety_team
    )
    response = client_for(safety_member).get(url)
    assert refs(response) == [both.control.ref]
    assert "co-signs: Responsible AI" in response.content.decode()


def test_decided_work_is_hidden_until_asked_for(client_for, member, system, url):
    assign(system, "OPEN")
    assign(system, "DONE", status=AssignmentStatus.VERIFIED)
    c = client_for(member)
    assert refs(c.get(url)) == ["OPEN"]
    assert sorted(refs(c.get(url, {"status": ""}))) == ["DONE", "OPEN"]
    assert refs(c.get(url, {"status": "verified"})) == ["DONE"]


def test_filters_by_domain_system_due_date_and_assignee(client_for, member, org, team, system, url):
    other = AISystemFactory(organisation=org, owner_team=team, name="Other")
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="SAFE", domain="safety"))
    assign(other, "ELSEWHERE", due_date=TODAY - dt.timedelta(days=1), assignee=member)
    assign(system, "NEXT-WEEK", due_date=TODAY + dt.timedelta(days=5))
    c = client_for(member)
    assert refs(c.get(url, {"domain": "safety"})) == ["SAFE"]
    assert refs(c.get(url, {"system": other.pk})) == ["ELSEWHERE"]
    assert refs(c.get(url, {"due": "overdue"})) == ["ELSEWHERE"]
    assert refs(c.get(url, {"due": "week"})) == ["NEXT-WEEK"]
    assert refs(c.get(url, {"due": "none"})) == ["SAFE"]
    assert refs(c.get(url, {"mine": "me"})) == ["ELSEWHERE"]
    assert sorted(refs(c.get(url, {"mine": "unassigned"}))) == ["NEXT-WEEK", "SAFE"]


def test_each_row_offers_the_next_step_this_member_may_take(client_for, member, system, url):
    assign(system, "NEW")
    ready = assign(system, "READY", status=AssignmentStatus.IN_PROGRESS)
    EvidenceFactory(assignment=ready)
    assign(system, "WAITING", status=AssignmentStatus.IN_PROGRESS)
    rows = {a.control.ref: [x.name for x in a.quick_actions] for a in client_for(member).get(url).context["page"]}
    assert rows == {"NEW": ["start"], "READY": ["implement"], "WAITING": []}


def test_a_member_without_a_team_is_told_what_to_do(client_for, make_member, url):
    response = client_for(make_member(Role.MEMBER)).get(url)
    assert b"You are not in a team yet." in response.content


def test_an_empty_list_says_where_work_comes_from(client_for, member, url):
    assert b"when a lead confirms an assessment" in client_for(member).get(url).content


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, member, system, url, rows, django_assert_num_queries):
    for i in range(rows):
        a = assign(system, f"Q-{i:02d}", due_date=TODAY + dt.timedelta(days=i - 5), assignee=member)
        EvidenceFactory(assignment=a)
    c = client_for(member)
    c.get(url)
    # session, user, membership, the member's teams, systems (filter choices), the organisation's
    # data version (the count and the rows are kept under it), count, page rows (+control,
    # system, teams, assignee, current evidence), people to assign, other organisations, the
    # follow-ups records raised for the member's teams, the incidents the member's teams handle
    cache.clear()
    with django_assert_num_queries(12):
        response = c.get(url)
    rows_html = response.content.split(b"<tbody>")[1].split(b"</tbody>")[0]
    assert rows_html.count(b"<tr ") == rows
    # Kept under the data version: the filter bar, the table (count and rows) and the panels'
    # follow-ups and incidents of the member's teams; none is read again.
    with django_assert_num_queries(7):
        response = c.get(url)
    assert shown_count(response) == rows
    assert response.content.split(b"<tbody>")[1].split(b"</tbody>")[0] == rows_html


def test_the_kept_count_follows_changes(client_for, member, admin, org, system, url):
    """The row count is kept under the organisation's data version: an audited change shows at once."""
    from audit.services import record

    assign(system, "Q-01", due_date=TODAY)
    c = client_for(member)
    assert shown_count(c.get(url)) == 1
    assert shown_count(c.get(url)) == 1  # kept
    new = assign(system, "Q-02", due_date=TODAY)
    with transaction.atomic():
        record(organisation=org, actor=admin, action="assessments.assignment.created", obj=new)
    assert shown_count(c.get(url)) == 2
    assert b"Nothing here." in c.get(url, {"status": "verified"}).content  # the filters are in the key


# --- Bulk changes -----------------------------------------------------------------------------------


def bulk(client, org, items, **data):
    return client.post(
        reverse("assessments:work_bulk", args=[org.slug]),
        {"selected": [f"{a.pk}:{a.version}" for a in items], "next": "/o/acme-test/work/", **data},
    )


def test_bulk_status_and_due_date_change(client_for, member, org, system):
    items = [assign(system, f"B-{i}") for i in range(3)]
    response = bulk(client_for(member), org, items, action="start", due_date="2099-05-01")
    assert response["Location"] == "/o/acme-test/work/"
    assert set(ControlAssignment.objects.values_list("status", "due_date")) == {
        (AssignmentStatus.IN_PROGRESS, dt.date(2099, 5, 1))
    }
    assert AuditEvent.objects.filter(action="assessments.assignment.start").count() == 3


def test_bulk_skips_rows_whose_state_does_not_allow_it_and_says_why(client_for, member, org, system):
    ready = assign(system, "READY", status=AssignmentStatus.IN_PROGRESS)
    EvidenceFactory(assignment=ready)
    bare = assign(system, "BARE", status=AssignmentStatus.IN_PROGRESS)
    response = bulk(client_for(member), org, [ready, bare], action="implement")
    messages = [str(m) for m in response.wsgi_request._messages]
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert (ready.status, bare.status) == (AssignmentStatus.IMPLEMENTED, AssignmentStatus.IN_PROGRESS)
    assert "1 assignments changed." in messages
    assert any(m.startswith("BARE: Add evidence") for m in messages)


def test_bulk_skips_rows_changed_since_the_page_was_loaded(client_for, member, org, system):
    stale = assign(system, "STALE")
    ControlAssignment.objects.filter(pk=stale.pk).update(version=5)
    response = bulk(client_for(member), org, [stale], due_date="2099-05-01")
    assert any("changed by someone else" in str(m) for m in response.wsgi_request._messages)
    stale.refresh_from_db()
    assert stale.due_date is None


def test_bulk_with_another_teams_row_is_403_and_changes_nothing(client_for, member, org, system, safety_team):
    mine = assign(system, "MINE")
    theirs = assign(system, "THEIRS", owner_team=safety_team)
    assert bulk(client_for(member), org, [mine, theirs], action="start").status_code == 403
    assert set(ControlAssignment.objects.values_list("status", flat=True)) == {AssignmentStatus.NOT_STARTED}
    assert not AuditEvent.objects.exists()


def test_bulk_with_a_foreign_id_is_403(client_for, member, org, outsider):
    foreign = ControlAssignmentFactory(
        ai_system__organisation=outsider.memberships.get().organisation, control=ControlFactory()
    )
    assert bulk(client_for(member), org, [foreign], action="start").status_code == 403


def test_bulk_without_a_change_says_so(client_for, member, org, system):
    response = bulk(client_for(member), org, [assign(system, "X")])
    assert "Choose a status, a due date or an assignee to apply." in [str(m) for m in response.wsgi_request._messages]


def test_bulk_reassigns_within_each_rows_team(client_for, member, make_member, org, system, team, safety_team):
    colleague = make_member(Role.MEMBER, "colleague", teams=[team])
    member.teams.add(safety_team)  # the member works for two teams; the colleague for one
    ours = assign(system, "OURS")
    theirs = assign(system, "THEIRS", owner_team=safety_team)
    response = bulk(client_for(member), org, [ours, theirs], assignee=colleague.pk)
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.assignee, theirs.assignee) == (colleague, None)
    assert any(str(m).startswith("THEIRS: The assignee must be a member") for m in response.wsgi_request._messages)


def test_columns_sort_and_keep_undated_rows_last(client_for, member, system, url):
    assign(system, "B-LATER", due_date=TODAY + dt.timedelta(days=9))
    assign(system, "A-SOON", due_date=TODAY + dt.timedelta(days=1))
    assign(system, "C-UNDATED")
    c = client_for(member)
    assert refs(c.get(url, {"sort": "-due"})) == ["B-LATER", "A-SOON", "C-UNDATED"]
    assert refs(c.get(url, {"sort": "control"})) == ["A-SOON", "B-LATER", "C-UNDATED"]
    assert 'aria-sort="descending"' in c.get(url, {"sort": "-due"}).content.decode()


def test_the_count_takes_each_row_once_whichever_team_holds_it(
    client_for, make_member, team, safety_team, system, org, url
):
    """The page count adds owned rows and rows only co-signed: a row both teams hold counts once."""
    both_teams = make_member(Role.MEMBER, "in-both-teams", teams=[team, safety_team])
    assign(system, "OWNED")
    assign(system, "OWNED-AND-COSIGNED", cosigning_team=safety_team)
    other = AISystemFactory(organisation=org, owner_team=safety_team)
    assign(other, "OTHER-OWNS-WE-COSIGN", owner_team=safety_team, cosigning_team=team)
    assign(other, "NOT-OURS", owner_team=safety_team)
    assign(system, "DONE", status=AssignmentStatus.VERIFIED)
    c = client_for(both_teams)
    page = c.get(url).context["page"]
    assert page.paginator.count == 4 and len(page.object_list) == 4
    assert c.get(url, {"status": ""}).context["page"].paginator.count == 5
    member_page = client_for(make_member(Role.MEMBER, "only-security", teams=[team])).get(url).context["page"]
    assert sorted(refs_of(member_page)) == ["OTHER-OWNS-WE-COSIGN", "OWNED", "OWNED-AND-COSIGNED"]
    assert member_page.paginator.count == 3


def test_decided_rows_come_after_open_ones_when_all_statuses_show(client_for, member, system, url):
    assign(system, "DONE-EARLY", status=AssignmentStatus.VERIFIED, due_date=TODAY - dt.timedelta(days=30))
    assign(system, "OPEN-LATE", due_date=TODAY - dt.timedelta(days=1))
    assign(system, "OPEN-LATER", due_date=TODAY + dt.timedelta(days=10))
    assert refs(client_for(member).get(url, {"status": ""})) == ["OPEN-LATE", "OPEN-LATER", "DONE-EARLY"]


def refs_of(page):
    return [a.control.ref for a in page.object_list]


def test_rows_hold_no_form_their_buttons_submit_the_pages_one(client_for, member, system, url):
    """Each row's actions are buttons for the page's one #row-actions form (one CSRF token a page,
    so the rows can be kept), posting to the row's URL with the version the row showed."""
    new = assign(system, "NEW")
    body = client_for(member).get(url).content.decode()
    rows = body.split("<tbody>")[1].split("</tbody>")[0]
    assert "<form" not in rows and "csrfmiddlewaretoken" not in rows
    act = reverse("assessments:assignment_act", args=[system.organisation.slug, new.pk])
    assert 'form="row-actions" name="action" value="start"' in rows
    assert f'formaction="{act}?version={new.version}"' in rows
    shared = body.split('<form method="post" id="row-actions">')[1].split("</form>")[0]
    assert "csrfmiddlewaretoken" in shared and 'name="row" value="work"' in shared


def test_kept_rows_are_each_members_own(client_for, member, make_member, team, system, url):
    """Rows are kept per member: what one may do (start work) is not offered to a viewer."""
    assign(system, "NEW")
    assert 'value="start"' in client_for(member).get(url).content.decode()
    viewer = make_member(Role.VIEWER, teams=[team])
    assert 'value="start"' not in client_for(viewer).get(url).content.decode()


def test_kept_rows_stay_escaped(client_for, member, system, url):
    """A title with markup shows as text, the first time and when the table comes from the cache."""
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="ESC", title="<b>Bold</b> control"))
    c = client_for(member)
    for _ in range(2):
        body = c.get(url).content
        assert b"&lt;b&gt;Bold&lt;/b&gt; control" in body and b"<b>Bold</b>" not in body
