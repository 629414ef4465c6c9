"""Reading the library: controls, threats, frameworks, the crosswalk and the intent triage.

Every member reads the whole library: the built-in content and the organisation's own. Pages
that change it are in library_edit.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.access import get_membership
from audit.services import history_for
from audit.versions import kept_list
from core.choices import Domain

from ..applicability import describe
from ..filters import ControlFilter, ThreatFilter
from ..forms.library import TriageForm
from ..library.coverage import COVERED, OUT_OF_SCOPE, SUB_ITEMS, UNCOVERED, statuses
from ..models import AISystem, Concern, Control, Framework, FrameworkItem, Scenario, Threat
from ..rules import can_edit_library, can_edit_library_entry, can_export_library, get_library_object_for_user
from ..triage import typical_owners

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _mapped_items():
    """Framework items with their framework, in published order, for a row's mappings."""
    return FrameworkItem.objects.select_related("framework").order_by("framework__name", "position")


def library_context(membership, tab: str, **extra) -> dict:
    """What every library page needs: the active tab and what the user may do (for the tabs)."""
    return {
        "tab": tab,
        "can_edit_library": can_edit_library(membership),
        "can_export_library": can_export_library(membership),
        **extra,
    }


def _framework_keys(rows) -> None:
    """Each row's distinct framework keys, in one query of (row, key) pairs: the page's rows map
    to hundreds of framework items, and prefetching them as instances cost ~10 ms a page."""
    rows = list(rows)
    if not rows:
        return
    through = type(rows[0]).mappings.through
    owner = f"{type(rows[0])._meta.model_name}_id"  # control_id, threat_id
    keys: dict[int, set[str]] = defaultdict(set)
    pairs = (
        through.objects.filter(**{f"{owner}__in": [row.pk for row in rows]})
        .order_by()
        .values_list(owner, "frameworkitem__framework__key")
        .distinct()
    )
    for pk, key in pairs:
        keys[pk].add(key)
    for row in rows:
        row.framework_keys = sorted(keys[row.pk])


def _concern_labels(keys: list[str]) -> list[StrOrPromise]:
    return [Concern(key).label for key in keys if key in Concern.values]


def _list_page(request: HttpRequest, membership, filterset_class, queryset, tab: str, label: str) -> HttpResponse:
    """A filtered, paginated library list; each row knows its frameworks (one query, none per row).

    The rows show every member the same thing, and change only with an audited change: edits of
    the organisation's own rows are recorded, and so is a release of the built-in library, in
    every organisation (governance/library/importer.py). So their HTML is kept under the data
    version, and on a hit neither the rows nor their frameworks are read."""
    org = membership.organisation
    model_name = filterset_class.Meta.model._meta.model_name
    filterset = filterset_class(request.GET, queryset=queryset, org=org)

    def rows_html(rows) -> SafeString:
        _framework_keys(rows)
        return render_to_string(f"governance/library/_{model_name}_rows.html", {"rows": rows, "org": org})

    kept = kept_list(request, org, f"library-{model_name}", filterset, rows_html, filter_label=label)
    context = library_context(
        membership,
        tab,
        filter=filterset,
        filter_html=kept.filter_html,
        page=kept.page,
        rows=kept.has_rows,
        rows_html=kept.rows_html,
        query=kept.query,
        clear_url=request.path,
    )
    return render(request, f"governance/library/{model_name}_list.html", context)


@login_required
def control_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    controls = Control.objects.for_org(membership.organisation).order_by("ref")
    return _list_page(request, membership, ControlFilter, controls, "controls", _("Filter controls"))


@login_required
def control_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, control = get_library_object_for_user(request, org_slug, Control.objects.all(), pk)
    org = membership.organisation
    mappings = list(_mapped_items().filter(controls=control))
    systems = AISystem.objects.for_org(org).filter(retired_at__isnull=True).order_by("name")
    applicability = [(system, control.applicability(system)) for system in systems]
    context = library_context(
        membership,
        "controls",
        control=control,
        rule=describe(control.applies_when),
        concerns=_concern_labels(control.concerns),
        mappings=mappings,
        threats=Threat.objects.for_org(org).filter(controls=control).order_by("ref"),
        applies_to=[(system, match) for system, match in applicability if match.applies],
        not_applicable=[system for system, match in applicability if not match.applies],
        can_edit=can_edit_library_entry(membership, control),
        events=history_for(control) if control.organisation_id else [],
    )
    return render(request, "governance/library/control_detail.html", context)


