"""The Statement of Applicability: statuses derived from the controls mapped to each item, across
the organisation's systems, against hand-built fixtures; decisions by leads, audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.concurrency import EditConflict
from regulatory import services
from regulatory.soa import EVIDENCE_SHOWN, Status, derive_status, statement
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.factories import AISystemFactory, ControlFactory, FrameworkFactory, FrameworkItemFactory
from tests.regulatory.factories import SoADecisionFactory


@pytest.fixture
def iso(db):
    return FrameworkFactory(key="iso-42001-2023", name="ISO/IEC 42001")


@pytest.fixture
def items(iso):
    FrameworkItemFactory(framework=iso, ref="A.2", kind="objective", position=0)  # not a control: not listed
    return {
        ref: FrameworkItemFactory(framework=iso, ref=ref, kind="control", position=n)
        for n, ref in enumerate(["A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2", "A.4.3", "A.4.4"], start=1)
    }


@pytest.fixture
def mapped(org, team, items, admin):
    """Each item's mapped assignments, built by hand; the expected outcome is in EXPECTED."""
    systems = [AISystemFactory(organisation=org, owner_team=team) for _ in range(2)]
    retired_system = AISystemFactory(organisation=org, owner_team=team, retired_at=timezone.now())
    other_org_system = AISystemFactory()

    def assign(ref, status, system=None, **extra):
        control = ControlFactory(mappings=[items[ref]])
        return ControlAssignmentFactory(ai_system=system or systems[0], control=control, status=status, **extra)

    both = assign("A.2.2", "verified")
    ControlAssignmentFactory(ai_system=systems[1], control=both.control, status="verified")
    for _ in range(6):
        EvidenceFactory(assignment=both, uploaded_by=admin)
    assign("A.2.3", "verified")
    assign("A.2.3", "not_started", systems[1])
    assign("A.2.4", "implemented")
    assign("A.2.4", "in_progress")
    assign("A.3.2", "not_started")
    # A.3.3: nothing maps to it.
    assign("A.4.2", "verified")
    assign("A.4.2", "not_applicable", na_approved_at=timezone.now(), justification="No UI.")
    assign("A.4.3", "verified")
    assign("A.4.3", "not_applicable", justification="Proposed, not approved.")
    assign("A.4.4", "verified")
    retired = assign("A.4.4", "not_started", systems[1], retired_at=timezone.now())
    EvidenceFactory(assignment=retired, uploaded_by=admin)
    assign("A.4.4", "not_started", retired_system)
    assign("A.4.4", "not_started", other_org_system)
    # One control mapped to two items counts for both.
    ControlAssignmentFactory(
        ai_system=systems[1], control=ControlFactory(mappings=[items["A.3.2"], items["A.3.3"]]), status="implemented"
    )


EXPECTED = {  # ref: (status, verified, mapped)
    "A.2.2": (Status.IMPLEMENTED, 2, 2),
    "A.2.3": (Status.PARTLY, 1, 2),
    "A.2.4": (Status.PARTLY, 0, 2),
    "A.3.2": (Status.PARTLY, 0, 2),
    "A.3.3": (Status.PARTLY, 0, 1),
    "A.4.2": (Status.IMPLEMENTED, 1, 1),
    "A.4.3": (Status.PARTLY, 1, 2),
    "A.4.4": (Status.IMPLEMENTED, 1, 1),
}


def test_the_derived_statuses_match_the_hand_built_fixture(org, mapped, django_assert_num_queries):
    # The framework, its items, their controls, the data version, the per-control counts and
    # evidence, the decisions; once kept, the two per-control queries are not run again.
    with django_assert_num_queries(7):
        statement(org, "iso-42001")
    with django_assert_num_queries(5):
        result = statement(org, "iso-42001")
    got = {row.item.ref: (row.status, row.verified, row.mapped) for row in result.rows}
    assert got == EXPECTED
    assert [row.item.ref for row in result.rows] == list(EXPECTED)


def test_evidence_is_linked_from_active_assignments_only(org, mapped):
    rows = {row.item.ref: row for row in statement(org).rows}
    assert rows["A.2.2"].evidence_total == 6 and len(rows["A.2.2"].evidence) == EVIDENCE_SHOWN == 3
    assert rows["A.4.4"].evidence_total == 0


def test_a_kept_statement_follows_the_next_audited_change(org, mapped, items, admin):
    from assessments.services.assignments import evidence_add

    assert {row.item.ref: row for row in statement(org).rows}["A.2.2"].evidence_total == 6
    assignment = items["A.2.2"].controls.get().assignments.filter(ai_system__retired_at__isnull=True).first()
    evidence_add(actor=admin, assignment=assignment, note="Red-team report of 30 November.")
    row = {row.item.ref: row for row in statement(org).rows}["A.2.2"]
    assert row.evidence_total == 7 and row.evidence[0].label == "Red-team report of 30 November."


