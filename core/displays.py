"""`get_FOO_display()` from a dict built once per field, instead of once per call.

Django's generated `get_FOO_display()` builds a dict of the field's choices on every call, hashing
each lazily translated label on the way (one translation lookup per choice): in a 50-row list
with four such columns that was ~200 dicts and ~1,000 lookups, about a third of the inventory
page's CPU. `install()` (from CoreConfig.ready) gives every model field that still has Django's
own method one that looks the value up in a dict kept for the field. The labels stay lazy and are
translated when returned, as before, so the answer is the same in every language. Fields whose
choices are a callable (computed on every read) and methods a model defines itself are left alone.
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _display(field: models.Field):
    labels = dict(make_hashable(field.flatchoices))

    def get_display(self):
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value (a list or dict): as Django compares it
            label = labels.get(make_hashable(value), value)
        # force_str() to coerce lazy strings, as Django's does.
        return force_str(label, strings_only=True)

    get_display.__name__ = f"get_{field.name}_display"
    return get_display


def is_djangos_own(method, field: models.Field) -> bool:
    return (
        isinstance(method, partialmethod)
        and method.func is models.Model._get_FIELD_display  # type: ignore[attr-defined]
        and method.keywords.get("field") is field
    )


def install() -> int:
    """Replace Django's `get_FOO_display` of every installed model's choice fields; returns how many."""
    replaced = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field) or field.choices is None:
                continue
            if isinstance(field.choices, CallableChoiceIterator):
                continue
            name = f"get_{field.name}_display"
            if is_djangos_own(model.__dict__.get(name), field):
                setattr(model, name, _display(field))
                replaced += 1
    return replaced
