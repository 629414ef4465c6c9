import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, help_text=_("e.g. governance.aisystem"))
    actor = forms.CharField(label=_("Who"), required=False)
    object = forms.CharField(label=_("Record"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, events):
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["actor"]:
            events = events.filter(actor_label__iexact=data["actor"])
        if data["object"]:
            events = events.filter(object_repr__icontains=data["object"])
        # Day bounds as a range on created_at (indexed), not created_at__date, which no index serves.
        if data["since"]:
            events = events.filter(created_at__gte=start_of_day(data["since"]))
        if data["until"]:
            events = events.filter(created_at__lt=start_of_day(data["until"] + dt.timedelta(days=1)))
        return events


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