def test_an_item_nothing_maps_to_is_not_yet(org, items):
    rows = {row.item.ref: row for row in statement(org).rows}
    assert rows["A.3.3"].status == Status.NOT_YET and (rows["A.3.3"].verified, rows["A.3.3"].mapped) == (0, 0)


@pytest.mark.parametrize(
    ("mapped", "verified", "implemented", "status"),
    [
        (0, 0, 0, Status.NOT_YET),
        (3, 0, 0, Status.NOT_YET),
        (3, 3, 0, Status.IMPLEMENTED),
        (3, 1, 0, Status.PARTLY),
        (3, 0, 1, Status.PARTLY),
        (3, 2, 1, Status.PARTLY),
    ],
)
def test_derive_status(mapped, verified, implemented, status):
    assert derive_status(mapped, verified, implemented) == status


def test_the_same_mechanism_serves_the_eu_ai_act_and_the_nist_ai_rmf(org):
    act = FrameworkFactory(key="eu-ai-act-2024")
    FrameworkItemFactory(framework=act, ref="Art.9", kind="article")
    FrameworkItemFactory(framework=act, ref="AnnexIII.4", kind="category")
    nist = FrameworkFactory(key="nist-ai-rmf-1.0")
    FrameworkItemFactory(framework=nist, ref="GOVERN 1.1", kind="subcategory")
    FrameworkItemFactory(framework=nist, ref="GOVERN", kind="function")
    assert [r.item.ref for r in statement(org, "eu-ai-act").rows] == ["Art.9"]
    assert [r.item.ref for r in statement(org, "nist-ai-rmf").rows] == ["GOVERN 1.1"]


def test_a_lead_decides_and_it_is_audited(org, lead, items):
    decision = services.soa_decide(
        actor=lead,
        organisation=org,
        item=items["A.2.2"],
        applicability="included",
        justification="",
        expected_version=None,
    )
    assert decision.version == 1
    decision = services.soa_decide(
        actor=lead,
        organisation=org,
        item=items["A.2.2"],
        applicability="excluded",
        justification="No AI policy scope here.",
        expected_version=1,
    )
    assert decision.applicability == "excluded" and decision.version == 2
    event = AuditEvent.objects.filter(action="regulatory.soadecision.updated").get()
    assert event.before["applicability"] == "included" and event.after["applicability"] == "excluded"
    assert statement(org).version == 2


def test_excluding_needs_a_justification(org, lead, items):
    with pytest.raises(ValidationError) as caught:
        services.soa_decide(
            actor=lead,
            organisation=org,
            item=items["A.2.2"],
            applicability="excluded",
            justification=" ",
            expected_version=None,
        )
    assert "justification" in caught.value.message_dict


def test_members_do_not_decide(org, member, items):
    with pytest.raises(PermissionDenied):
        services.soa_decide(
            actor=member,
            organisation=org,
            item=items["A.2.2"],
            applicability="included",
            justification="",
            expected_version=None,
        )


def test_a_decision_from_a_stale_page_conflicts(org, lead, admin, items):
    SoADecisionFactory(organisation=org, item=items["A.2.2"], decided_by=admin)
    with pytest.raises(EditConflict):  # the lead's page showed no decision yet
        services.soa_decide(
            actor=lead,
            organisation=org,
            item=items["A.2.2"],
            applicability="included",
            justification="",
            expected_version=None,
        )


def test_another_organisations_framework_item_is_refused(org, lead):
    item = FrameworkItemFactory(framework=FrameworkFactory(organisation=AISystemFactory().organisation, key="theirs"))
    with pytest.raises(ValidationError):
        services.soa_decide(
            actor=lead, organisation=org, item=item, applicability="included", justification="", expected_version=None
        )


def test_the_decide_page_saves_and_rerenders_errors(client_for, lead, org, items):
    url = reverse("regulatory:soa_decide", args=[org.slug, items["A.2.3"].pk])
    response = client_for(lead).post(url, {"applicability": "excluded", "justification": ""})
    assert response.status_code == 200 and "justification" in response.context["form"].errors
    response = client_for(lead).post(url, {"applicability": "excluded", "justification": "Out of scope."})
    assert response.status_code == 302 and response["Location"].endswith("?framework=iso-42001")
    page = client_for(lead).get(reverse("regulatory:soa", args=[org.slug])).content.decode()
    assert "Out of scope." in page


def test_the_page_offers_an_empty_state_without_the_library(client_for, lead, org):
    response = client_for(lead).get(reverse("regulatory:soa", args=[org.slug]))
    assert response.status_code == 200 and "not in the library yet" in response.content.decode()
    assert client_for(lead).get(reverse("regulatory:soa", args=[org.slug]) + "?framework=nope").status_code == 404
