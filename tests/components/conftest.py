import pytest

from accounts.models import Discipline, Role
from tests.factories import AISystemFactory, TeamFactory


@pytest.fixture
def platform_team(org):
    return TeamFactory(organisation=org, name="ML Platform", discipline=Discipline.OTHER)


@pytest.fixture
def safety_team(org):
    return TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)


@pytest.fixture
def system(org, platform_team):
    """An agent owned by a team with no security discipline."""
    return AISystemFactory(
        organisation=org, owner_team=platform_team, name="Code Agent", system_type="agent", uses_tools=True
    )


@pytest.fixture
def builder(make_member, platform_team):
    """A member of the system's owner team: adds components, never approves them."""
    return make_member(Role.MEMBER, "builder", teams=[platform_team])


@pytest.fixture
def security_lead(make_member, team):
    return make_member(Role.LEAD, "security-lead", teams=[team])


@pytest.fixture
def other_security_lead(make_member, team):
    return make_member(Role.LEAD, "security-lead-2", teams=[team])


@pytest.fixture
def safety_lead(make_member, safety_team):
    return make_member(Role.LEAD, "safety-lead", teams=[safety_team])
