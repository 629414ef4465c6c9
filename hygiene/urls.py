"""Prompt hygiene pages, mounted under /o/<org_slug>/hygiene/."""

from django.urls import path

from . import views

app_name = "hygiene"
urlpatterns = [
    path("", views.scan, name="scan"),
    path("attach/", views.attach, name="attach"),
]
