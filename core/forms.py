"""Form building blocks every app shares: the version field, the crispy helper, the retire form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_hidden import HiddenCharacterCheckMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def form_helper(*layout: Any, form_tag: bool = False) -> FormHelper:
    """A crispy helper for forms the template wraps in its own `<form>` (buttons and CSRF there)."""
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.disable_csrf = not form_tag  # the page's own <form> carries the token
    if layout:
        helper.layout = Layout(*layout)
    return helper


class VersionedFormMixin(forms.Form):
    """A hidden `version`, so a save from a stale page is detected instead of overwriting.

    A model form editing a row starts from the row's version; a model form creating one needs none.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None:
            if instance.pk:
                self.fields["version"].initial = instance.version
            else:
                self.fields["version"].required = False


class UniqueNameInOrgMixin:
    """`name` is unique in the organisation, ignoring case (the database enforces it too)."""

    unique_name_message = _("This name is taken in your organisation.")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        model = self._meta.model
        clash = model.objects.filter(organisation=self.org, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(self.unique_name_message)
        return name


class RetireForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    """Why a record is retired (kept in the audit trail), from the version the user saw."""

    reason = forms.CharField(label=_("Why is it retired?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    help: StrOrPromise = ""

    def __init__(self, *args: Any, instance: Any, **kwargs: Any):
        kwargs.setdefault("initial", {})["version"] = instance.version
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = self.help
        self.helper = form_helper()
