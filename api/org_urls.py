"""`/o/<org_slug>/settings/api-tokens/`: the organisation's service tokens (admins)."""

from django.urls import path

from . import account_views

app_name = "api_settings"
urlpatterns = [
    path("", account_views.service_token_list, name="service_tokens"),
    path("<int:pk>/revoke/", account_views.service_token_revoke, name="service_token_revoke"),
]
