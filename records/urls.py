from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("follow-ups/<int:pk>/act/", views.follow_up_act, name="follow_up_act"),
]
