"""The user's own sign-in pages: two-factor under /account/two-factor/, sessions at /account/sessions/."""

from django.urls import path

from . import views

app_name = "authn"
urlpatterns = [
    path("two-factor/", views.overview, name="overview"),
    path("two-factor/enrol/", views.enrol, name="enrol"),
    path("two-factor/verify/", views.verify, name="verify"),
    path("two-factor/recovery/", views.recovery, name="recovery"),
    path("two-factor/codes/", views.regenerate_codes, name="codes"),
    path("two-factor/disable/", views.disable, name="disable"),
    path("sessions/", views.session_list, name="sessions"),
]
