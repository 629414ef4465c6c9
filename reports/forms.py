from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.forms import form_helper
from core.rendering import FastSelect
from governance.models import AISystem


class PackRequestForm(forms.Form):
    """What an audit pack covers: the whole organisation or one of its AI systems."""

    ai_system = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=AISystem.objects.none(),
        required=False,
        empty_label=_("Whole organisation (every AI system in service)"),
        widget=FastSelect(label_field="name"),
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["ai_system"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AISystem.objects.for_org(org).active().order_by("name")
        self.helper = form_helper()
