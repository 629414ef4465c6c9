"""The Django admin is for staff only (every model's pages are opened on the demo in test_seed_demo)."""

from django.urls import reverse

from tests.factories import UserFactory


def test_a_user_without_staff_rights_is_sent_to_the_admin_login(client, db):
    client.force_login(UserFactory(username="plain"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
