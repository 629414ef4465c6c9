"""`{% history events %}`: a record's History list, built in Python.

Eight detail pages end with their record's last 30–50 events, each with a table of changed
fields; through the template (includes/history.html, as it was) that was about a third of an
assessment's or an assignment's page (two date formats, four translations and a nested loop per
event). The HTML is the same; every value is escaped as the template escaped it.
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.rendering import html_join, quick_html
from core.templatetags.ui import display_value

register = template.Library()


def _shown(value) -> object:
    """`{{ value|display_value }}` as the template showed it: localised, then escaped by quick_html."""
    shown = display_value(value)
    return shown if hasattr(shown, "__html__") else localize(shown)


@register.simple_tag
def history(events) -> SafeString:
    if not events:
        return quick_html('<p class="text-body-secondary">{}</p>', _("No recorded changes yet."))
    head = quick_html(
        '<table class="table table-sm w-auto mb-0 mt-1"><caption class="visually-hidden">{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>',
        _("Changed fields"),
        _("Field"),
        _("Before"),
        _("After"),
    )
    parts = [quick_html('<ol class="list-unstyled history">')]
    for event in events:
        when = timezone.localtime(event.created_at)
        parts.append(
            quick_html(
                '<li class="history-event border-start ps-3 pb-3"><div><strong>{}</strong> · <code>{}</code> '
                '<time class="text-body-secondary" datetime="{}">{}</time></div>',
                event.actor_label,
                event.action,
                date_format(when, "c"),
                date_format(when, "j M Y H:i"),
            )
        )
        changes = event.display_changes
        if changes:
            parts.append(head)
            parts += [
                quick_html("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", field, _shown(old), _shown(new))
                for field, old, new in changes
            ]
            parts.append(quick_html("</tbody></table>"))
        parts.append(quick_html("</li>"))
    parts.append(quick_html("</ol>"))
    return html_join(parts)
