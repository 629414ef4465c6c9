"""Writes of governed records and follow-ups, through the one audited write path.

Every record type calls these with its own model and audit prefix, so the create / edit / new
version / follow-up code exists once. Rules about who may act are checked on the locked row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit import services as audit_log
from audit.services import audited_create, audited_state, audited_update, lock
from core.workflow import Workflow

from . import rules
from .models import FollowUp, FollowUpKind


def prefix_of(model: Any) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def triage(data: dict[str, Any]) -> str:
    """The intent triage of DESIGN.md decides the domain; neither answer means no AI risk."""
    from core.choices import Domain

    domain = Domain.from_intent(
        hostile_intent=bool(data.get("hostile_intent")), harm_in_benign_use=bool(data.get("harm_in_benign_use"))
    )
    if domain is None:
        raise ValidationError(
            {
                "hostile_intent": _(
                    "Answer yes to at least one question: otherwise it is not an AI security or safety risk."
                )
            }
        )
    return domain.value


def record_create(model: type, *, actor, system, data: dict[str, Any], m2m: dict | None = None):
    if system.retired_at is not None:
        raise ValidationError(_("The system is retired: records are no longer added to it."))
    with transaction.atomic():
        return audited_create(
            model,
            actor=actor,
            action=f"{prefix_of(model)}.created",
            data={"organisation": system.organisation, "ai_system": system, "author": actor, **data},
            m2m=m2m,
        )


def record_update(record, *, actor, expected_version: int, data: dict[str, Any], m2m: dict | None = None):
    """Edit a draft (or sent-back) version; approved versions change only through a new version."""

    def check(locked) -> None:
        if not rules.can_edit_record(membership_of(actor, locked), locked):
            if not locked.is_editable:
                raise ValidationError(_("Only drafts are edited; start a new version of an approved record."))
            raise PermissionDenied(_("Leads and the members of the record's teams edit it."))

    with transaction.atomic():
        return audited_update(
            record,
            actor=actor,
            action=f"{prefix_of(type(record))}.updated",
            expected_version=expected_version,
            changes=data,
            m2m=m2m,
            check=check,
        )


def record_act(workflow: Workflow, *, actor, record, name: str, expected_version: int, text: str = ""):
    return workflow.take(actor=actor, record=record, name=name, expected_version=expected_version, text=text)


def record_new_version(record, *, actor, expected_version: int):
    """Start the next version of an approved record as a draft copy of it; the approved version
    stays as it is, readable and linked as `previous`."""
    model = type(record)
    with transaction.atomic():

        def check(locked) -> None:
            if not rules.can_work_on_record(membership_of(actor, locked), locked):
                raise PermissionDenied(_("Leads and the members of the record's teams start a new version."))
            if not locked.is_final or not locked.is_latest:
                raise ValidationError(_("A new version starts from the latest approved version."))

        previous = audited_update(
            record,
            actor=actor,
            action=f"{prefix_of(model)}.superseded",
            expected_version=expected_version,
            changes={"is_latest": False},
            check=check,
        )
        data = {
            f.name: getattr(previous, f.name)
            for f in model._meta.concrete_fields
            if f.name not in model.COPY_EXCLUDE and f.name not in ("organisation", "ai_system")
        }
        data.update(
            series=previous.series,
            record_version=previous.record_version + 1,
            previous=previous,
            is_latest=True,
        )
        m2m = {f.name: list(getattr(previous, f.name).all()) for f in model._meta.many_to_many}
        new = record_create(model, actor=actor, system=previous.ai_system, data=data, m2m=m2m)
        for child in previous.copy_children(new):
            audit_log.record(
                organisation=new.organisation,
                actor=actor,
                action=f"{prefix_of(type(child))}.copied",
                obj=child,
                after={**audited_state(child), "from_version": previous.record_version},
            )
        return new


# --- Follow-ups -----------------------------------------------------------------------------


def follow_up_raise(
    record,
    *,
    actor,
    domain: str,
    practice: str,
    control=None,
    title: str = "",
    owner_team=None,
    assignee=None,
    due_date: dt.date | None = None,
    system=None,
) -> FollowUp:
    """Raise work from a record. A library control becomes a control assignment of the system,
    routed by the ownership rules (or the active one it already has); a free-text action is owned
    by `owner_team` (default: routed by the record's domain).

    `record` may be any governed source with `organisation` and `editing_team_ids()`; one that
    concerns several systems (an incident) names the one the work is for in `system`."""
    from assessments.models import Assessment, ControlAssignment
    from assessments.services.routing import Router

    system = system or record.ai_system
    with transaction.atomic():
        current = lock(record)
        if not rules.can_work_on_record(membership_of(actor, current), current):
            raise PermissionDenied(_("Leads and the members of the record's teams raise follow-ups."))
        router = Router(record.organisation)
        data: dict[str, Any] = {
            "organisation": record.organisation,
            "ai_system": system,
            "source_type": ContentType.objects.get_for_model(type(record)),
            "source_id": record.pk,
            "created_by": actor,
        }
        if control is not None:
            assignment = ControlAssignment.objects.filter(ai_system=system, control=control).active().first()
            if assignment is None:
                assessment = Assessment.objects.filter(ai_system=system).order_by("-created_at", "-pk").first()
                if assessment is None:
                    raise ValidationError(
                        _("This system has no assessment yet: start one, or raise a free-text action instead.")
                    )
                route = router.route(control.domain, control.practice)
                if route.team is None:
                    raise ValidationError(_("No team owns this control's domain: add a team or an ownership rule."))
                assignment = audited_create(
                    ControlAssignment,
                    actor=actor,
                    action="assessments.assignment.created",
                    data={
                        "organisation": record.organisation,
                        "ai_system": system,
                        "control": control,
                        "assessment": assessment,
                        "owner_team": route.team,
                        "cosigning_team": route.cosigning_team if control.domain == "both" else None,
                        "due_date": due_date,
                    },
                )
            data.update(
                kind=FollowUpKind.CONTROL, control=control, assignment=assignment, owner_team=assignment.owner_team
            )
        else:
            if not title.strip():
                raise ValidationError({"title": _("Say what has to be done.")})
            team = owner_team or router.route(domain, practice).team
            if team is None:
                raise ValidationError({"owner_team": _("Choose the team that owns this action.")})
            if assignee is not None and not team.members.filter(pk=assignee.pk).exists():
                raise ValidationError({"assignee": _("The assignee must be a member of the owner team.")})
            data.update(
                kind=FollowUpKind.ACTION, title=title.strip(), owner_team=team, assignee=assignee, due_date=due_date
            )
        return audited_create(FollowUp, actor=actor, action="records.follow_up.created", data=data)


def follow_ups_of(record) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(source_type=ContentType.objects.get_for_model(type(record)), source_id=record.pk)
        .select_related("control", "assignment", "owner_team", "assignee")
        .order_by("pk")
    )
