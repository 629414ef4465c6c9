"""Views fetch, templates render: helpers that run a page's queries in the view.

A template that iterates a lazy queryset, a page of a Paginator or the choices of a model-choice
field runs a query while it renders, where nothing counts or guards it. These helpers evaluate
them in the view instead (tests/test_query_scaling.py fails on any query during rendering).
"""

from __future__ import annotations

from django import forms


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
                field.widget.choices = list(iter(field.choices))


def fetch_page(page):
    """Evaluate a Paginator page's rows now; returns the page."""
    page.object_list = list(page.object_list)
    return page
