"""Search in the top bar: one page, results grouped by kind, one query per kind.

Kinds come from providers registered on the `search` extension hook (core/extensions.py), so
assessments contributes assignments and assessments without governance importing it. Every
provider searches only what the member may open: the organisation's own rows plus built-in
library content. Text matching is `library.search.text_search` (PostgreSQL full-text search
with a literal match beside it; icontains on SQLite).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .library.search import text_search
from .models import AISystem, Control, Framework, FrameworkItem, Threat

LIMIT = 8  # hits shown per kind; one more is fetched to know whether there are more
MAX_QUERY = 200
# `owasp-llm-2025:LLM01`: a framework item by its framework key and id.
ITEM_KEY = re.compile(r"^(?P<key>[\w.-]+):(?P<ref>\S+)$")


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    ref: str = ""


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False


def clean_query(raw: str) -> str:
    """The text to look for: NUL bytes (refused by PostgreSQL) and extra spaces removed, bounded."""
    return " ".join(raw.replace("\x00", " ").split())[:MAX_QUERY]


def group(kind: str, label, queryset: QuerySet, to_hit) -> Group:
    rows = list(queryset[: LIMIT + 1])
    return Group(kind, str(label), [to_hit(row) for row in rows[:LIMIT]], more=len(rows) > LIMIT)


def governance_results(*, membership, query: str) -> list[Group]:
    org = membership.organisation
    slug = org.slug
    systems = text_search(AISystem.objects.for_org(org).active(), query, ["name", "description", "model_details"])
    controls = text_search(Control.objects.for_org(org).active(), query, ["ref", "title", "objective"])
    threats = text_search(Threat.objects.for_org(org).active(), query, ["ref", "title", "description"])
    items = FrameworkItem.objects.filter(
        framework__in=Framework.objects.for_org(org).active(), retired_at__isnull=True
    ).select_related("framework")
    match = ITEM_KEY.match(query)
    if match:
        items = items.filter(framework__key__iexact=match["key"], ref__iexact=match["ref"])
    else:
        items = text_search(items, query, ["ref", "title"])
    return [
        group(
            "systems",
            _("AI systems"),
            systems.order_by("name").only("id", "name", "description"),
            lambda s: Hit(s.name, reverse("governance:system_detail", args=[slug, s.pk]), s.description[:140]),
        ),
        group(
            "controls",
            _("Controls"),
            controls.order_by("ref").only("id", "ref", "title"),
            lambda c: Hit(c.title, reverse("governance:control_detail", args=[slug, c.pk]), ref=c.ref),
        ),
        group(
            "threats",
            _("Threats"),
            threats.order_by("ref").only("id", "ref", "title"),
            lambda t: Hit(t.title, reverse("governance:threat_detail", args=[slug, t.pk]), ref=t.ref),
        ),
        group(
            "framework_items",
            _("Framework items"),
            items.order_by("framework__name", "position"),
            lambda i: Hit(
                i.title,
                f"{reverse('governance:crosswalk', args=[slug])}?framework={i.framework.key}#item-{i.pk}",
                i.framework.name,
                ref=f"{i.framework.key}:{i.ref}",
            ),
        ),
    ]
