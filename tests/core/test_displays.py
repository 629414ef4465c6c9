"""core.displays: get_FOO_display() from a dict kept per field answers as Django's own does."""

from django.apps import apps
from django.db import models
from django.utils import translation

from core.displays import is_djangos_own


def choice_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices is not None:
                yield model, field


def test_every_plain_choice_field_has_the_fast_method():
    fields = list(choice_fields())
    assert len(fields) > 20
    for model, field in fields:
        method = getattr(model, f"get_{field.name}_display")
        assert not is_djangos_own(method, field), f"{model.__name__}.{field.name} kept Django's method"


def test_the_fast_method_answers_as_djangos_for_every_value():
    for model, field in choice_fields():
        instance = model()
        values = [value for value, _ in field.flatchoices] + ["not-a-choice", None]
        for value in values:
            setattr(instance, field.attname, value)
            expected = models.Model._get_FIELD_display(instance, field)
            assert getattr(instance, f"get_{field.name}_display")() == expected, (model, field.name, value)


def test_labels_follow_the_active_language():
    from assessments.models import AssignmentStatus, ControlAssignment

    assignment = ControlAssignment(status=AssignmentStatus.VERIFIED)
    with translation.override("en"):
        assert assignment.get_status_display() == str(AssignmentStatus.VERIFIED.label)
        assert isinstance(assignment.get_status_display(), str)
