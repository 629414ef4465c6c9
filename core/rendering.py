"""Views fetch, templates render: helpers that run a page's queries in the view.

A template that iterates a lazy queryset, a page of a Paginator or the choices of a model-choice
field runs a query while it renders, where nothing counts or guards it. These helpers evaluate
them in the view instead (tests/test_query_scaling.py fails on any query during rendering).
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def fetch_choices(*forms_: forms.BaseForm | None) -> None:
    """Read the choices of every model-choice field now (one query each) for the widgets.

    Validation still checks the submitted value against the field's queryset.
    """
    for form in forms_:
        if form is None:
            continue
        for field in form.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                # iter(): list() of the iterator itself would first ask its len(), a COUNT query.
                field.widget.choices = list(iter(field.choices))  # type: ignore[arg-type]  # a ModelChoiceIterator


class FastSelect(forms.Select):
    """A <select> rendered in Python instead of through one widget template per option.

    Same HTML as Django's Select; for long lists (a filter of 1,000 AI systems took ~90 ms to
    render through the templates) it is many times cheaper.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        parts = [format_html('<select name="{}"{}>', name, flatatt(final))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an optgroup
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts += [self._option(v, sub, chosen) for v, sub in label]
                parts.append(SafeString("</optgroup>"))
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append(SafeString("</select>"))
        # Every part is escaped by format_html already; joining them escapes nothing twice.
        return format_html_join("", "{}", ((part,) for part in parts))

    @staticmethod
    def _option(value, label, chosen) -> str:
        value = "" if value is None else str(value)
        if value in chosen:
            return format_html('<option value="{}" selected>{}</option>', value, label)
        return format_html('<option value="{}">{}</option>', value, label)
