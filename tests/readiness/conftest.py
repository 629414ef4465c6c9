"""The readiness cast, on top of tests/conftest.py: a safety team and a system the security team
(`team`) owns."""

import pytest

from accounts.models import Discipline
from tests.factories import AISystemFactory, TeamFactory


@pytest.fixture
def safety_team(org):
    return TeamFactory(organisation=org, name="Responsible AI", discipline=Discipline.SAFETY)


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Support Chatbot")
