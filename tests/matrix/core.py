"""Matrix rows for the foundation: inventory, members, teams, organisation settings, audit trail."""

from accounts.access import AUDIT_READERS
from accounts.models import Role

from . import Row, at_least


def system(w):
    return {"pk": w["system"].pk}


def team(w):
    return {"pk": w["team"].pk}


def target_membership(w):
    return {"pk": w["target"].pk}


def invitation(w):
    return {"pk": w["invitation"].pk}


def extend_world(world):
    import datetime as dt

    from django.utils import timezone

    from accounts.models import Invitation

    world["invitation"] = Invitation.objects.create(
        organisation=world["org"],
        invitee="invited@example.test",
        salt="matrix",
        expires_at=timezone.now() + dt.timedelta(days=7),
    )


def event(w):
    return {"pk": w["event"].pk}


def verification(w):
    return {"pk": w["verification"].pk}


def system_form(w):
    s = w["system"]
    return {
        "name": "Renamed system",
        "description": s.description,
        "owner_team": s.owner_team_id,
        "lifecycle_stage": s.lifecycle_stage,
        "system_type": s.system_type,
        "provenance": s.provenance,
        "exposure": s.exposure,
        "autonomy": s.autonomy,
        "generates_text": "on",
        "eu_ai_act_tier": s.eu_ai_act_tier,
        "operator_role": s.operator_role,
        "version": s.version,
    }


ROWS = {
    "org_home": Row(ok=(302,)),
    "governance:search": Row(),
    "governance:system_list": Row(),
    "governance:system_create": Row(allowed=at_least(Role.MEMBER)),
    "governance:system_detail": Row(system),
    "governance:system_edit": Row(system, allowed=at_least(Role.MEMBER), team_scoped=True),
    "governance:system_edit#post": Row(
        system, allowed=at_least(Role.MEMBER), team_scoped=True, method="post", ok=(302,), data=system_form
    ),
    "governance:system_retire": Row(system, allowed=at_least(Role.LEAD)),
    "governance:system_history": Row(system),
    "accounts:organisation_edit": Row(allowed=at_least(Role.ADMIN)),
    "accounts:member_list": Row(),
    "accounts:member_add": Row(allowed=at_least(Role.ADMIN)),
    "accounts:member_edit": Row(target_membership, allowed=at_least(Role.ADMIN)),
    "accounts:member_remove": Row(target_membership, allowed=at_least(Role.ADMIN), method="post", ok=(302,)),
    "accounts:invitation_resend": Row(invitation, allowed=at_least(Role.ADMIN), method="post", ok=(302,)),
    "accounts:invitation_revoke": Row(invitation, allowed=at_least(Role.ADMIN), method="post", ok=(302,)),
    "accounts:team_list": Row(),
    "accounts:team_create": Row(allowed=at_least(Role.ADMIN)),
    "accounts:team_detail": Row(team),
    "accounts:team_edit": Row(team, allowed=at_least(Role.ADMIN)),
    "audit:event_list": Row(allowed=AUDIT_READERS),
    "audit:event_detail": Row(event, allowed=AUDIT_READERS),
    "audit:verification_create": Row(allowed=AUDIT_READERS, method="post", ok=(302,)),
    "audit:verification_status": Row(verification, allowed=AUDIT_READERS),
}