@login_required
def threat_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    threats = (
        Threat.objects.for_org(membership.organisation)
        .annotate(control_count=Count("controls", filter=Q(controls__retired_at__isnull=True)))
        .order_by("ref")  # an aggregate drops Meta.ordering
    )
    return _list_page(request, membership, ThreatFilter, threats, "threats", _("Filter threats"))


@login_required
def threat_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, threat = get_library_object_for_user(request, org_slug, Threat.objects.all(), pk)
    org = membership.organisation
    context = library_context(
        membership,
        "threats",
        threat=threat,
        concerns=_concern_labels(threat.concerns),
        mappings=list(_mapped_items().filter(threats=threat)),
        controls=Control.objects.for_org(org).filter(threats=threat).order_by("ref"),
        scenarios=Scenario.objects.for_org(org).filter(threats=threat).order_by("ref"),
    )
    return render(request, "governance/library/threat_detail.html", context)


@login_required
def framework_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    active_items = Q(items__retired_at__isnull=True)
    frameworks = (
        Framework.objects.for_org(membership.organisation)
        .annotate(
            item_count=Count("items", filter=active_items, distinct=True),
            covered_count=Count(
                "items",
                filter=active_items
                & Q(items__controls__retired_at__isnull=True)
                # Only controls the organisation can see: built-in ones and its own.
                & (
                    Q(items__controls__organisation__isnull=True)
                    | Q(items__controls__organisation=membership.organisation)
                ),
                distinct=True,
            ),
        )
        .order_by(F("retired_at").asc(nulls_first=True), "name")  # retired ones last, on every database
    )
    context = library_context(membership, "frameworks", frameworks=frameworks)
    return render(request, "governance/library/framework_list.html", context)


@login_required
def crosswalk(request: HttpRequest, org_slug: str) -> HttpResponse:
    """One framework's items, each with the controls that cover it; uncovered items stand out."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    frameworks = list(Framework.objects.for_org(org).order_by(F("retired_at").asc(nulls_first=True), "name"))
    selected = next((fw for fw in frameworks if fw.key == request.GET.get("framework")), None)
    uncovered_only = request.GET.get("uncovered") == "1"
    items, covered, total = [], 0, 0
    through = out_of_scope = not_covered = 0
    if selected is not None:
        covering = Control.objects.for_org(org).active().order_by("ref").only("id", "ref", "title", "domain")
        items = selected.items.order_by("position").prefetch_related(Prefetch("controls", covering, to_attr="covering"))
        # A framework in service shows its current items; a retired one stays readable with all of its own.
        items = list(items.filter(retired_at__isnull=True) if selected.retired_at is None else items)
        status = statuses((item.pk, item.parent_id or "", bool(item.covering), item.out_of_scope) for item in items)
        for item in items:
            item.status = status[item.pk]
        counts = Counter(status.values())
        covered, total = counts[COVERED], len(items)
        through, out_of_scope, not_covered = counts[SUB_ITEMS], counts[OUT_OF_SCOPE], counts[UNCOVERED]
        if uncovered_only:
            items = [item for item in items if item.status == UNCOVERED]
    context = library_context(
        membership,
        "crosswalk",
        frameworks=frameworks,
        selected=selected,
        items=items,
        covered=covered,
        through_sub_items=through,
        out_of_scope=out_of_scope,
        not_covered=not_covered,
        selected_total=total,
        uncovered_only=uncovered_only,
    )
    return render(request, "governance/library/crosswalk.html", context)


@login_required
def triage(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Two plain questions decide whether a risk is security, safety or both, and who owns it."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    form = TriageForm(request.GET if "description" in request.GET else None)
    scenarios = list(Scenario.objects.for_org(org).active().order_by("ref"))
    context = library_context(membership, "triage", form=form, examples=scenarios)
    if form.is_valid():
        verdict = Domain.from_intent(
            hostile_intent=form.cleaned_data["hostile_intent"],
            harm_in_benign_use=form.cleaned_data["harm_in_benign_use"],
        )
        context.update(answered=True, verdict=verdict)
        if verdict is not None:
            context["owners"] = typical_owners(org, verdict)
            context["examples"] = [s for s in scenarios if s.expected_domain == verdict]
    return render(request, "governance/library/triage.html", context)
