"""Audit events for people: field labels instead of field names, names instead of ids.

Events store raw values (ids, choice codes) because those are stable and hashable; pages show
"Owner team: ML Platform → Security Engineering" instead of "owner_team: 3 → 1". Related names
are looked up in one query per related model, whatever the number of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from .models import AuditEvent


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Reverse relations (an assignment's evidence, say) are not fields of the record itself.
    return field if isinstance(field, models.Field) else None


def _ids(value) -> list[int]:
    """The ids in a stored relation value; some snapshots store readable keys instead (kept as is)."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int)]


def label_changes(events: Iterable[AuditEvent]) -> None:
    """Give each event `display_changes`: (label, before, after) ready to show."""
    events = list(events)
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for event in events:
        model = _model(event.object_type)
        for name, old, new in event.changes():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted[field.related_model].update(_ids(old) + _ids(new))
    names = {
        related: {pk: str(obj) for pk, obj in related._default_manager.in_bulk(ids).items()}
        for related, ids in wanted.items()
    }
    for event in events:
        model = _model(event.object_type)
        event.display_changes = [
            _present(_field(model, name), name, old, new, names) for name, old, new in event.changes()
        ]


def _present(field, name, old, new, names):
    if field is None:
        return name.replace("_", " "), old, new
    label = capfirst(str(field.verbose_name))
    if field.is_relation and field.related_model is not None:
        lookup = names.get(field.related_model, {})

        def name_of(value):
            return lookup.get(value, f"#{value}") if isinstance(value, int) else value

        def show(value):
            return [name_of(v) for v in value] if isinstance(value, list) else name_of(value)

        return label, show(old), show(new)
    if field.choices:
        choices = dict(field.flatchoices)
        return label, choices.get(old, old), choices.get(new, new)
    return label, old, new
