from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import RetireForm, VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from . import events
from .models import Endpoint


class EndpointForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address on the public internet. Internal addresses are refused."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The endpoint hears only the events ticked here."),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "event_types", "is_active"]
        help_texts = {
            "is_active": _("Switched off, nothing is sent; events wait and go out when it is switched on again."),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(k, f"{k}: {v}") for k, v in events.EVENT_TYPES.items()]
        self.fields["event_types"].choices = choices  # type: ignore[attr-defined]
        if not self.instance.pk:
            del self.fields["is_active"]
        self.helper = form_helper()


class EndpointRetireForm(RetireForm):
    help = _("Nothing more is sent to it. Its delivery log stays readable.")


class VersionForm(VersionedFormMixin, forms.Form):
    """Only the version the user saw: for buttons that change the endpoint (rotate the secret)."""
