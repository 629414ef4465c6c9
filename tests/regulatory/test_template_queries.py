"""The regulatory pages run no query while their templates render (views fetch, templates render)."""

import pytest

from tests.test_permissions import MATRIX, _request, _world_for_module, world  # noqa: F401  (fixtures)
from tests.test_query_scaling import grow, no_queries_in_templates, persona  # noqa: F401  (fixture)

PAGES = [
    "regulatory:soa",
    "regulatory:system_regulatory",
    "regulatory:technical_file",
    "regulatory:technical_file_edit",
    "regulatory:fria_detail",
    "regulatory:fria_create",
]


@pytest.mark.parametrize("name", PAGES)
def test_regulatory_pages_run_no_query_while_rendering(client, world, no_queries_in_templates, name):  # noqa: F811
    row = MATRIX[name]
    client.force_login(world["users"][persona(row)])
    grow(world, times=1)
    response = _request(client, name, row, world)
    assert response.status_code in row.ok
