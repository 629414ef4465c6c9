"""Recording what a user chose about hidden characters in a form (core.forms_hidden).

Views call `record_hidden_text_choices(form, actor=…, obj=…)` inside the same
`transaction.atomic()` as the service call that saves the form, so the choice and the change
commit together. Nothing is written when the form held no hidden characters.
"""

from __future__ import annotations

from django.db import models, transaction

from accounts.models import Organisation

from .models import AuditEvent
from .services import record

ACTION = "core.hidden_text.decided"


def record_hidden_text_choices(
    form, *, actor, obj: models.Model | None = None, organisation: Organisation | None = None
) -> AuditEvent | None:
    """One audit event listing, per field, whether hidden characters were stripped or kept."""
    decisions = getattr(form, "hidden_text_decisions", None)
    if not decisions:
        return None
    if organisation is None:
        # Callers pass an organisation, or a record that belongs to one (`Model` does not say so).
        organisation = obj if isinstance(obj, Organisation) else obj.organisation  # type: ignore[union-attr]
    return record(
        organisation=organisation,
        actor=actor,
        action=ACTION,
        obj=obj,
        after={"hidden_characters": decisions},
    )


def save_with_choices(form, save, *, actor, obj: models.Model | None = None, organisation=None):
    """`save()` and the form's hidden-text choices in one transaction; returns what `save()` returns.

    The event is about `obj`, or about the saved object when `save()` returns a model.
    """
    with transaction.atomic():
        result = save()
        target = obj if obj is not None else result if isinstance(result, models.Model) else None
        record_hidden_text_choices(form, actor=actor, obj=target, organisation=organisation)
    return result
