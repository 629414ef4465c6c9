import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from tests.factories import AISystemFactory, TeamFactory


@pytest.fixture
def url(org):
    return reverse("governance:system_list", args=[org.slug])


def names(response):
    return [s.name for s in response.context["page"].object_list]


def test_it_filters_by_type_exposure_stage_tier_and_team(client_for, viewer, org, team, url):
    other = TeamFactory(organisation=org, name="Data")
    AISystemFactory(organisation=org, owner_team=team, name="Bot", system_type="chat_assistant", exposure="public")
    AISystemFactory(
        organisation=org,
        owner_team=other,
        name="Ranker",
        system_type="recommender",
        exposure="internal",
        lifecycle_stage="design",
        eu_ai_act_tier="high",
    )
    c = client_for(viewer)
    assert names(c.get(url, {"system_type": "recommender"})) == ["Ranker"]
    assert names(c.get(url, {"exposure": "public"})) == ["Bot"]
    assert names(c.get(url, {"lifecycle_stage": "design"})) == ["Ranker"]
    assert names(c.get(url, {"eu_ai_act_tier": "high"})) == ["Ranker"]
    assert names(c.get(url, {"owner_team": other.pk})) == ["Ranker"]
    assert names(c.get(url, {"q": "bot"})) == ["Bot"]
    assert names(c.get(url, {"sort": "-name"})) == ["Ranker", "Bot"]


def test_it_paginates(client_for, viewer, org, team, url, settings):
    from core import pages

    pages.PAGE_SIZE, old = 10, pages.PAGE_SIZE
    try:
        AISystemFactory.create_batch(13, organisation=org, owner_team=team)
        response = client_for(viewer).get(url)
        assert len(response.context["page"].object_list) == 10
        assert len(client_for(viewer).get(url, {"page": 2}).context["page"].object_list) == 3
    finally:
        pages.PAGE_SIZE = old


def test_it_shows_only_this_organisations_systems(client_for, viewer, org, team, outsider, url):
    AISystemFactory(organisation=org, owner_team=team, name="Ours")
    AISystemFactory(organisation=outsider.memberships.get().organisation, name="Theirs")
    assert names(client_for(viewer).get(url)) == ["Ours"]


def test_empty_inventory_says_what_to_do_first(client_for, member, url):
    assert b"Add your first system" in client_for(member).get(url).content


@pytest.mark.parametrize("rows", [3, 60])
def test_query_count_is_constant(client_for, viewer, org, team, url, rows, django_assert_num_queries):
    AISystemFactory.create_batch(rows, organisation=org, owner_team=team)
    c = client_for(viewer)
    c.get(url)  # the first visit remembers the organisation in the session
    # session, user, membership, owner-team choices, count, page rows, other organisations (switcher)
    # + the organisation's data version for the cached rows, and for the readiness columns
    # (readiness.extensions), unless this page's verdicts are cached under it, control readiness
    # and the gates (7)
    cache.clear()
    with django_assert_num_queries(17):
        response = c.get(url, {"sort": "name"})
    assert response.status_code == 200
    assert response.content.split(b"<tbody>")[1].count(b"<tr>") == min(rows, 50)
    # Kept rows, count and filter bar: neither the rows, nor their readiness, nor how many there
    # are, nor the owner teams to filter by are read.
    with django_assert_num_queries(5):
        cached = c.get(url, {"sort": "name"})
    assert cached.content.split(b"<tbody>")[1] == response.content.split(b"<tbody>")[1]  # the same rows


def test_readiness_columns_change_with_the_data(client_for, lead, org, team, url):
    """The cached verdicts are kept under the organisation's data version (the audit chain head,
    which every change moves): a change shows on the next view."""
    from audit.services import record
    from tests.assessments.factories import AssessmentFactory

    system = AISystemFactory(organisation=org, owner_team=team, name="Alpha")
    c = client_for(lead)
    assert "No assessment yet." in c.get(url).content.decode()
    assert "No assessment yet." in c.get(url).content.decode()  # from the cache
    AssessmentFactory(ai_system=system, started_by=lead)
    with transaction.atomic():
        record(organisation=org, actor=lead, action="assessment.started", obj=system)
    assert "No assessment yet." not in c.get(url).content.decode()


def test_column_headers_sort_and_toggle(client_for, viewer, org, team, url):
    AISystemFactory(organisation=org, owner_team=team, name="Alpha")
    AISystemFactory(organisation=org, owner_team=team, name="Beta")
    c = client_for(viewer)
    body = c.get(url, {"exposure": "public"}).content.decode()
    assert 'href="?exposure=public&amp;sort=name"' in body
    body = c.get(url, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in body and 'href="?sort=-name"' in body
    assert names(c.get(url, {"sort": "-name"})) == ["Beta", "Alpha"]


def test_tier_and_stage_sort_by_meaning_not_by_code(client_for, viewer, org, team, url):
    AISystemFactory(
        organisation=org, owner_team=team, name="Minimal", eu_ai_act_tier="minimal", lifecycle_stage="production"
    )
    AISystemFactory(organisation=org, owner_team=team, name="High", eu_ai_act_tier="high", lifecycle_stage="design")
    AISystemFactory(
        organisation=org, owner_team=team, name="Limited", eu_ai_act_tier="limited", lifecycle_stage="validation"
    )
    c = client_for(viewer)
    assert names(c.get(url, {"sort": "-tier"})) == ["High", "Limited", "Minimal"]
    assert names(c.get(url, {"sort": "stage"})) == ["High", "Limited", "Minimal"]


def test_kept_rows_stay_escaped(client_for, viewer, org, team, url):
    """The rows' HTML is kept as the template made it: a name with markup shows as text, the
    first time and when it comes back from the cache."""
    AISystemFactory(organisation=org, owner_team=team, name="<b>Bold</b> bot")
    c = client_for(viewer)
    for _ in range(2):
        body = c.get(url).content
        assert b"&lt;b&gt;Bold&lt;/b&gt; bot" in body and b"<b>Bold</b>" not in body
