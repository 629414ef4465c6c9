"""What governed records add to pages of lower apps (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, QuerySet, Value
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.access import team_ids
from audit.versions import cached_for_org
from core import extensions
from core.extensions import Panel

from .kinds import KINDS, governed_kinds
from .models import FollowUp, RecordStatus
from .rules import can_work_on_follow_up

REVIEWS_SHOWN = 100  # the oldest submissions; a lead with more waiting filters each register by status


def follow_ups_panel(membership, version: int) -> Panel | None:
    """Open follow-ups owned by the member's teams, each linking back to the record that raised
    it (two queries: the follow-ups, and the content types, cached by Django)."""
    teams = team_ids(membership)
    if not teams:
        return None
    org = membership.organisation

    def read() -> list[FollowUp]:
        rows = list(
            FollowUp.objects.for_org(org)
            .open()
            .filter(owner_team_id__in=teams)
            .select_related("control", "assignment", "owner_team", "assignee", "ai_system")
            .order_by("due_date", "pk")[:100]
        )
        for row in rows:
            model = ContentType.objects.get_for_id(row.source_type_id).model_class()
            assert model is not None  # a follow-up's source is a record type that exists
            kind = KINDS[model._meta.label_lower]
            row.source_url = kind.url("detail", org.slug, row.source_id)
            row.source_label = str(kind.label)
        return rows

    # Follow-ups are governed records (every change audited): the teams' rows are kept under the
    # data version, shared by the teams' members; what each member may do is decided here.
    name = "work-follow-ups:" + "-".join(map(str, sorted(teams)))
    rows = cached_for_org(org, name, read, per_language=True, version=version)
    for row in rows:
        row.can_close = row.kind == "action" and can_work_on_follow_up(membership, row)
    return Panel("records/_follow_ups_panel.html", {"follow_ups": rows})


def across_kinds(kinds, org, narrow, *fields: str) -> QuerySet:
    """One UNION ALL query over record types: `(kind key, pk, title, status, system name, *fields)`
    of the latest version of each type's rows in `org`, each type's rows narrowed by
    `narrow(queryset)`. `fields` must exist on every type asked about."""
    selects = []
    for kind in kinds:
        names = {f.name for f in kind.model._meta.get_fields()}
        rows = kind.model.objects.filter(organisation=org)
        if "is_latest" in names:
            rows = rows.filter(is_latest=True)
        system = F("ai_system__name") if "ai_system" in names else Value(None, output_field=CharField())
        selects.append(
            narrow(rows)
            .order_by()
            .annotate(found_kind=Value(kind.key, output_field=CharField()), found_system=system)
            .values_list("found_kind", "pk", "title", "status", "found_system", *fields)
        )
    return selects[0].union(*selects[1:], all=True)


def _status_label(kind, status: str) -> str:
    return str(dict(kind.model._meta.get_field("status").choices).get(status, status))


def search_results(*, membership, query: str) -> list:
    """Records of every registered type (risks, threat models, red-team exercises, alignment
    reviews, IR plans, tabletops, incidents, FRIAs) found by title, the latest version of each, in
    one query ordered by title. Every member may open every record page, so no row is left out
    by role."""
    from governance.library.search import text_search
    from governance.search import Hit, group

    org = membership.organisation
    kinds = {kind.key: kind for kind in KINDS.values()}
    found = across_kinds(kinds.values(), org, lambda rows: text_search(rows, query, ["title"], reference=False))

    def hit(row) -> Hit:
        key, pk, title, status, system_name = row
        kind = kinds[key]
        where = " · ".join(
            str(part) for part in (capfirst(kind.label), system_name, _status_label(kind, status)) if part
        )
        return Hit(title, kind.url("detail", org.slug, pk), where)

    return [group("records", _("Records"), found.order_by("title", "pk"), hit)]


@dataclass(frozen=True)
class Waiting:
    kind_label: str
    title: str
    url: str
    system: str
    author: str
    submitted_at: Any


def reviews_panel(membership, version: int) -> Panel | None:
    """On *My team's work* of leads and admins: governed records in review that this person may
    approve, as each type's own table says (any lead, a security lead, a safety lead…; never the
    author), oldest submission first. One query for every type, then the rule per row."""
    if not membership.is_lead:
        return None
    org = membership.organisation
    kinds = {kind.key: kind for kind in governed_kinds()}
    rows = across_kinds(
        kinds.values(),
        org,
        lambda rows: rows.filter(status=RecordStatus.IN_REVIEW),
        "author_id",
        "author__username",
        "submitted_at",
    ).order_by(F("submitted_at").asc(nulls_last=True), "pk")[:REVIEWS_SHOWN]
    waiting = []
    for key, pk, title, status, system_name, author_id, author_name, submitted_at in rows:
        kind = kinds[key]
        # The rule reads the row's own fields (its author, for segregation of duties).
        record = kind.model(pk=pk, organisation=org, title=title, status=status, author_id=author_id)
        if kind.workflow.allows(membership, record, "approve"):
            url = kind.url("detail", org.slug, pk)
            waiting.append(Waiting(capfirst(kind.label), title, url, system_name, author_name, submitted_at))
    return Panel("records/_reviews_panel.html", {"waiting": waiting})


def register_all() -> None:
    """What governed records add to My team's work and to the search."""
    extensions.register(extensions.WORK_PANELS, reviews_panel, order=8)
    extensions.register(extensions.WORK_PANELS, follow_ups_panel, order=10)
    extensions.register(extensions.SEARCH, search_results, order=20)
