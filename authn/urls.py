"""The user's own two-factor pages, under /account/two-factor/."""

from django.urls import path

from . import views

app_name = "authn"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
    path("recovery/", views.recovery, name="recovery"),
    path("codes/", views.regenerate_codes, name="codes"),
    path("disable/", views.disable, name="disable"),
]
