"""Malformed input never produces a 500, and every endpoint and method has a matrix row."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory
from tests.matrix import merged_rows


def _api_patterns():
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            yield from _flatten(entry)


def _flatten(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _flatten(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_api_method_has_a_matrix_row():
    """An endpoint's first method is its plain name's row (GET when it has one); each further
    method is a `name#method` row. A new endpoint or method without a row fails here."""
    rows = merged_rows()
    missing = []
    for pattern in _api_patterns():
        if pattern.name in ("schema", "docs"):  # public, outside organisations
            continue
        view = pattern.callback.view_class
        methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
        for i, method in enumerate(methods):
            key = f"api:{pattern.name}" if i == 0 else f"api:{pattern.name}#{method}"
            if key not in rows or rows[key].method != method or not rows[key].api:
                missing.append(key)
    assert not missing, f"Add matrix rows (tests/matrix/api.py) for {missing}"


NASTY_BODIES = [
    b"{",  # truncated
    b"[1, 2, 3]",  # not an object
    b'"just a string"',
    b"\xff\xfe\x00garbage",  # not UTF-8
    b"[" * 100_000 + b"]" * 100_000,  # deeper than any parser's recursion
    json.dumps({"a": [[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]}).encode(),  # deep but valid JSON
    json.dumps({"name": {"$gt": ""}, "owner_team": [1], "version": "one"}).encode(),  # wrong types
    json.dumps({"name": "nul\u0000byte", "description": "x\u0000", "owner_team": 1}).encode(),
    json.dumps({"name": "x" * 100_000, "owner_team": 10**30, "version": -1}).encode(),
    json.dumps({"action": None, "version": 1e308, "text": ["a"]}).encode(),
    json.dumps({"due_date": "2024-13-45", "note": {"x": 1}, "link": "https://\u0000/"}).encode(),
    json.dumps({"hidden_characters": "maybe", "valid_until": 12}).encode(),
]


@pytest.fixture
def hostile(api_for, make_member, team, org):
    admin = make_member(Role.ADMIN, "hostile-admin", teams=[team])
    system = AISystemFactory(organisation=org, owner_team=team)
    assignment = ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="H-01", mappings=[]))
    slug = org.slug
    targets = [
        ("POST", reverse("api:system_list", kwargs={"org_slug": slug})),
        ("PATCH", reverse("api:system_detail", kwargs={"org_slug": slug, "pk": system.pk})),
        ("POST", reverse("api:assessment_start", kwargs={"org_slug": slug, "pk": system.pk})),
        ("POST", reverse("api:assignment_action", kwargs={"org_slug": slug, "pk": assignment.pk})),
        ("POST", reverse("api:evidence_list", kwargs={"org_slug": slug, "pk": assignment.pk})),
        ("POST", reverse("api:control_evidence", kwargs={"org_slug": slug, "pk": system.pk, "ref": "H-01"})),
    ]
    return api_for(admin), targets


def test_nasty_bodies_get_a_400_with_the_error_shape(hostile):
    api, targets = hostile
    for method, target in targets:
        for raw in NASTY_BODIES:
            response = api.call(method, target, raw)
            assert response.status_code == 400, (method, target, raw[:40], response.status_code)
            assert set(response.json()["error"]) >= {"code", "message", "fields"}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "nul\x00byte"},
        {"owner_team": "1; drop table"},
        {"owner_team": "99999999999999999999999"},
        {"cursor": "\x00"},
        {"page_size": "-5"},
        {"status": "\u202e"},
        {"system": "abc"},
        {"due": "x" * 5000},
    ],
)
def test_nasty_query_strings_never_500(hostile, org, params):
    api, _targets = hostile
    for name in ["system_list", "assignment_list", "audit_event_list", "control_list", "threat_list"]:
        response = api.get(reverse(f"api:{name}", kwargs={"org_slug": org.slug}), params)
        assert response.status_code in (200, 400, 404), (name, params, response.status_code)


def test_wrong_content_type_is_415(hostile):
    api, targets = hostile
    method, target = targets[0]
    response = api.client.generic(
        method, target, b"<xml/>", content_type="application/xml", HTTP_AUTHORIZATION=f"Bearer {api.raw}"
    )
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


def test_unknown_organisation_and_method(hostile):
    api, _targets = hostile
    assert api.get(reverse("api:system_list", kwargs={"org_slug": "nowhere"})).status_code == 404
    assert api.call("DELETE", reverse("api:team_list", kwargs={"org_slug": "acme-test"})).status_code == 405


def test_an_id_too_large_for_the_database_is_404(api_for, make_member, org):
    """Found by schemathesis: a 20-digit id overflowed SQLite's integers (a 500)."""
    api = api_for(make_member(Role.LEAD, "huge-ids"))
    huge = "30649247262406746112"
    for path in [f"systems/{huge}/", f"systems/{huge}/controls/RT-02/evidence/", f"assignments/{huge}/"]:
        response = api.call("POST" if "evidence" in path else "GET", f"/api/v1/o/{org.slug}/{path}", {"note": "x"})
        assert response.status_code == 404, path
