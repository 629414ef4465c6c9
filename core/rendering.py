"""Views fetch, templates render: helpers that run a page's queries in the view.

A template that iterates a lazy queryset, a page of a Paginator or the choices of a model-choice
field runs a query while it renders, where nothing counts or guards it. These helpers evaluate
them in the view instead (tests/test_query_scaling.py fails on any query during rendering).
"""

from __future__ import annotations

import html

from django import forms
from django.db import models
from django.template.loader import render_to_string
from django.utils.choices import normalize_choices
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString


def fetch_choices(*forms_: forms.BaseForm | None) -> None:
    """Read the choices of every model-choice field now (one query each) for the widgets.

    Validation still checks the submitted value against the field's queryset. A `FastSelect`
    with a `label_field` gets (pk, label) rows instead of model instances: a thousand AI systems
    as instances cost ~10 ms of CPU, as rows ~1 ms.
    """
    for form in forms_:
        if form is None:
            continue
        for field in form.fields.values():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            label_field = getattr(field.widget, "label_field", None)
            if label_field:
                empty = [] if field.empty_label is None else [("", field.empty_label)]
                rows = field.queryset.values_list("pk", label_field)  # type: ignore[union-attr]
                field.widget.choices = [*empty, *rows]
            else:
                # The field's own choices would read the rows with QuerySet.iterator(), which on
                # PostgreSQL opens a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE): three
                # round trips and a materialised result for a few dozen rows. One plain query.
                choice = field.iterator(field).choice
                empty = [] if field.empty_label is None else [("", field.empty_label)]
                objects = list(field.queryset) if field.queryset is not None else []
                field.widget.choices = [*empty, *(choice(obj) for obj in objects)]


def fetch_related(instance: models.Model, *fields: str) -> None:
    """Load the rows several foreign keys of `instance` point to, all to one model (the people
    who implemented, verified, co-signed… an assignment), in one query, as select_related would
    have. Joining them instead cost more than it saved: with six joins of the users table on top
    of a page's own, PostgreSQL spent ~15 ms planning a query it ran in 0.1 ms."""
    foreign_keys = [field for name in fields if isinstance(field := instance._meta.get_field(name), models.ForeignKey)]
    assert len(foreign_keys) == len(fields), "fetch_related takes foreign keys"  # nosec B101
    ids = {getattr(instance, field.attname) for field in foreign_keys} - {None}
    related = foreign_keys[0].related_model._default_manager.in_bulk(ids) if ids else {}
    for field in foreign_keys:
        field.set_cached_value(instance, related.get(getattr(instance, field.attname)))


def filter_bar_html(form: forms.BaseForm, *, clear_url: str, label: str) -> SafeString:
    """A list's filter bar (includes/filter_form.html), rendered in the view with its choices
    read first: for a view that keeps it (a thousand AI systems to choose from)."""
    fetch_choices(form)
    return render_to_string("includes/filter_form.html", {"filter_form": form, "clear_url": clear_url, "label": label})


def _attributes(attrs: dict) -> str:
    """Attributes as Django's widget template writes them (django/forms/widgets/attrs.html): in
    their order, True as a bare name, False left out, every name and value escaped."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


class FastSelect(forms.Select):
    """A <select> rendered in Python instead of through one widget template per option.

    Same HTML as Django's Select; for long lists (a filter of 1,000 AI systems took ~90 ms to
    render through the templates) it is many times cheaper. Every value and label is escaped
    with conditional_escape, as format_html would (which costs ~5× more per option).

    `label_field`: for a model-choice field whose label is that model field (its `__str__`),
    `fetch_choices` reads (pk, label) rows instead of instances.
    """

    def __init__(self, attrs=None, choices=(), label_field: str | None = None):
        super().__init__(attrs, choices)
        self.label_field = label_field

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # A list is taken as it is: fetch_choices' (pk, label) rows, or what a form field
        # normalised already. Django's normalize_choices walks every pair again (~3 ms for a
        # thousand AI systems, on every view of a page that filters by system).
        self._choices = value if isinstance(value, list) else normalize_choices(value)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f'<select name="{conditional_escape(name)}"{_attributes(final)}>']
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an optgroup
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts += [self._option(v, sub, chosen) for v, sub in label]
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        # Every part is escaped already (format_html or _option); the tags around them are literal.
        # A widget returns a safe string, as Django's own Select does after its template
        # (tests/core/test_rendering.py checks hostile labels render as Django renders them).
        return SafeString("".join(parts))  # nosec B703

    @staticmethod
    def _option(value, label, chosen) -> str:
        value = "" if value is None else str(value)
        selected = " selected" if value in chosen else ""
        return f'<option value="{_escape(value)}"{selected}>{_escape(label)}</option>'


def quick_html(format_string: str, *args) -> SafeString:
    """format_html() for rows built by the hundred (a draft plan's ~470): each argument escaped as
    format_html escapes it (safe strings as they are), without its lazy-string wrapper, which
    was a third of a plan row's cost. `format_string` is literal HTML with `{}` placeholders."""
    # Every argument is escaped (_escape); the format string is the caller's literal markup.
    return SafeString(format_string.format(*map(_escape, args)))  # nosec B703


def html_join(parts) -> SafeString:
    """Parts of HTML joined into one safe string: safe strings (quick_html's, a template's) as they
    are, anything else escaped. For HTML built in pieces (a record's history)."""
    # Every part is a safe string or is escaped here.
    return SafeString("".join(map(_escape, parts)))  # nosec B703


def _escape(text) -> str:
    """conditional_escape() without its lazy-string wrapper (a third of its cost): safe strings
    as they are, everything else through html.escape, as django.utils.html.escape does."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))
