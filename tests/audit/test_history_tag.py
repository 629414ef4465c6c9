"""`{% history events %}` (audit/templatetags/audit_history.py): a record's History list built in
Python. Every value is escaped, hidden characters are shown, values read as people read them,
and times are in the reader's zone."""

import datetime as dt

from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.templatetags.audit_history import history


def event(changes, **fields) -> AuditEvent:
    values = {
        "actor_label": "ana",
        "action": "risks.risk.updated",
        "created_at": dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC),
    }
    e = AuditEvent(**(values | fields))
    e.display_changes = changes
    return e


def test_values_are_escaped_and_hidden_characters_shown():
    html = history([event([("Title", "<b>old</b>", "new\u200btitle")], actor_label="<script>x</script>")])
    assert "&lt;b&gt;old&lt;/b&gt;" in html and "<b>old</b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert '<span class="hidden-char"' in html  # the zero-width space, made visible


def test_values_read_as_people_read_them():
    html = history([event([("Accepted", False, True), ("Owner", None, ["Red team", "Safety"]), ("Score", 2, 1.5)])])
    assert "<td>no</td><td>yes</td>" in html
    assert "<td>—</td><td>Red team, Safety</td>" in html
    with translation.override("de"):
        assert "<td>1,5</td>" in history([event([("Score", 2, 1.5)])])


def test_times_are_in_the_readers_zone_and_an_event_without_changes_has_no_table():
    with timezone.override("Asia/Tokyo"):
        html = history([event([])])
    assert 'datetime="2026-03-01T21:30:00+09:00">1 Mar 2026 21:30</time>' in html
    assert "<table" not in html


def test_no_events():
    assert "No recorded changes yet." in history([])
