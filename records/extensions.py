"""What governed records add to pages of lower apps (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from accounts.access import team_ids
from core import extensions
from core.extensions import Panel

from .kinds import KINDS
from .models import FollowUp
from .rules import can_work_on_follow_up


def follow_ups_panel(membership) -> Panel | None:
    """Open follow-ups owned by the member's teams, each linking back to the record that raised
    it (two queries: the follow-ups, and the content types, cached by Django)."""
    teams = team_ids(membership)
    if not teams:
        return None
    rows = list(
        FollowUp.objects.for_org(membership.organisation)
        .open()
        .filter(owner_team_id__in=teams)
        .select_related("control", "assignment", "owner_team", "assignee", "ai_system")
        .order_by("due_date", "pk")[:100]
    )
    slug = membership.organisation.slug
    for row in rows:
        model = ContentType.objects.get_for_id(row.source_type_id).model_class()
        assert model is not None  # a follow-up's source is a record type that exists
        kind = KINDS[model._meta.label_lower]
        row.source_url = kind.url("detail", slug, row.source_id)
        row.source_label = kind.label
        row.can_close = row.kind == "action" and can_work_on_follow_up(membership, row)
    return Panel("records/_follow_ups_panel.html", {"follow_ups": rows})


def register_all() -> None:
    """What governed records add to My team's work."""
    extensions.register(extensions.WORK_PANELS, follow_ups_panel, order=10)
