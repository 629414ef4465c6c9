"""The incident's lifecycle as a table of transitions (core.workflow):

    open → contained → resolved → closed
      └──────────────↗   (resolving an open incident contains it at the same time)
    contained, resolved → open   (reopened: it came back; the times are cleared)

Containment and resolution times are the time the step is recorded for (`now`, which the person
may set earlier: an incident contained an hour before anyone wrote it down). Closing needs the
post-incident review. Who may and what must hold are judged on the locked row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import membership_of
from core.workflow import Step, Transition, Workflow
from records.kinds import RecordKind, register

from . import rules
from .models import Incident, IncidentStatus

S = IncidentStatus


def _not_before(when, earlier, message: str) -> None:
    if earlier is not None and when < earlier:
        raise ValidationError({"at": message})


def _contain(incident: Incident, step: Step) -> None:
    _not_before(step.now, incident.detected_at, _("An incident is contained after it was detected."))
    incident.contained_at = step.now


def _resolve(incident: Incident, step: Step) -> None:
    _not_before(step.now, incident.detected_at, _("An incident is resolved after it was detected."))
    _not_before(step.now, incident.contained_at, _("An incident is resolved after it was contained."))
    if incident.contained_at is None:  # resolved straight away: contained at the same moment
        incident.contained_at = step.now
    incident.resolved_at = step.now


def _close(incident: Incident, step: Step) -> None:
    incident.closed_at, incident.closed_by = step.now, step.actor


def _reopen(incident: Incident, step: Step) -> None:
    incident.contained_at = incident.resolved_at = None


def _reviewed(incident: Incident) -> str | None:
    return None if incident.has_review else _("Write the post-incident review before closing the incident.")


INCIDENT: Workflow[Incident] = Workflow(
    model=Incident,
    action_prefix="incidents.incident",
    membership_of=membership_of,
    transitions=[
        Transition(
            "contain",
            gettext_lazy("Mark contained"),
            frozenset({S.OPEN}),
            S.CONTAINED,
            who=rules.can_work_on_incident,
            refusal=gettext_lazy("Leads and the members of the incident's teams move it along."),
            effect=_contain,
            changes=("contained_at",),
            done=gettext_lazy("Incident contained."),
        ),
        Transition(
            "resolve",
            gettext_lazy("Mark resolved"),
            frozenset({S.OPEN, S.CONTAINED}),
            S.RESOLVED,
            who=rules.can_work_on_incident,
            refusal=gettext_lazy("Leads and the members of the incident's teams move it along."),
            effect=_resolve,
            changes=("contained_at", "resolved_at"),
            done=gettext_lazy("Incident resolved. Write the post-incident review, then a lead closes it."),
        ),
        Transition(
            "close",
            gettext_lazy("Close"),
            frozenset({S.RESOLVED}),
            S.CLOSED,
            who=rules.can_close,
            refusal=gettext_lazy("A lead closes an incident."),
            guards=(_reviewed,),
            effect=_close,
            changes=("closed_at", "closed_by"),
            done=gettext_lazy("Incident closed."),
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            frozenset({S.CONTAINED, S.RESOLVED}),
            S.OPEN,
            who=rules.can_work_on_incident,
            refusal=gettext_lazy("Leads and the members of the incident's teams reopen it."),
            effect=_reopen,
            changes=("contained_at", "resolved_at"),
            needs_text=True,
            text_label=gettext_lazy("Why is it open again?"),
            done=gettext_lazy("Incident reopened."),
        ),
    ],
)

# Which transitions ask for the time the step happened.
TIMED = frozenset({"contain", "resolve"})


def _queryset() -> Any:
    return Incident.objects.select_related(
        "owner_team", "cosigning_team", "reported_by", "closed_by", "reviewed_by", "plan", "playbook"
    )


# Registered as a record kind so follow-ups it raises link back to it on My team's work
# (records.extensions); the record pages of records.views are not mounted for incidents.
KIND = register(
    RecordKind(
        key="incident",
        namespace="incidents",
        model=Incident,
        workflow=INCIDENT,
        label="incident",
        queryset=_queryset,
        detail_template="incidents/incident_detail.html",
        domain_of=lambda incident: incident.domain,
        practice="incident_response",
        tab="incidents",
    )
)
