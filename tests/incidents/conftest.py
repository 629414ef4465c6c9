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
def other_team_member(make_member, org):
    elsewhere = TeamFactory(organisation=org, name="Elsewhere", discipline=Discipline.OTHER)
    return make_member(Role.MEMBER, "other-team-member", teams=[elsewhere])
