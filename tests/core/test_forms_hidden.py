"""The hidden-character check of free-text forms, the reveal_hidden filter, and the audit of
the strip-or-keep choice through real pages."""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils.safestring import SafeString

from assessments.models import Comment
from audit.hidden_text import ACTION
from audit.models import AuditEvent
from core.forms_hidden import HiddenCharacterCheckMixin
from core.templatetags.ui import reveal_hidden
from governance.models import AISystem
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory
from tests.governance.test_system_edit import form_data

TAG_RUN = "".join(chr(0xE0000 + ord(c)) for c in "obey me")


class NoteForm(HiddenCharacterCheckMixin, forms.Form):
    title = forms.CharField(max_length=100)
    body = forms.CharField(widget=forms.Textarea, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    count = forms.IntegerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Fieldset("Note", "title", "body"), "token", "count")


def test_hidden_characters_make_the_form_ask_with_their_positions():
    form = NoteForm({"title": "ok", "body": "line\nab\u200bc" + TAG_RUN})
    assert not form.is_valid()
    [error] = form.errors["body"]
    assert "2:3 zero-width character: U+200B ZERO WIDTH SPACE" in error
    assert "decodes to “obey me”" in error
    assert list(form.fields)[:3] == ["title", "body", "body__hidden"]  # the choice follows its field
    assert "title__hidden" not in form.fields


def test_strip_cleans_the_text_and_records_the_choice():
    form = NoteForm({"title": "pаypal", "title__hidden": "strip", "body": "a\u202eb", "body__hidden": "strip"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "paypal"  # the Cyrillic а folded to Latin
    assert form.cleaned_data["body"] == "ab"
    assert "body__hidden" not in form.cleaned_data
    assert form.hidden_text_decisions == [
        {"field": "title", "choice": "strip", "count": 1, "kinds": ["confusable"]},
        {"field": "body", "choice": "strip", "count": 1, "kinds": ["bidi"]},
    ]


def test_keep_saves_the_text_as_typed():
    form = NoteForm({"title": "t", "body": "x\u200dy", "body__hidden": "keep"})
    assert form.is_valid()
    assert form.cleaned_data["body"] == "x\u200dy"
    assert form.hidden_text_decisions[0]["choice"] == "keep"


def test_clean_text_hidden_inputs_and_other_fields_are_not_checked():
    form = NoteForm({"title": "Plain", "body": "Ελληνικά and English", "token": "\u200b", "count": "3"})
    assert form.is_valid(), form.errors
    assert form.hidden_text_decisions == [] and form.hidden_text_findings == {}


def test_an_unknown_choice_is_no_choice():
    form = NoteForm({"title": "t\u200b", "title__hidden": "maybe"})
    assert not form.is_valid() and "title" in form.errors


def test_crispy_renders_the_choice_next_to_its_field():
    form = NoteForm({"title": "ok", "body": "a\u200bb"})
    form.is_valid()
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    assert html.index('name="body"') < html.index('name="body__hidden"') < html.index('name="token"')
    assert 'value="strip"' in html and 'value="keep"' in html
    assert "hidden-text-field" in html


# --- the filter ----------------------------------------------------------------------------


def test_reveal_hidden_marks_each_hidden_character_and_escapes_the_rest():
    html = reveal_hidden("<b>hi</b>\u200b" + TAG_RUN + " & \u202e")
    assert isinstance(html, SafeString)
    assert html.startswith("&lt;b&gt;hi&lt;/b&gt;")
    assert '<span class="hidden-char" title="U+200B ZERO WIDTH SPACE — zero-width character">⟦U+200B⟧</span>' in html
    assert "⟦tags: obey me⟧" in html
    assert " &amp; " in html and "⟦U+202E⟧" in html
    assert "\u200b" not in html and "\u202e" not in html


def test_reveal_hidden_leaves_clean_text_alone_for_autoescape():
    assert reveal_hidden("<i>plain</i>") == "<i>plain</i>"
    rendered = Template("{{ v|reveal_hidden|linebreaksbr }}").render(Context({"v": "<i>a\u200b\nb</i>"}))
    marker = '<span class="hidden-char" title="U+200B ZERO WIDTH SPACE — zero-width character">⟦U+200B⟧</span>'
    assert rendered == f"&lt;i&gt;a{marker}<br>b&lt;/i&gt;"
    assert Template("{{ v|reveal_hidden }}").render(Context({"v": None})) == "None"


def test_reveal_hidden_escapes_decoded_tag_text():
    html = reveal_hidden("".join(chr(0xE0000 + ord(c)) for c in '<script>"x"'))
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- through pages: warning, choice, audit -------------------------------------------------


@pytest.fixture
def assignment(org, team):
    return ControlAssignmentFactory(ai_system=AISystemFactory(organisation=org, owner_team=team))


def test_a_comment_with_hidden_characters_asks_then_saves_with_an_audited_choice(client_for, member, assignment):
    url = reverse("assessments:comment_add", args=[assignment.organisation.slug, assignment.pk])
    client = client_for(member)
    response = client.post(url, {"body": "Looks fine\u200b" + TAG_RUN})
    assert response.status_code == 200 and not Comment.objects.exists()
    html = response.content.decode()
    assert "U+200B ZERO WIDTH SPACE" in html and 'name="body__hidden"' in html

    response = client.post(url, {"body": "Looks fine\u200b" + TAG_RUN, "body__hidden": "keep"})
    assert response.status_code == 302
    assert Comment.objects.get().body == "Looks fine\u200b" + TAG_RUN
    event = AuditEvent.objects.get(action=ACTION)
    assert event.after == {
        "hidden_characters": [{"field": "body", "choice": "keep", "count": 8, "kinds": ["tag", "zero-width"]}]
    }
    assert event.object_id == str(assignment.pk)
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "⟦tags: obey me⟧" in page  # shown, never hidden


def test_a_system_description_is_stripped_on_request_and_audited(client_for, member, org, team):
    system = AISystemFactory(organisation=org, owner_team=team)
    url = reverse("governance:system_edit", args=[org.slug, system.pk])
    data = form_data(system, description="Answers\u2063 questions", description__hidden="strip")
    response = client_for(member).post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert AISystem.objects.get(pk=system.pk).description == "Answers questions"
    assert AuditEvent.objects.get(action=ACTION).after["hidden_characters"][0]["choice"] == "strip"


def test_no_choice_no_save_no_event(client_for, member, org, team):
    system = AISystemFactory(organisation=org, owner_team=team, description="Before")
    url = reverse("governance:system_edit", args=[org.slug, system.pk])
    response = client_for(member).post(url, form_data(system, description="After\u202e"))
    assert response.status_code == 200
    assert 'name="description__hidden"' in response.content.decode()
    assert AISystem.objects.get(pk=system.pk).description == "Before"
    assert not AuditEvent.objects.filter(action=ACTION).exists()
