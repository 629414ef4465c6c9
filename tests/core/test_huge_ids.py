"""An id too large for the database column is answered like any unknown id: 404, never a 500."""

from django.urls import reverse

HUGE = 10**20


def test_a_huge_id_in_a_page_url_is_not_found(client_for, viewer, org):
    for name in ("governance:system_detail", "governance:control_detail", "assessments:assignment_detail"):
        response = client_for(viewer).get(reverse(name, args=[org.slug, HUGE]))
        assert response.status_code == 404, name
