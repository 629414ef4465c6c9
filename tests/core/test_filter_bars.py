"""Every filter bar offers a word for "no filter", never django-filter's "---------"."""

import pytest
from django.urls import reverse

from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory


@pytest.mark.parametrize(
    "name",
    [
        "governance:system_list",
        "governance:control_list",
        "governance:threat_list",
        "assessments:work_list",
        "assessments:system_controls",
    ],
)
def test_empty_choices_read_any(client_for, member, org, team, name):
    system = AISystemFactory(organisation=org, owner_team=team)
    ControlAssignmentFactory(ai_system=system)  # lists with rows show their filter bar
    args = [org.slug, system.pk] if name.endswith("system_controls") else [org.slug]
    response = client_for(member).get(reverse(name, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert "---------" not in html
    assert ">Any</option>" in html
