"""Small presentation helpers for assignments: status pills, due dates, readiness bars, plan rows."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.rendering import quick_html
from core.templatetags.ui import day, domain_badge, reveal_hidden

from ..models import AssignmentStatus

register = template.Library()

STATUS_LABELS = dict(AssignmentStatus.choices)

STATUS_ICONS = {
    "not_started": "circle",
    "in_progress": "arrow-repeat",
    "implemented": "hourglass-split",
    "verified": "patch-check",
    "not_applicable": "slash-circle",
}


@register.simple_tag
def status_pill(assignment):
    """The assignment's status as a pill with icon and text; says what it waits for."""
    # A dict lookup: get_status_display() normalises the field's choices on every call, which
    # showed in the profile of 400-row tables.
    label = STATUS_LABELS.get(assignment.status, assignment.status)
    if assignment.na_pending:
        label = _("Not applicable · awaiting a lead's approval")
    elif assignment.status == "implemented" and assignment.cosigning_team_id:
        signed = sum(1 for signer in (assignment.verified_by_id, assignment.cosigned_by_id) if signer)
        label = _("Implemented · %(n)s of 2 sign-offs") % {"n": signed}
    elif assignment.status == "implemented":
        label = _("Implemented · awaiting verification")
    css = "status-na-pending" if assignment.na_pending else f"status-{assignment.status}"
    return format_html(
        '<span class="badge status-pill {}"><i class="bi bi-{}" aria-hidden="true"></i> {}</span>',
        css,
        STATUS_ICONS.get(assignment.status, "circle"),
        label,
    )


@register.simple_tag
def due(assignment, today=None):
    """The due date; overdue work in red with the number of days."""
    if assignment.due_date is None:
        return format_html('<span class="text-body-secondary">{}</span>', _("no date"))
    days = assignment.days_overdue(today or timezone.localdate())
    when = day(assignment.due_date)  # formatted once per date and language
    if days:
        late = ngettext("overdue by %(n)s day", "overdue by %(n)s days", days) % {"n": days}
        return format_html(
            '<span class="overdue"><i class="bi bi-exclamation-circle" aria-hidden="true"></i> '
            '<span class="text-nowrap">{}</span><br><span class="text-nowrap small">{}</span></span>',
            when,
            late,
        )
    return format_html('<span class="text-nowrap">{}</span>', when)


@register.simple_tag
def readiness_bar(domain_readiness):
    """verified / applicable as a progress bar with the numbers beside it."""
    if domain_readiness.percent is None:
        return format_html('<span class="text-body-secondary">{}</span>', _("no applicable controls"))
    return format_html(
        '<progress class="readiness-bar" max="100" value="{}" aria-label="{}">{}%</progress> '
        '<span class="readiness-figure"><strong>{}%</strong> · {}</span>',
        domain_readiness.percent,
        _("%(domain)s readiness") % {"domain": domain_readiness.domain},
        domain_readiness.percent,
        domain_readiness.percent,
        _("%(v)s of %(a)s verified") % {"v": domain_readiness.verified, "a": domain_readiness.applicable},
    )


@register.simple_tag
def plan_rows(rows, can_confirm: bool):
    """The rows of a draft control plan (up to ~470 at once), built here rather than by the
    template: as template nodes they were two-thirds of the page's time (~55 ms of ~85 ms of CPU
    for 471 rows). Every value is escaped as `{{ }}` would (core.rendering.quick_html); titles
    through `reveal_hidden`, as in the template."""
    chosen_here = _("Chosen here")
    return format_html_join("\n", "{}", ((_plan_row(row, can_confirm, chosen_here),) for row in rows))


def _plan_row(row, can_confirm: bool, chosen_here: str):
    control = row.item.control
    pk = control.pk
    title = quick_html("<strong>{}</strong> {}", control.ref, reveal_hidden(control.title))
    pick: str = ""
    owner_input: str = ""
    if can_confirm:
        pick = quick_html(
            '<td><input class="form-check-input" type="checkbox" name="pick" value="{}" id="pick-{}"></td>', pk, pk
        )
        title = quick_html('<label for="pick-{}">{}</label>', pk, title)
        owner_input = quick_html('<input type="hidden" name="owner_{}" value="{}">', pk, row.owner_value)
    errors = format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in row.errors))
    if row.cosign_name is None:
        cosign = quick_html('<span class="text-body-secondary">{}</span>', "—")
    else:
        cosign_input = (
            quick_html('<input type="hidden" name="cosign_{}" value="{}">', pk, row.cosign_value) if can_confirm else ""
        )
        cosign = quick_html("{}{}", cosign_input, row.cosign_name or "—")
    return quick_html(
        '<tr>{}<td>{}<br><span class="small text-body-secondary">{}</span></td><td>{}</td><td class="small">{}</td>'
        '<td>{}{} <div class="small text-body-secondary">{}</div>{}</td><td>{}</td></tr>',
        pick,
        title,
        row.practice,
        domain_badge(control.domain),
        "; ".join(str(reason) for reason in row.item.reasons),
        owner_input,
        row.owner_name or "—",
        row.item.route.source if row.routed else chosen_here,
        errors,
        cosign,
    )
