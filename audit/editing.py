"""Saving a form through a service: the one way views turn a service's refusal into a page.

A view validates its form and calls `run_service(form, lambda: service(...))`. What can go wrong
comes back ready to show: an edit conflict as `outcome.conflict` (who changed what since the
page was loaded, read from the audit trail; the form keeps the user's input but moves to the
current version, so saving again is a deliberate overwrite), and a service's ValidationError as
errors on the form. PermissionDenied (a rule checked on the locked row) propagates: a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.concurrency import EditConflict

from .hidden_text import save_with_choices
from .services import conflict_context

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    saved: bool = False
    result: T | None = None
    conflict: dict[str, Any] | None = None


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when the form has them all,
    otherwise above the form (a service may name a field this user's form does not show)."""
    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
        form.add_error(None, exc)
    else:
        form.add_error(None, " ".join(exc.messages))


def run_service(
    form: forms.BaseForm, call: Callable[[], T], *, actor: Any = None, about: models.Model | None = None
) -> Outcome[T]:
    """Validate a bound form and call the service; an unbound or invalid form saves nothing.

    With `actor`, what the user chose about hidden characters in the form (strip or keep) is
    audited in the same transaction, about `about` or the saved record.
    """
    if not form.is_bound or not form.is_valid():
        return Outcome()
    try:
        result = call() if actor is None else save_with_choices(form, call, actor=actor, obj=about)
    except EditConflict as exc:
        return Outcome(conflict=conflict_context(exc, form))
    except ValidationError as exc:
        add_service_error(form, exc)
        return Outcome()
    return Outcome(saved=True, result=result)
