"""core.rendering: the helpers that keep queries out of templates and long selects cheap."""

import re

from django import forms

from core.rendering import FastSelect, fetch_choices


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_fast_select_renders_what_djangos_select_renders():
    choices = [("", "Any"), (1, "A & B"), (2, "<script>"), ("Group", [(3, "c"), (4, "d")])]
    for value in (2, None, "3"):
        django_html = forms.Select(choices=choices).render("s", value, {"class": "form-select", "id": "i"})
        fast_html = FastSelect(choices=choices).render("s", value, {"class": "form-select", "id": "i"})
        assert squeeze(fast_html) == squeeze(django_html)


def test_fetch_choices_reads_model_choices_once_in_the_view(db, team, django_assert_num_queries):
    from accounts.models import Team

    class TeamForm(forms.Form):
        team = forms.ModelChoiceField(queryset=Team.objects.all(), widget=FastSelect)

    form = TeamForm()
    with django_assert_num_queries(1):
        fetch_choices(form, None)
    with django_assert_num_queries(0):
        html = str(form["team"])
    assert team.name in html


def test_fetch_choices_reads_rows_for_a_label_field(db, team, django_assert_num_queries):
    from accounts.models import Team

    class TeamForm(forms.Form):
        team = forms.ModelChoiceField(queryset=Team.objects.all(), widget=FastSelect(label_field="name"))

    form = TeamForm(initial={"team": team.pk})
    with django_assert_num_queries(1):
        fetch_choices(form)
    with django_assert_num_queries(0):
        html = str(form["team"])

    class InstanceForm(forms.Form):
        team = forms.ModelChoiceField(queryset=Team.objects.all(), widget=FastSelect)

    instances = InstanceForm(initial={"team": team.pk})
    fetch_choices(instances)
    assert html == str(instances["team"])  # the same options as from instances
    assert f'<option value="{team.pk}" selected>' in html
    posted = TeamForm(data={"team": str(team.pk)})
    fetch_choices(posted)
    assert posted.is_valid() and posted.cleaned_data["team"] == team  # still checked against the queryset


def test_filter_bar_selects_render_as_djangos_select():
    """bootstrap_widget renders plain selects in Python: the same HTML as the widget templates."""
    from core.templatetags.ui import bootstrap_widget

    class Filters(forms.Form):
        status = forms.ChoiceField(choices=[("", "Any"), ("open", "Open & <new>"), ("done", "Done")], required=False)
        kind = forms.ChoiceField(choices=[("a", "A"), ("Group", [("b", "B"), ("c", "C")])])

    for data in ({}, {"status": "open", "kind": "c"}, {"status": "nope"}):
        form = Filters(data=data)
        form.is_valid()
        for name in ("status", "kind"):
            css = "form-select form-select-sm" + (" is-invalid" if form[name].errors else "")
            expected = form[name].as_widget(attrs={"class": css})
            assert squeeze(bootstrap_widget(form[name])) == squeeze(expected)
