"""Matrix rows for the REST API (`api:` URL names): the same people may do the same things as on
the pages, called with each persona's own token. `name#method` rows cover each further method of
an endpoint; tests/api/test_matrix_methods.py fails when a method has no row."""

import datetime as dt

from django.utils import timezone

from accounts.access import AUDIT_READERS
from accounts.models import Role
from api.tokens import service_token_create, token_create
from tests.factories import FrameworkFactory, ThreatFactory

from . import Row, at_least

MEMBERS = at_least(Role.MEMBER)
LEADS = at_least(Role.LEAD)


def api_token_for(user) -> str:
    """A personal token for the user's (first) organisation, with the user's role there."""
    organisation = user.memberships.first().organisation
    _token, raw = token_create(user=user, name="matrix", expires_at=None, organisation=organisation)
    return raw


def extend_world(world):
    world["api_tokens"] = {who: api_token_for(user) for who, user in world["users"].items()}
    world["api_threat"] = ThreatFactory(organisation=world["org"])
    world["api_framework"] = FrameworkFactory(organisation=world["org"])
    admin = world["users"][Role.ADMIN].memberships.get(organisation=world["org"])
    world["service_token"], _raw = service_token_create(
        membership=admin, team=world["team"], name="matrix pipeline", role=Role.MEMBER, expires_at=None
    )


def pk(key):
    return lambda w: {"pk": w[key].pk}


def system_body(w):
    return {
        "name": "Matrix API system",
        "description": "Sorts incoming tickets.",
        "owner_team": w["team"].pk,
        "lifecycle_stage": "design",
        "system_type": "predictive",
        "provenance": "in_house",
        "exposure": "internal",
        "autonomy": "none",
    }


def due(w):
    return {"due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat()}


def assignment_ref(w):
    return {"pk": w["system"].pk, "ref": w["as_assignment"].control.ref}


NOTE = {"note": "Evaluation run 42 passed."}

R = {"api": True}
ROWS = {
    "api:system_list": Row(**R),
    "api:system_list#post": Row(method="post", data=system_body, allowed=MEMBERS, ok=(201,), **R),
    "api:system_detail": Row(kwargs=pk("system"), **R),
    "api:system_detail#patch": Row(
        kwargs=pk("system"),
        method="patch",
        data=lambda w: {"version": w["system"].version, "model_details": "Hosted model"},
        allowed=MEMBERS,
        team_scoped=True,
        **R,
    ),
    "api:assessment_start": Row(kwargs=pk("as_unassessed"), method="post", data=due, allowed=LEADS, ok=(201,), **R),
    "api:control_evidence": Row(
        kwargs=assignment_ref, method="post", data=lambda w: NOTE, allowed=MEMBERS, ok=(201,), team_scoped=True, **R
    ),
    "api:team_list": Row(**R),
    "api:team_detail": Row(kwargs=pk("team"), **R),
    "api:control_list": Row(**R),
    "api:control_detail": Row(kwargs=lambda w: {"pk": w["as_assignment"].control_id}, **R),
    "api:threat_list": Row(**R),
    "api:threat_detail": Row(kwargs=pk("api_threat"), **R),
    "api:framework_list": Row(**R),
    "api:framework_detail": Row(kwargs=pk("api_framework"), **R),
    "api:assessment_list": Row(**R),
    "api:assessment_detail": Row(kwargs=pk("as_working"), **R),
    "api:assignment_list": Row(**R),
    "api:assignment_detail": Row(kwargs=pk("as_assignment"), **R),
    "api:assignment_action": Row(
        kwargs=pk("as_assignment"),
        method="post",
        data=lambda w: {"action": "start", "version": w["as_assignment"].version},
        allowed=MEMBERS,
        team_scoped=True,
        **R,
    ),
    "api:evidence_list": Row(kwargs=pk("as_assignment"), **R),
    "api:evidence_list#post": Row(
        kwargs=pk("as_assignment"),
        method="post",
        data=lambda w: NOTE,
        allowed=MEMBERS,
        ok=(201,),
        team_scoped=True,
        **R,
    ),
    "api:audit_event_list": Row(allowed=frozenset(AUDIT_READERS), **R),
    # The organisation's service tokens (pages, not API endpoints): admins only.
    "api_settings:service_tokens": Row(allowed=at_least(Role.ADMIN)),
    "api_settings:service_token_revoke": Row(
        pk("service_token"), allowed=at_least(Role.ADMIN), method="post", ok=(302,)
    ),
}
