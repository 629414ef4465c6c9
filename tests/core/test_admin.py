"""The Django admin works for superusers: every registered model's list and one object's page."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_every_registered_model_lists_and_shows_an_object(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_a_user_without_staff_rights_is_sent_to_the_admin_login(client, db):
    client.force_login(UserFactory(username="plain"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
