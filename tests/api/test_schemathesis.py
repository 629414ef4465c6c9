"""Schemathesis against the published OpenAPI schema, in-process (the WSGI application), as a lead
and as a viewer: generated requests for every operation, a bounded number of examples each; no
answer may be a 5xx, and every answer must match the schema (status code, content type, body).

Bounded so it stays a few seconds (`FUZZ_EXAMPLES`, default 4 per operation and persona);
`make api-fuzz` runs it with more examples.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from api.tokens import token_create
from assessments.models import AssignmentStatus
from config.wsgi import application
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
MODE = os.environ.get("FUZZ_MODE", "positive")  # "all" adds invalid data (make api-fuzz)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _published_schema() -> dict:
    """The schema `/api/schema/?format=json` serves, built without a request (and without the DB)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


# Generated examples only (no boundary "coverage" phase, no stateful links), valid data, fixed seed.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
            "fuzzing": {"enabled": True},
        },
        "generation": {
            "mode": MODE,
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
            "allow-extra-parameters": False,
        },
    }
)
schema = schemathesis.openapi.from_dict(_published_schema(), config=CONFIG)


@pytest.fixture
def fuzz_world(settings, org, team, make_member):
    """Some rows for the requests to find, a token per persona; no rate limit. The application is
    called like a server (WSGI), so Django's end-of-request hook must not close the test's
    connection (the test client unhooks it the same way)."""
    settings.API_RATE_LIMIT = ""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    system = AISystemFactory(organisation=org, owner_team=team)
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(ref="RT-02"), status=AssignmentStatus.IN_PROGRESS)
    tokens = {}
    for role in (Role.LEAD, Role.VIEWER):
        user = make_member(role, f"fuzz-{role}", teams=[team])
        tokens[role] = token_create(user=user, name="fuzz", expires_at=None, organisation=org)[1]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"org": org, "tokens": tokens}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _call(case, world, role):
    if "org_slug" in (case.path_parameters or {}):
        case.path_parameters["org_slug"] = world["org"].slug  # otherwise every answer is a 404
    case.call_and_validate(app=application, headers={"Authorization": f"Bearer {world['tokens'][role]}"}, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_as_a_lead_answers_match_the_schema_and_are_never_5xx(case, fuzz_world):
    _call(case, fuzz_world, Role.LEAD)


@schema.parametrize()
@FUZZ
def test_as_a_viewer_answers_match_the_schema_and_are_never_5xx(case, fuzz_world):
    _call(case, fuzz_world, Role.VIEWER)
