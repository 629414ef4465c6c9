from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from accounts import errors, invitation_views, profile_views
from accounts import views as account_views
from api import account_views as api_account_views
from core.views import healthz
from notifications import views as notification_views

org_patterns: list[URLPattern | URLResolver] = [
    path("", account_views.org_home, name="org_home"),
    path("", include("accounts.urls")),
    path("", include("governance.urls")),
    path("", include("assessments.urls")),
    path("", include("records.urls")),
    path("", include("risks.urls")),
    path("", include("threats.urls")),
    path("", include("alignment.urls")),
    path("", include("response.urls")),
    path("", include("incidents.urls")),
    path("", include("components.urls")),
    path("", include("readiness.urls")),
    path("", include("reports.urls")),
    path("", include("regulatory.urls")),
    path("", include("notifications.urls")),
    path("audit/", include("audit.urls")),
    path("hygiene/", include("hygiene.urls")),
    path("", include("authn.org_urls")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("settings/api-tokens/", include("api.org_urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/profile/", profile_views.profile, name="profile"),
    path("accounts/password/change/", profile_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", include("authn.urls")),
    path("account/digest/", notification_views.digest_preference, name="digest_preference"),
    path("account/api-tokens/", api_account_views.token_list, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", api_account_views.token_revoke_view, name="api_token_revoke"),
    path("accounts/organisations/", account_views.organisation_list, name="organisation_list"),
    path("accounts/organisations/new/", account_views.organisation_create, name="organisation_create"),
    path("invitations/<int:pk>/<slug:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
