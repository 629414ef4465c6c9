"""What governed records add to pages of lower apps (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, Value
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

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


def search_results(*, membership, query: str) -> list:
    """Records of every registered type (risks, threat models, red-team exercises, alignment
    reviews, IR plans, tabletops, incidents, FRIAs) found by title, the latest version of each, in
    one query: a UNION ALL of one SELECT per type, ordered by title. Every member may open every
    record page, so no row is left out by role."""
    from governance.library.search import text_search
    from governance.search import Hit, group

    org = membership.organisation
    kinds = {kind.key: kind for kind in KINDS.values()}
    selects = []
    for kind in kinds.values():
        fields = {f.name for f in kind.model._meta.get_fields()}
        rows = kind.model.objects.filter(organisation=org)
        if "is_latest" in fields:
            rows = rows.filter(is_latest=True)
        system = F("ai_system__name") if "ai_system" in fields else Value(None, output_field=CharField())
        selects.append(
            text_search(rows, query, ["title"], reference=False)
            .order_by()
            .annotate(found_kind=Value(kind.key, output_field=CharField()), found_system=system)
            .values_list("found_kind", "pk", "title", "status", "found_system")
        )
    found = selects[0].union(*selects[1:], all=True).order_by("title", "pk")

    def hit(row) -> Hit:
        key, pk, title, status, system_name = row
        kind = kinds[key]
        status_label = dict(kind.model._meta.get_field("status").choices).get(status, status)
        where = " · ".join(str(part) for part in (capfirst(kind.label), system_name, status_label) if part)
        return Hit(title, kind.url("detail", org.slug, pk), where)

    return [group("records", _("Records"), found, hit)]


def register_all() -> None:
    """What governed records add to My team's work and to the search."""
    extensions.register(extensions.WORK_PANELS, follow_ups_panel, order=10)
    extensions.register(extensions.SEARCH, search_results, order=20)
