"""Framework coverage: covered (a verified control maps), partly (mapped, none verified),
uncovered; the drill-down page and the focus frameworks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssignmentStatus as S
from readiness import coverage
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import ControlFactory, FrameworkFactory, FrameworkItemFactory


@pytest.fixture
def picture(system, member):
    """Five countable items: covered, partly, uncovered, one only mapped by an approved
    not-applicable control (uncovered), one only by a retired assignment (uncovered); a heading
    with a child and an out-of-scope item do not count."""
    framework = FrameworkFactory(key="owasp-llm-2025", name="OWASP LLM")
    covered, partly, uncovered, na_only, retired_only = (FrameworkItemFactory(framework=framework) for _ in range(5))
    heading = FrameworkItemFactory(framework=framework)
    FrameworkItemFactory(framework=framework, parent=heading)  # the heading's child: a sixth item
    FrameworkItemFactory(framework=framework, out_of_scope="Not about AI systems.")

    def assign(item, status, **fields):
        return ControlAssignmentFactory(
            ai_system=system, control=ControlFactory(mappings=[item]), status=status, **fields
        )

    assign(covered, S.VERIFIED)
    assign(covered, S.IN_PROGRESS)  # one verified is enough
    assign(partly, S.IMPLEMENTED)
    assign(na_only, S.NOT_APPLICABLE, na_proposed_by=member, na_approved_at=timezone.now())
    assign(retired_only, S.VERIFIED, retired_at=timezone.now())
    return framework, {"covered": covered, "partly": partly, "uncovered": uncovered}


def test_coverage_counts_covered_partly_and_uncovered(org, system, picture):
    framework, _items = picture
    (row,) = [c for c in coverage.for_systems(org, [system])[system.pk] if c.framework == framework]
    assert (row.covered, row.partly, row.uncovered, row.total) == (1, 1, 4, 6)
    assert row.percent == 17


def test_owasp_comes_first_for_an_exposed_system(org, system, picture):
    framework, _items = picture
    FrameworkFactory(key="aaa-first-by-name", name="AAA")
    system.exposure = "public"
    first = coverage.for_systems(org, [system])[system.pk][0]
    assert first.framework == framework and first.focus and "public" in first.why
    system.exposure = "internal"
    assert coverage.for_systems(org, [system])[system.pk][0].framework.name == "AAA"


def test_the_drill_down_lists_items_with_their_state_and_controls(client_for, viewer, org, system, picture):
    framework, items = picture
    url = reverse("readiness:system_framework", args=[org.slug, system.pk, framework.pk])
    response = client_for(viewer).get(url)
    rows = {row.item: row for row in response.context["rows"]}
    assert rows[items["covered"]].state == "covered" and len(rows[items["covered"]].assignments) == 2
    assert rows[items["partly"]].state == "partly"
    assert rows[items["uncovered"]].state == "uncovered" and not rows[items["uncovered"]].assignments
    assert response.context["counts"] == {"covered": 1, "partly": 1, "uncovered": 4}
    only_partly = client_for(viewer).get(url, {"state": "partly"}).context["rows"]
    assert [r.item for r in only_partly] == [items["partly"]]


def test_the_system_tab_and_the_organisation_page_show_coverage(client_for, viewer, org, system, picture):
    framework, _items = picture
    c = client_for(viewer)
    tab = c.get(reverse("readiness:system_coverage", args=[org.slug, system.pk])).content.decode()
    assert "OWASP LLM" in tab and "1 / 6" in tab
    page = c.get(reverse("readiness:coverage", args=[org.slug])).content.decode()
    assert f"/coverage/{framework.pk}/" in page and "1/6" in page
    assert 'title="1 covered, 1 partly, 4 uncovered' in page
    system.exposure = "public"
    system.save()
    page = c.get(reverse("readiness:coverage", args=[org.slug])).content.decode()
    assert 'class="text-center coverage-focus"' in page and "bi-star-fill" in page


def test_a_framework_of_another_organisation_is_404(client_for, viewer, org, system):
    from tests.factories import OrganisationFactory

    theirs = FrameworkFactory(organisation=OrganisationFactory())
    url = reverse("readiness:system_framework", args=[org.slug, system.pk, theirs.pk])
    assert client_for(viewer).get(url).status_code == 404
