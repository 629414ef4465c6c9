"""core.rendering: the helpers that keep queries out of templates and long selects cheap."""

import re

import pytest
from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from core.rendering import FastSelect, fetch_choices, fetch_related, quick_html


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


def test_id_url_is_what_url_reverses():
    from django.template import Context, Template
    from django.urls import reverse

    template = Template(
        "{% for pk in ids %}{% id_url 'governance:system_detail' slug pk %} "
        "{% id_url 'audit:event_detail' slug pk as u %}{{ u }};{% endfor %}"
    )
    ids = [1, 42, 918_273, 10**17]
    html = template.render(Context({"ids": ids, "slug": "acme-2"}))
    expected = "".join(
        f"{reverse('governance:system_detail', args=['acme-2', pk])} "
        f"{reverse('audit:event_detail', args=['acme-2', pk])};"
        for pk in ids
    )
    assert html == expected
    other = Template("{% id_url 'governance:system_detail' slug pk %}").render(Context({"slug": "b", "pk": "7"}))
    assert other == reverse("governance:system_detail", args=["b", 7])  # not an int: reversed as given


def test_domain_badges_follow_the_language():
    from django.utils import translation

    from core.templatetags.ui import _domain_badge, domain_badge

    for domain in ("security", "safety", "both", "other"):
        with translation.override("en"):
            assert domain_badge(domain) == _domain_badge(domain)
            assert domain_badge(domain) == _domain_badge(domain)  # the kept one


def test_day_is_the_date_filter_in_the_current_time_zone():
    import datetime as dt
    import zoneinfo

    from django.template import Context, Template
    from django.utils import timezone

    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    template = Template('{{ v|day }}|{{ v|date:"j M Y" }}|{{ d|day }}|{{ d|date:"j M Y" }}|{{ n|day|default:"—" }}')
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            ours, django_s, day_d, django_d, none = template.render(
                Context({"v": moment, "d": dt.date(2026, 12, 5), "n": None})
            ).split("|")
        assert ours == django_s and day_d == django_d and none == "—"


@pytest.mark.parametrize(
    "value",
    ["<script>alert(1)</script>", "a & b \" ' >", 42, None, format_html("<i>{}</i>", "<b>"), gettext_lazy("Any")],
)
def test_quick_html_escapes_as_format_html_does(value):
    template = '<td title="{}">{}</td>'
    assert quick_html(template, value, value) == format_html(template, value, value)
    assert isinstance(quick_html(template, value, value), SafeString)


@pytest.mark.django_db
def test_fetch_related_reads_the_people_of_an_assignment_in_one_query(django_assert_num_queries):
    from assessments.models import ControlAssignment
    from tests.assessments.factories import ControlAssignmentFactory
    from tests.factories import UserFactory

    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    pk = ControlAssignmentFactory(implemented_by=ana, verified_by=ben, cosigned_by=ana).pk
    assignment = ControlAssignment.objects.get(pk=pk)
    with django_assert_num_queries(1):
        fetch_related(assignment, "implemented_by", "verified_by", "cosigned_by", "na_approved_by")
        people = (assignment.implemented_by, assignment.verified_by, assignment.cosigned_by, assignment.na_approved_by)
    assert [p and p.username for p in people] == ["ana", "ben", "ana", None]
    nobody = ControlAssignment.objects.get(pk=ControlAssignmentFactory().pk)
    with django_assert_num_queries(0):
        fetch_related(nobody, "implemented_by", "verified_by")
        assert nobody.implemented_by is None and nobody.verified_by is None
