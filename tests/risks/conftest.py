import pytest

from accounts.models import Discipline, Role
from tests.factories import AISystemFactory, TeamFactory


@pytest.fixture
def safety_team(org):
    return TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Support Chatbot")


@pytest.fixture
def security_lead(make_member, team):
    return make_member(Role.LEAD, "security-lead", teams=[team])


@pytest.fixture
def safety_lead(make_member, safety_team):
    return make_member(Role.LEAD, "safety-lead", teams=[safety_team])
