import pytest

from accounts.models import Discipline, Role
from tests.factories import AISystemFactory, TeamFactory


@pytest.fixture
def safety_team(org):
    return TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)


@pytest.fixture
def system(org, safety_team):
    """A hiring screener: it decides about people, so bias and fairness is required."""
    return AISystemFactory(
        organisation=org,
        owner_team=safety_team,
        name="Hiring Screener",
        decides_about_people=True,
        generates_text=False,
    )


@pytest.fixture
def author(make_member, safety_team):
    return make_member(Role.MEMBER, "reviewer", teams=[safety_team])


@pytest.fixture
def safety_lead(make_member, safety_team):
    return make_member(Role.LEAD, "safety-lead", teams=[safety_team])


@pytest.fixture
def security_lead(make_member, team):
    return make_member(Role.LEAD, "security-lead", teams=[team])
