"""The assessments cast, on top of tests/conftest.py: a security, a safety and a platform team
with a member each, two leads, and a system the security team owns."""

import pytest
from django.urls import reverse

from accounts.models import Discipline, Role
from assessments import questionnaire as q
from tests.factories import AISystemFactory, TeamFactory


@pytest.fixture
def safety_team(org):
    return TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)


@pytest.fixture
def platform_team(org):
    return TeamFactory(organisation=org, name="ML Platform", discipline=Discipline.BOTH)


@pytest.fixture
def safety_member(make_member, safety_team):
    return make_member(Role.MEMBER, "the-safety-member", teams=[safety_team])


@pytest.fixture
def platform_member(make_member, platform_team):
    return make_member(Role.MEMBER, "the-platform-member", teams=[platform_team])


@pytest.fixture
def lead2(make_member):
    return make_member(Role.LEAD, "the-second-lead")


@pytest.fixture
def system(org, team):
    """A public chat assistant owned by the security team (`team`)."""
    return AISystemFactory(
        organisation=org,
        owner_team=team,
        name="Help Bot",
        generates_text=True,
        reads_untrusted_content=True,
        vulnerable_users=True,
    )


# Answers for the context questions (the profile questions take the system's own values).
CONTEXT_ANSWERS = {
    "intended_use": "Answers customers' questions about their orders.",
    "audiences": ["consumers"],
    "human_oversight": "Support staff read a daily sample of conversations.",
    "tool_actions": ["none"],
    "data_sources": ["internal_documents"],
    "harm_types": ["reputational"],
    "worst_case": "It gives a customer wrong refund information.",
    "people_affected": "thousands",
}


def full_answers(system, **overrides) -> dict:
    """Every answer a complete questionnaire needs: the system's profile plus the context answers."""
    values = {key: system.profile()[key] for key in q.PROFILE_QUESTIONS}
    return {**values, **CONTEXT_ANSWERS, **overrides}


def section_post(section_key: str, values: dict, versions: dict | None = None) -> dict:
    """The POST data of one questionnaire section, as the browser sends it."""
    versions = versions or {}
    data = {}
    for question in q.section(section_key).questions:
        data[f"v__{question.key}"] = versions.get(question.key, 0)
        value = values.get(question.key)
        if value is None:
            continue
        if question.kind == "yesno":
            data[question.key] = "yes" if value else "no"
        else:
            data[question.key] = value
    return data


def section_url(assessment, section_key: str) -> str:
    return reverse("assessments:assessment_section", args=[assessment.organisation.slug, assessment.pk, section_key])


def answer_everything(assessment, actor, **overrides):
    """Answer the whole questionnaire through the service, as a lead clicking through would."""
    from assessments.services.assessments import answers_save

    return answers_save(
        actor=actor, assessment=assessment, values=full_answers(assessment.ai_system, **overrides), versions={}
    )


def plan_post(form, **overrides) -> dict:
    """The POST data of the plan page as it was rendered (the routed owners pre-selected)."""
    data = {}
    for name, field in form.fields.items():
        initial = form.initial.get(name, field.initial)
        data[name] = "" if initial is None else getattr(initial, "pk", initial)
    data.update(overrides)
    return data
